"""The leave requests (请假) of one activity, for the organizer who decides them."""
from sqlalchemy import select

from points_mall.extensions import db
from points_mall.activities.models import LeaveRequest
from points_mall.people.models import Member, Org
from points_mall.activities import activities
from points_mall.people.access import Actor


def for_activity(actor: Actor, activity_id: int) -> list[dict]:
    """Pending first, then decided, each with the member's name and branch (the organizer knows them)."""
    activities.managed(actor, activity_id)
    rows = db.session.execute(
        select(LeaveRequest, Member.name, Org.name.label("org"))
        .join(Member, LeaveRequest.member_id == Member.id).join(Org, Member.org_id == Org.id)
        .where(LeaveRequest.activity_id == activity_id)
        .order_by((LeaveRequest.status != "pending"), LeaveRequest.created_at)
    ).all()
    return [{"id": r.LeaveRequest.id, "activity_id": activity_id, "member_id": r.LeaveRequest.member_id,
             "name": r.name, "org": r.org, "reason": r.LeaveRequest.reason, "status": r.LeaveRequest.status,
             "decided_by": r.LeaveRequest.decided_by, "created_at": r.LeaveRequest.created_at} for r in rows]
