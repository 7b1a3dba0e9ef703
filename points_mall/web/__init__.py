"""The staff console and the public pages (server-rendered, a little JS on the public API)."""
from flask import Blueprint, Response, jsonify, render_template, request

from ..services import codes
from ..services.clock import utcnow

web = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/static/web")


@web.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@web.get("/q/<any(a, m):kind>/<int:obj_id>.png")
def code_png(kind, obj_id):
    """The current code as a PNG; only while it is valid, so an old link shows nothing."""
    token = request.args.get("t", "")
    codes.verify(kind, obj_id, token, utcnow())
    return Response(codes.png(codes.link(kind, obj_id, token)), mimetype="image/png", headers={"Cache-Control": "no-store"})


@web.get("/q/<any(a, m):kind>/<int:obj_id>")
def code_landing(kind, obj_id):
    """Opened outside WeChat, a check-in link explains itself instead of failing silently."""
    return render_template("scan_landing.html")


@web.get("/console/activities/<int:activity_id>/display")
def display(activity_id):
    """The organizer's screen at the event: a big rotating code and who has checked in."""
    return render_template("display.html", activity_id=activity_id)


@web.get("/console/shop")
def counter():
    """The shopkeeper's counter: type or scan the pickup code, check the preview, confirm."""
    return render_template("counter.html")


@web.get("/board")
def board():
    """The points and star board for the screen in the activity centre (公示栏): names masked."""
    return render_template("board.html")

