"""Activities (活动): organizers post them for their branch; members see those of their branch and above."""
from datetime import timedelta

from sqlalchemy import select

from points_mall.errors import DomainError, NotFound
from points_mall.extensions import db
from points_mall.activities.models import Activity, Checkin
from points_mall.people.models import Member, Org
from points_mall.points.models import Rule
from points_mall.activities.models import ACTIVITY_KINDS
from points_mall.activities import audience
from points_mall.audit import trail as audit
from points_mall.notify import notify
from points_mall.people.access import Actor, get_org, require_org
from points_mall.common.clock import local, utcnow
from points_mall.common.paging import Page, Paged, page_of
from points_mall.common.tx import committed

EDITABLE = ("kind", "title", "description", "place", "latitude", "longitude", "radius_m", "starts_at", "ends_at",
            "checkin_opens_at", "checkin_closes_at", "capacity", "open_to_volunteers", "rule_code")
WINDOW_MARGIN = timedelta(minutes=30)
AUDITED = ("org_id", "status", "rule_id", *(f for f in EDITABLE if f != "rule_code"))


def get(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise NotFound("unknown_activity", details={"activity_id": activity_id})
    return activity


def visible(actor: Actor, activity_id: int) -> Activity:
    """An activity the actor may see: staff see their subtree, a member what is shown to them. To anyone
    else it answers as an id nobody has (404), so a draft of another organisation does not show it exists."""
    activity = get(activity_id)
    require_visible(actor, activity)
    return activity


def require_visible(actor: Actor, activity: Activity) -> None:
    if not sees(actor, activity):
        raise NotFound("unknown_activity", details={"activity_id": activity.id})


def sees(actor: Actor, activity: Activity) -> bool:
    return actor.covers_org("organizer", activity.org) or (
        actor.kind == "member" and shown_to(activity, db.session.get(Member, actor.id)))


def shown_to(activity: Activity, member: Member) -> bool:
    """A member sees an activity once it is out of draft: one they may attend, or one they checked in at."""
    if activity.status == "draft":
        return False
    return audience.may_attend(activity, member) or db.session.scalar(
        select(Checkin.id).where(Checkin.activity_id == activity.id, Checkin.member_id == member.id)) is not None


def managed(actor: Actor, activity_id: int) -> Activity:
    """An activity the actor may run: its organisation is inside their subtree (404 if they may not see it)."""
    activity = get(activity_id)
    require_manager(actor, activity)
    return activity


def require_manager(actor: Actor, activity: Activity) -> None:
    require_visible(actor, activity)
    require_org(actor, "organizer", activity.org)


def _apply_fields(activity: Activity, fields: dict) -> None:
    if "rule_code" in fields:
        code = fields.pop("rule_code")
        rule = db.session.scalar(select(Rule).where(Rule.code == code, Rule.active)) if code else None
        if code and rule is None:
            raise DomainError("unknown_rule", details={"rule_code": code})
        activity.rule_id = rule.id if rule else None
    for name, value in fields.items():
        setattr(activity, name, value)
    if activity.kind not in ACTIVITY_KINDS:
        raise DomainError("invalid_kind", details={"allowed": list(ACTIVITY_KINDS)})
    if activity.ends_at <= activity.starts_at:
        raise DomainError("invalid_time")
    activity.checkin_opens_at = activity.checkin_opens_at or activity.starts_at - WINDOW_MARGIN
    activity.checkin_closes_at = activity.checkin_closes_at or activity.ends_at + WINDOW_MARGIN
    if activity.checkin_closes_at <= activity.checkin_opens_at:
        raise DomainError("invalid_time:checkin_window")
    if (activity.latitude is None) != (activity.longitude is None) or \
            (activity.radius_m is not None and activity.latitude is None):
        raise DomainError("invalid_place")


def create(actor: Actor, org_id: int, publish: bool = False, **fields) -> Activity:
    org = get_org(org_id)
    require_org(actor, "organizer", org)
    activity = Activity(org_id=org.id, org=org, created_by=actor.key, status="draft", checked_in=0,
                        checkin_opens_at=None, checkin_closes_at=None)
    with committed("duplicate_activity"):
        _apply_fields(activity, {k: v for k, v in fields.items() if k in EDITABLE})
        db.session.add(activity)
        db.session.flush()
        if publish:
            _publish(activity)
        audit.record(actor, "activity.create", "activity", activity.id, after=audit.snapshot(activity, AUDITED))
    return activity


def edit(actor: Actor, activity_id: int, **fields) -> Activity:
    activity = managed(actor, activity_id)
    if activity.status == "cancelled":
        raise DomainError("cancelled:edit")
    with committed("conflict"):
        before = audit.snapshot(activity, AUDITED)
        _apply_fields(activity, {k: v for k, v in fields.items() if k in EDITABLE})
        audit.record(actor, "activity.edit", "activity", activity.id, before, audit.snapshot(activity, AUDITED))
    return activity


def publish(actor: Actor, activity_id: int) -> Activity:
    activity = managed(actor, activity_id)
    if activity.status != "draft":
        raise DomainError("not_draft")
    with committed("conflict"):
        _publish(activity)
        audit.record(actor, "activity.publish", "activity", activity.id, {"status": "draft"}, {"status": "published"})
    return activity


def _publish(activity: Activity) -> None:
    activity.status = "published"
    when = local(activity.starts_at).strftime("%m月%d日 %H:%M")
    for member_id in audience_ids(activity):
        notify.emit("activity_published", "新活动", f"{activity.title}（{when}，{activity.place or '地点待定'}）",
                    member_id=member_id, data={"activity_id": activity.id})


def cancel(actor: Actor, activity_id: int, reason: str) -> Activity:
    activity = managed(actor, activity_id)
    if activity.status == "cancelled":
        raise DomainError("cancelled")
    was_published = activity.status == "published"
    with committed("conflict"):
        audit.record(actor, "activity.cancel", "activity", activity.id, {"status": activity.status},
                     {"status": "cancelled", "reason": reason})
        activity.status = "cancelled"
        if was_published:
            for member_id in audience_ids(activity):
                notify.emit("activity_cancelled", "活动取消", f"{activity.title}已取消：{reason}",
                            member_id=member_id, data={"activity_id": activity.id})
    return activity


def audience_ids(activity: Activity) -> list[int]:
    """Members expected at the activity: the active members of its organisation subtree."""
    return list(db.session.scalars(select(Member.id).join(Org).where(audience.expected_members(activity))
                                   .order_by(Member.id)))


def for_member(member_id: int, status: str | None) -> list[Activity]:
    """Published activities of the member's branch and every organisation above it."""
    member = db.session.get(Member, member_id)
    query = select(Activity).join(Org, Activity.org_id == Org.id).where(Activity.status == "published")
    return _by_time(query.where(audience.open_to(member)), status)


def managed_page(actor: Actor, status: str | None, page: Page, start=None, end=None) -> Paged:
    """What the organizer runs, a page at a time, optionally only those starting in [start, end) (the
    console's month calendar), with the total for the pager."""
    query = select(Activity).join(Org, Activity.org_id == Org.id).where(actor.org_scope("organizer"))
    if start is not None:
        query = query.where(Activity.starts_at >= start)
    if end is not None:
        query = query.where(Activity.starts_at < end)
    return page_of(_ordered(query, status), page)


def _by_time(query, status: str | None) -> list[Activity]:
    return list(db.session.scalars(_ordered(query, status).limit(200)))


def _ordered(query, status: str | None):
    now = utcnow()
    if status == "upcoming":
        query = query.where(Activity.ends_at >= now).order_by(Activity.starts_at)
    elif status == "past":
        query = query.where(Activity.ends_at < now).order_by(Activity.starts_at.desc())
    else:
        query = query.order_by(Activity.starts_at.desc())
    return query.order_by(Activity.id)
