"""The staff console and the public pages (server-rendered, a little JS on the public API)."""
import os
import secrets
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, send_from_directory

from points_mall.activities import codes
from points_mall.common.clock import utcnow
from points_mall.accounts.web_login import RECEIPT_TTL, SCAN_COOKIE, issue_receipt

# The projector (/console/activities/{id}/display) and the counter (/console/shop) are console routes now,
# served by console_app below like every other console page.
web = Blueprint("web", __name__, template_folder="templates")


@web.get("/")
def home():
    """Where a newcomer lands: the way to the console, the members' pages, the board and the API docs."""
    return render_template("home.html")


@web.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@web.get("/q/<any(a, m):kind>/<id:obj_id>.png")
def code_png(kind, obj_id):
    """The current code as a PNG; only while it is valid, so an old link shows nothing."""
    token = request.args.get("t", "")
    codes.verify(kind, obj_id, token, utcnow())
    return Response(codes.png(codes.link(kind, obj_id, token)), mimetype="image/png", headers={"Cache-Control": "no-store"})


@web.get("/q/<any(a, m):kind>/<id:obj_id>")
def code_landing(kind, obj_id):
    """A scanned check-in link opens the members' pages, which log in if needed and check in. The
    receipt records that the code was valid when scanned here, so the log-in cannot make it expire;
    an expired or forged code gets none and the check-in says why. A member's own code explains itself."""
    if kind != "a":
        return render_template("scan_landing.html")
    token = request.args.get("t", "")[:32]
    browser = request.cookies.get(SCAN_COOKIE) or secrets.token_hex(16)
    receipt = issue_receipt(obj_id, token, browser, utcnow())
    query = {"a": obj_id, "t": token} | ({"r": receipt} if receipt else {})
    response = redirect("/m/checkin?" + urlencode(query))
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie(SCAN_COOKIE, browser, max_age=int(RECEIPT_TTL.total_seconds()), path="/api/v1/checkins",
                        httponly=True, samesite="Lax", secure=request.is_secure)
    return response


@web.get("/docs/assets/<path:filename>")
def docs_asset(filename):
    """Swagger UI for /docs, from the pinned swagger-ui-bundle package rather than a CDN."""
    from swagger_ui_bundle import swagger_ui_path

    return send_from_directory(swagger_ui_path, filename, max_age=24 * 3600)


@web.get("/board")
def board():
    """The points and star board for the screen in the activity centre (公示栏): names masked. A public
    page of the console app (frontend/console/admin/board), so it shares its charts and build."""
    return _spa("console")



# WEB_DIST: serve a build from elsewhere (a second checkout's, or one built with `vite build --outDir`).
DIST = os.environ.get("WEB_DIST") or os.path.join(os.path.dirname(__file__), "dist")
APP_ENTRIES = {"console": "console/index.html", "member": "member/index.html"}


def _spa(entry: str):
    """A single-page app's shell; it is small and never cached, so a new build shows at once."""
    if not os.path.exists(os.path.join(DIST, APP_ENTRIES[entry])):
        return Response("页面尚未构建：请运行 make run（会自动构建 frontend/）。", status=503, mimetype="text/plain")
    response = send_from_directory(DIST, APP_ENTRIES[entry], max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@web.get("/console/")
@web.get("/console/<path:path>")
def console_app(path=""):
    """The staff console (工作台): Vue 3 + Element Plus, built by Vite from frontend/console."""
    return _spa("console")


@web.get("/m/")
@web.get("/m/<path:path>")
def member_app(path=""):
    """The members' pages for WeChat's browser (党员端): Vue 3 + Vant, built from frontend/member."""
    return _spa("member")


@web.get("/app/<path:filename>")
def app_asset(filename):
    """Built assets carry a content hash in their names, so they may be cached for a year."""
    if not os.path.isdir(DIST):
        abort(404)
    return send_from_directory(DIST, filename, max_age=365 * 24 * 3600)
