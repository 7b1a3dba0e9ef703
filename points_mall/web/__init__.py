"""The staff console and the public board (server-rendered pages)."""
from flask import Blueprint, jsonify

web = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/static/web")


@web.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})
