"""The baseline: a bare Flask endpoint, served by gunicorn exactly like the service."""
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/bare")
def bare():
    return jsonify({"ok": True, "echo": len(request.get_data())})
