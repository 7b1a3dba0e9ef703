"""Attendance, leave (请假) and the meeting record (一会一记)."""
from datetime import datetime

from sqlalchemy import select, update

from points_mall.errors import Conflict, DomainError, NotFound
from points_mall.extensions import db
from points_mall.activities.models import Activity, Checkin, LeaveRequest
from points_mall.people.models import Member, Org
from points_mall.activities.models import MEETING_KINDS
from points_mall.activities import activities, audience
from points_mall.audit import trail as audit
from points_mall.notify import notify
from points_mall.people.access import Actor, get_org, refuse_own, require_org
from points_mall.common.clock import local, utcnow
from points_mall.common.tx import committed


def ask_leave(member_id: int, activity_id: int, reason: str) -> LeaveRequest:
    activity = activities.visible(Actor("member", member_id), activity_id)
    member = db.session.get(Member, member_id)
    if activity.kind not in MEETING_KINDS or activity.status != "published":
        raise DomainError("leave_not_needed")
    if not audience.expects(activity, member):
        raise DomainError("not_eligible")
    if activity.ends_at < utcnow():
        raise DomainError("closed")
    leave = LeaveRequest(activity_id=activity_id, member_id=member_id, reason=reason.strip(), status="pending")
    with committed("leave_exists"):  # one request per member and activity (a unique key)
        db.session.add(leave)
    return leave


def decide_leave(actor: Actor, leave_id: int, approve: bool) -> LeaveRequest:
    leave = db.session.get(LeaveRequest, leave_id)
    activity = activities.get(leave.activity_id) if leave is not None else None
    if leave is None or not activities.sees(actor, activity):  # a request for an activity they cannot see
        raise NotFound("unknown_leave")
    activities.require_manager(actor, activity)
    refuse_own(actor, [leave.member_id], "own_points:leave")
    status = "approved" if approve else "rejected"
    with committed("conflict"):
        moved = db.session.execute(update(LeaveRequest).where(LeaveRequest.id == leave_id,
                                                              LeaveRequest.status == "pending")
                                   .values(status=status, decided_by=actor.key)).rowcount
        if moved != 1:
            raise Conflict("not_pending:leave")
        audit.record(actor, f"leave.{'approve' if approve else 'reject'}", "leave_request", leave_id,
                     {"status": "pending"}, {"status": status, "member_id": leave.member_id, "activity_id": activity.id})
        notify.emit("leave_decided", "请假审批", f"{activity.title}：请假{'已批准' if approve else '未批准'}",
                    member_id=leave.member_id, data={"activity_id": activity.id})
    db.session.refresh(leave)
    return leave


def roll(activity: Activity) -> dict:
    """Who came, who had leave, who was absent without it."""
    present = db.session.execute(
        select(Checkin, Member.name, Org.name).join(Member, Checkin.member_id == Member.id)
        .join(Org, Member.org_id == Org.id).where(Checkin.activity_id == activity.id).order_by(Checkin.scanned_at)
    ).all()
    leaves = {l.member_id: l for l in db.session.scalars(
        select(LeaveRequest).where(LeaveRequest.activity_id == activity.id, LeaveRequest.status == "approved"))}
    came = {c.member_id for c, _, _ in present}
    expected = db.session.execute(
        select(Member.id, Member.name, Org.name).join(Org).where(audience.expected_members(activity))
        .order_by(Member.id)
    ).all()
    on_leave = [{"member_id": i, "name": n, "org": o, "reason": leaves[i].reason}
                for i, n, o in expected if i in leaves and i not in came]
    absent = [{"member_id": i, "name": n, "org": o} for i, n, o in expected if i not in came and i not in leaves]
    return {
        "activity": activity,
        "present": [{"member_id": c.member_id, "name": name, "org": org, "scanned_at": c.scanned_at,
                     "method": c.method, "points": c.points, "late_upload": c.late_upload}
                    for c, name, org in present],
        "on_leave": on_leave, "absent": absent,
        "counts": {"expected": len(expected), "present": len(present), "on_leave": len(on_leave),
                   "absent": len(absent)},
    }


def for_activity(actor: Actor, activity_id: int) -> dict:
    return roll(activities.managed(actor, activity_id))


def write_minutes(actor: Actor, activity_id: int, minutes: str) -> dict:
    activity = activities.managed(actor, activity_id)
    if activity.status != "published":
        raise DomainError("not_published")
    if not minutes.strip():
        raise DomainError("invalid_minutes")
    with committed("conflict"):
        before = {"minutes": activity.minutes}
        activity.minutes, activity.minutes_by, activity.minutes_at = minutes.strip(), actor.key, utcnow()
        audit.record(actor, "activity.minutes", "activity", activity.id, before, {"minutes": activity.minutes})
    return roll(activity)


def for_org(actor: Actor, org_id: int, start: datetime, end: datetime) -> list[dict]:
    """One line per activity held in the organisation's subtree over [start, end)."""
    org = get_org(org_id)
    require_org(actor, "organizer", org)
    held = db.session.scalars(
        select(Activity).join(Org, Activity.org_id == Org.id)
        .where(Org.path.startswith(org.path), Activity.status == "published",
               Activity.starts_at >= start, Activity.starts_at < end).order_by(Activity.starts_at))
    rows = []
    for activity in held:
        counts = roll(activity)["counts"]
        rate = round(counts["present"] / counts["expected"], 3) if counts["expected"] else None
        rows.append({"activity_id": activity.id, "title": activity.title, "kind": activity.kind,
                     "org": activity.org.name, "starts_at": activity.starts_at, **counts, "rate": rate,
                     "has_minutes": activity.minutes is not None})
    return rows


def activity_sheet(data: dict) -> tuple[list[str], list[list]]:
    rows = [[p["name"], p["org"], "已签到", local(p["scanned_at"]).strftime("%Y-%m-%d %H:%M"), p["points"],
             "是" if p["late_upload"] else ""] for p in data["present"]]
    rows += [[p["name"], p["org"], "请假", "", "", p["reason"]] for p in data["on_leave"]]
    rows += [[p["name"], p["org"], "缺席", "", "", ""] for p in data["absent"]]
    return ["姓名", "组织", "状态", "签到时间", "积分", "备注"], rows


def org_sheet(rows: list[dict]) -> tuple[list[str], list[list]]:
    return (["活动", "类型", "组织", "时间", "应到", "实到", "请假", "缺席", "出勤率", "会议记录"],
            [[r["title"], r["kind"], r["org"], local(r["starts_at"]).strftime("%Y-%m-%d %H:%M"), r["expected"],
              r["present"], r["on_leave"], r["absent"], r["rate"], "有" if r["has_minutes"] else "无"] for r in rows])
