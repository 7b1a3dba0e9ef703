"""One member's archive page (积分档案): the year's score by dimension, spendable, stars, attendance,
declarations, which branch when, and the dated changes. Their ledger is archive.ledger_page(member_id=)."""
from datetime import datetime, time

from sqlalchemy import func, select

from points_mall.extensions import db
from points_mall.activities.models import Activity, Checkin, LeaveRequest
from points_mall.year.models import Declaration, MemberChange, Membership
from points_mall.people.models import Org
from points_mall.points.models import Rule, Score
from points_mall.year.models import DECLARATION_STATUSES
from points_mall.common.fields import mask_phone
from points_mall.activities import audience
from points_mall.points import ledger
from points_mall.people.access import Actor
from points_mall.year.archive import member_in_scope
from points_mall.common.clock import local_year, utcnow, zone
from points_mall.points.profile import stars_for

DECLARATIONS_SHOWN = 50


def member_page(actor: Actor, member_id: int, year: int | None = None) -> dict:
    member = member_in_scope(actor, member_id)
    year = year or local_year(utcnow())
    points = ledger.summary(member_id, year)
    years = set(db.session.scalars(select(Score.year).distinct().where(Score.member_id == member_id)))
    return {
        "member": {"id": member.id, "name": member.name, "phone": mask_phone(member.phone),
                   "member_type": member.member_type, "status": member.status, "org_id": member.org_id,
                   "org": member.org.name, "joined_on": member.joined_on, "party_birthday": member.party_birthday,
                   "bound": member.openid is not None},
        **points, "stars": stars_for(points["score"]),
        "years": sorted(years | {local_year(utcnow()), year}, reverse=True),
        "attendance": attendance(member, year),
        "declarations": declarations(member_id, year),
        "memberships": memberships(member_id),
        "changes": [{"kind": c.kind, "before": c.before, "after": c.after, "effective_on": c.effective_on,
                     "note": c.note, "actor": c.actor} for c in db.session.scalars(
            select(MemberChange).where(MemberChange.member_id == member_id)
            .order_by(MemberChange.effective_on.desc(), MemberChange.id.desc()))],
    }


def attendance(member, year: int) -> dict:
    """Activities of the year held so far for the member's branch and the organisations above it
    (the audience they are invited as; volunteers also to those open to volunteers): how many, how many
    the member checked in at, had leave for, and missed without leave."""
    start = datetime.combine(datetime(year, 1, 1).date(), time.min, zone())
    end = min(datetime.combine(datetime(year + 1, 1, 1).date(), time.min, zone()), utcnow())
    invited = (select(Activity.id).join(Org, Org.id == Activity.org_id)
               .where(audience.open_to(member), Activity.status == "published", Activity.starts_at >= start, Activity.starts_at < end))
    ids = invited.subquery()
    attended = db.session.scalar(select(func.count()).select_from(Checkin).where(
        Checkin.member_id == member.id, Checkin.activity_id.in_(select(ids.c.id))))
    leave = db.session.scalar(select(func.count()).select_from(LeaveRequest).where(
        LeaveRequest.member_id == member.id, LeaveRequest.status == "approved",
        LeaveRequest.activity_id.in_(select(ids.c.id)),
        LeaveRequest.activity_id.not_in(select(Checkin.activity_id).where(Checkin.member_id == member.id))))
    total = db.session.scalar(select(func.count()).select_from(ids))
    return {"invited": total, "attended": attended, "on_leave": leave, "absent": max(0, total - attended - leave),
            "rate": round(attended / total, 3) if total else None}


def declarations(member_id: int, year: int) -> dict:
    """The year's declarations (by the day of the item): how many in each status, and the latest."""
    in_year = (Declaration.member_id == member_id,
               Declaration.occurred_on >= datetime(year, 1, 1).date(),
               Declaration.occurred_on < datetime(year + 1, 1, 1).date())
    counts = dict.fromkeys(DECLARATION_STATUSES, 0)
    counts.update(db.session.execute(select(Declaration.status, func.count()).where(*in_year)
                                     .group_by(Declaration.status)).all())
    rows = db.session.execute(
        select(Declaration.id, Declaration.occurred_on, Declaration.title, Declaration.status, Declaration.points,
               Declaration.note, Rule.name.label("rule_name"), Rule.dimension)
        .join(Rule, Rule.id == Declaration.rule_id).where(*in_year)
        .order_by(Declaration.occurred_on.desc(), Declaration.id.desc()).limit(DECLARATIONS_SHOWN)).all()
    return {"counts": counts, "total": sum(counts.values()), "items": [r._asdict() for r in rows]}


def memberships(member_id: int) -> list[dict]:
    """Which branch, from when until when (组织关系), newest first."""
    rows = db.session.execute(
        select(Membership.org_id, Org.name.label("org"), Membership.since, Membership.until)
        .join(Org, Org.id == Membership.org_id).where(Membership.member_id == member_id)
        .order_by(Membership.since.desc().nulls_last(), Membership.id.desc())).all()
    return [r._asdict() for r in rows]
