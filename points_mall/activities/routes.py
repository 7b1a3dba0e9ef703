"""Activities, their rotating check-in code, check-ins, leave, minutes and attendance."""
from datetime import datetime, time, timedelta
from functools import wraps
from urllib.parse import quote

from flask import Response, current_app, url_for
from flask_smorest import Blueprint
from werkzeug.exceptions import UnprocessableEntity

from points_mall.extensions import limiter
from points_mall.activities.schemas import (
    ActivityIn, ActivityOut, ActivityPatch, ActivityQuery, AttendanceOut, CancelIn, CheckinIn, CheckinOut, CodeOut,
    FormatQuery, LeaveIn, LeaveOut, MiniProgramCodeOut, MinutesIn, OfflineIn, OaCodeOut, OfflineResult,
    OrgAttendanceQuery, OrgAttendanceRow, OrganizerCheckinIn)
from points_mall.activities import activities, attendance, checkin, codes
from points_mall.common import export
from points_mall.notify import wechat_inbound
from points_mall.common.clock import zone
from points_mall.common.paging import Paged, paginated
from points_mall.people.access import member_key
from points_mall.common.security import (
    BEARER, current_actor, current_member_id, members_only, rate_key_subject, requires, scanning_members)

blp = Blueprint("activities", __name__, url_prefix="/api/v1", description="活动与签到")


def checkin_limit():
    return current_app.config["CHECKIN_RATE_LIMIT"]


def code_limit():
    return current_app.config["CODE_RATE_LIMIT"]


# ?format=xlsx answers a workbook instead of JSON; routes.document() adds it to the 200 answer.
XLSX_TOO = {"x-xlsx": True}


def xlsx(filename: str, headers: list[str] | None = None, rows: list[list] | None = None,
         sheets: list | None = None) -> Response:
    """A download: one sheet from headers and rows, or several."""
    content = export.workbook_of(sheets or [(filename, headers, rows)])
    return Response(content, mimetype=export.XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}.xlsx"})


def code_answer(kind: str, obj_id: int) -> dict:
    code = codes.current(kind, obj_id)
    token = code["payload"].rsplit("=", 1)[1]
    return code | {"svg": codes.svg(code["payload"]),
                   "png_url": url_for("web.code_png", kind=kind, obj_id=obj_id, t=token, _external=True)}


@blp.get("/activities")
@requires()
@blp.arguments(ActivityQuery, location="query")
@blp.response(200, ActivityOut(many=True))
@paginated(blp, page_size=200, max_page_size=500)
@blp.doc(security=[BEARER])
def list_activities(query, page):
    """scope=mine: what a member is invited to; scope=managed: what an organizer runs, paged by
    ?page=&page_size= (total in X-Pagination) and optionally only those starting from/to (local days)."""
    actor = current_actor()
    if actor.kind == "member" and query["scope"] == "mine":
        found = activities.for_member(actor.id, query["status"])
        return Paged(found[page.offset:page.offset + page.limit], len(found))
    start = datetime.combine(query["start"], time.min, zone()) if query["start"] else None
    end = datetime.combine(query["end"] + timedelta(days=1), time.min, zone()) if query["end"] else None
    return activities.managed_page(actor, query["status"], page, start, end)


@blp.post("/activities")
@requires("organizer")
@blp.arguments(ActivityIn)
@blp.response(201, ActivityOut)
@blp.doc(security=[BEARER])
def create_activity(body):
    return activities.create(current_actor(), **body)


@blp.get("/activities/<id:activity_id>")
@requires()
@blp.response(200, ActivityOut)
@blp.doc(security=[BEARER])
def get_activity(activity_id):
    return activities.visible(current_actor(), activity_id)


@blp.patch("/activities/<id:activity_id>")
@requires("organizer")
@blp.arguments(ActivityPatch(partial=True))
@blp.response(200, ActivityOut)
@blp.doc(security=[BEARER])
def edit_activity(body, activity_id):
    return activities.edit(current_actor(), activity_id, **body)


@blp.post("/activities/<id:activity_id>/publish")
@requires("organizer")
@blp.response(200, ActivityOut)
@blp.doc(security=[BEARER])
def publish_activity(activity_id):
    return activities.publish(current_actor(), activity_id)


@blp.post("/activities/<id:activity_id>/cancel")
@requires("organizer")
@blp.arguments(CancelIn)
@blp.response(200, ActivityOut)
@blp.doc(security=[BEARER])
def cancel_activity(body, activity_id):
    return activities.cancel(current_actor(), activity_id, body["reason"])


@blp.get("/activities/<id:activity_id>/qr")
@requires("organizer")
@limiter.limit(code_limit, key_func=rate_key_subject)
@blp.response(200, CodeOut)
@blp.doc(security=[BEARER])
def activity_code(activity_id):
    activities.managed(current_actor(), activity_id)
    return code_answer("a", activity_id)


@blp.get("/activities/<id:activity_id>/mp-code")
@requires("organizer")
@limiter.limit(code_limit, key_func=rate_key_subject)
@blp.response(200, MiniProgramCodeOut)
@blp.doc(security=[BEARER])
def activity_mini_program_code(activity_id):
    """A mini-program code for the current step (getwxacodeunlimit): scanned, it opens the check-in page."""
    activities.managed(current_actor(), activity_id)
    return codes.mini_program_code(activity_id)


@blp.get("/activities/<id:activity_id>/oa-qr")
@requires("organizer")
@limiter.limit(code_limit, key_func=rate_key_subject)
@blp.response(200, OaCodeOut)
@blp.doc(security=[BEARER])
def activity_oa_code(activity_id):
    """A public-account QR for the current step: scanning it follows the account and checks in."""
    return wechat_inbound.checkin_qr(current_actor(), activity_id)


def stores_malformed_scans(method: str):
    """A check-in whose body fails validation is refused (422) and still stored as an attempt."""
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except UnprocessableEntity as e:
                claims_kind, actor = ("member", current_member_id(any_status=True)) if method == "scan" \
                    else ("staff", current_actor())
                fields = (getattr(e, "data", None) or {}).get("messages", {})
                if claims_kind == "member":
                    checkin.refuse_malformed(member_key(actor), method, fields, member_id=actor)
                else:
                    checkin.refuse_malformed(actor.key, method, fields, activity_id=kwargs.get("activity_id"))
                raise
        return guarded
    return decorate


@blp.post("/checkins")
@scanning_members
@limiter.limit(checkin_limit, key_func=rate_key_subject)
@stores_malformed_scans("scan")
@blp.arguments(CheckinIn)
@blp.response(200, CheckinOut)
@blp.doc(security=[BEARER])
def scan(body):
    return checkin.scan(current_member_id(any_status=True), body["payload"], body["nonce"], body["latitude"],
                        body["longitude"])


@blp.post("/activities/<id:activity_id>/checkins")
@requires("organizer")
@limiter.limit(checkin_limit, key_func=rate_key_subject)
@stores_malformed_scans("by_organizer")
@blp.arguments(OrganizerCheckinIn)
@blp.response(200, CheckinOut)
@blp.doc(security=[BEARER])
def check_in_member(body, activity_id):
    return checkin.by_organizer(current_actor(), activity_id, body["nonce"], body["member_code"], body["member_id"])


@blp.post("/activities/<id:activity_id>/checkins/offline")
@requires("organizer")
@blp.arguments(OfflineIn)
@blp.response(200, OfflineResult(many=True))
@blp.doc(security=[BEARER])
def upload_offline(body, activity_id):
    return checkin.upload_offline(current_actor(), activity_id, body["scans"])


@blp.get("/activities/<id:activity_id>/attendance")
@requires("organizer")
@blp.arguments(FormatQuery, location="query")
@blp.response(200, AttendanceOut)
@blp.doc(security=[BEARER], **XLSX_TOO)
def activity_attendance(query, activity_id):
    data = attendance.for_activity(current_actor(), activity_id)
    if query["format"] == "xlsx":
        return xlsx(f"签到表-{data['activity'].title}", *attendance.activity_sheet(data))
    return data


@blp.post("/activities/<id:activity_id>/leave")
@members_only
@blp.arguments(LeaveIn)
@blp.response(201, LeaveOut)
@blp.doc(security=[BEARER])
def ask_leave(body, activity_id):
    return attendance.ask_leave(current_member_id(), activity_id, body["reason"])


@blp.post("/leave/<id:leave_id>/approve")
@requires("organizer")
@blp.response(200, LeaveOut)
@blp.doc(security=[BEARER])
def approve_leave(leave_id):
    return attendance.decide_leave(current_actor(), leave_id, True)


@blp.post("/leave/<id:leave_id>/reject")
@requires("organizer")
@blp.response(200, LeaveOut)
@blp.doc(security=[BEARER])
def reject_leave(leave_id):
    return attendance.decide_leave(current_actor(), leave_id, False)


@blp.put("/activities/<id:activity_id>/minutes")
@requires("organizer")
@blp.arguments(MinutesIn)
@blp.response(200, AttendanceOut)
@blp.doc(security=[BEARER])
def write_minutes(body, activity_id):
    return attendance.write_minutes(current_actor(), activity_id, body["minutes"])


@blp.get("/attendance")
@requires("organizer")
@blp.arguments(OrgAttendanceQuery, location="query")
@blp.response(200, OrgAttendanceRow(many=True))
@blp.doc(security=[BEARER], **XLSX_TOO)
def org_attendance(query):
    start = datetime.combine(query["start"], time.min, zone())
    end = datetime.combine(query["end"] + timedelta(days=1), time.min, zone())
    rows = attendance.for_org(current_actor(), query["org_id"], start, end)
    if query["format"] == "xlsx":
        return xlsx(f"出勤统计-{query['start']}至{query['end']}", *attendance.org_sheet(rows))
    return rows
