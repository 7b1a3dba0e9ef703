"""积分公示: an organizer publishes a branch's score sheet for an ended period, with a window for appeals.

When the window closes (closes_at <= now) the period is final for that subtree (services/periods.py).
"""
from datetime import datetime, timedelta

from sqlalchemy import exists, func, insert, literal, or_, select
from sqlalchemy.orm import aliased

from points_mall.errors import DomainError, NotFound
from points_mall.extensions import db
from points_mall.year.models import Appeal, Membership, Publicity
from points_mall.notify.models import Notification
from points_mall.people.models import Org
from points_mall.audit import trail as audit
from points_mall.people.access import Actor, get_org, require_org, require_role
from points_mall.common.clock import local, utcnow
from points_mall.common.fields import mask_name
from points_mall.common.paging import Page, Paged, page_of
from points_mall.year.periods import moment
from points_mall.year.score_sheet import Period, belonged_query, sheet
from points_mall.common.tx import committed

DEFAULT_WINDOW_DAYS = 5


def status_of(p: Publicity, now: datetime | None = None) -> str:
    """open (公示中) while the window runs, closed (已结束) after."""
    return "open" if (now or utcnow()) < p.closes_at else "closed"


def period_of(p: Publicity) -> Period:
    return Period.of(p.period, p.period_start)


def get(publicity_id: int) -> Publicity:
    found = db.session.get(Publicity, publicity_id)
    if found is None:
        raise NotFound("unknown_publicity", details={"publicity_id": publicity_id})
    return found


def publish(actor: Actor, org_id: int, period: str, start, window_days: int = DEFAULT_WINDOW_DAYS,
            title: str | None = None) -> Publicity:
    """Publish the sheet of org's subtree for an ended period; its members are told the window."""
    org = get_org(org_id)
    require_org(actor, "organizer", org)
    span = Period.of(period, start)
    now = utcnow()
    if moment(span.end) > now:
        raise DomainError("period_not_ended", details={"label": span.label, "end": span.last_day.isoformat()})
    duplicate = db.session.scalar(select(Publicity.id).where(
        Publicity.org_id == org.id, Publicity.period == period, Publicity.period_start == span.start))
    if duplicate:
        raise DomainError("publicity_exists", details={"label": span.label, "publicity_id": duplicate})
    pub = Publicity(org_id=org.id, period=period, period_start=span.start, period_end=span.end,
                    title=(title or f"{org.name}{span.label}积分公示")[:100], opens_at=now,
                    closes_at=now + timedelta(days=window_days), published_by=actor.key, created_at=now)
    with committed("publicity_exists"):
        db.session.add(pub)
        db.session.flush()
        audit.record(actor, "publicity.publish", "publicity", pub.id, None,
                     {"org_id": org.id, "period": period, "period_start": span.start, "window_days": window_days,
                      "closes_at": pub.closes_at, "title": pub.title})
        _tell_members(org, span, pub)
    return pub


def _tell_members(org: Org, span: Period, pub: Publicity) -> None:
    """One notification per active member of the sheet, in one INSERT … SELECT (a park-wide 公示 is big)."""
    from points_mall.people.models import Member

    ends = local(pub.closes_at).strftime("%m月%d日 %H:%M")
    members = belonged_query(org, span).subquery()
    now = utcnow()
    db.session.execute(insert(Notification).from_select(
        ["member_id", "event", "title", "body", "data", "status", "attempts", "next_attempt_at", "created_at"],
        select(members.c.member_id, literal("publicity_opened"), literal("积分公示"),
               literal(f"{pub.title}已发布，公示期至{ends}；如有异议，可在公示期内提出申诉"),
               literal({"publicity_id": pub.id}, Notification.data.type), literal("pending"), literal(0),
               literal(now, Notification.next_attempt_at.type), literal(now, Notification.created_at.type))
        .join(Member, Member.id == members.c.member_id).where(Member.status == "active")
        .order_by(members.c.member_id)))


def for_staff(actor: Actor, page: Page, org_id: int | None = None, status: str | None = None) -> Paged:
    """A page of the 公示 of organisations the organizer covers (optionally one subtree), newest first, each
    with the number of appeals still open."""
    require_role(actor, "organizer")
    open_appeals = (select(func.count()).where(Appeal.publicity_id == Publicity.id, Appeal.status == "open")
                    .correlate(Publicity).scalar_subquery())
    query = (select(Publicity, Org.name.label("org"), open_appeals.label("open_appeals"))
             .join(Org, Org.id == Publicity.org_id).where(actor.org_scope("organizer")))
    if org_id is not None:
        query = query.where(Org.path.startswith(get_org(org_id).path, autoescape=True))
    now = utcnow()
    if status == "open":
        query = query.where(Publicity.closes_at > now)
    elif status == "closed":
        query = query.where(Publicity.closes_at <= now)
    found = page_of(query.order_by(Publicity.opens_at.desc(), Publicity.id.desc()), page, rows=True)
    found.items = [describe(p, org, n) for p, org, n in found.items]
    return found


def describe(pub: Publicity, org_name: str | None = None, open_appeals: int | None = None) -> dict:
    span = period_of(pub)
    out = {"id": pub.id, "org_id": pub.org_id, "org": org_name or db.session.get(Org, pub.org_id).name,
           "period": pub.period, "label": span.label, "start": span.start, "end": span.last_day, "title": pub.title,
           "opens_at": pub.opens_at, "closes_at": pub.closes_at, "status": status_of(pub),
           "published_by": pub.published_by}
    if open_appeals is not None:
        out["open_appeals"] = open_appeals
    return out


def detail_for_staff(actor: Actor, publicity_id: int, limit: int | None, offset: int) -> dict:
    pub = get(publicity_id)
    org = get_org(pub.org_id)
    require_org(actor, "organizer", org)
    return describe(pub, org.name) | {"sheet": sheet(org, period_of(pub), limit=limit, offset=offset)}


def belonged(member_id: int, pub: Publicity) -> bool:
    """Was the member in the 公示's subtree at some time during its period (so on its sheet)?"""
    pub_org = db.session.get(Org, pub.org_id)
    return bool(db.session.scalar(select(_belonged_clause(member_id, pub_org.path, pub.period_start,
                                                          pub.period_end))))


def _belonged_clause(member_id, path, period_start, period_end):
    branch = aliased(Org)  # the member's organisation then, apart from the 公示's own in an outer query
    return exists(select(Membership.id).join(branch, branch.id == Membership.org_id).where(
        Membership.member_id == member_id, branch.path.startswith(path),
        or_(Membership.since.is_(None), Membership.since < period_end),
        or_(Membership.until.is_(None), Membership.until > period_start)))


def for_member(member_id: int, limit: int = 50) -> list[dict]:
    """The 公示 whose sheet the member is on (their branch or one above it, when they belonged), newest first."""
    rows = db.session.execute(
        select(Publicity, Org.name).join(Org, Org.id == Publicity.org_id)
        .where(_belonged_clause(member_id, Org.path, Publicity.period_start, Publicity.period_end))
        .order_by(Publicity.opens_at.desc(), Publicity.id.desc()).limit(limit)).all()
    return [describe(p, name) for p, name in rows]


def detail_for_member(member_id: int, publicity_id: int, limit: int | None, offset: int) -> dict:
    pub = get(publicity_id)
    if not belonged(member_id, pub):
        raise DomainError("not_in_publicity", details={"publicity_id": publicity_id})
    org = get_org(pub.org_id)
    data = sheet(org, period_of(pub), limit=limit, offset=offset, member_id=member_id)
    data["rows"] = [r | {"mine": r["member_id"] == member_id,
                         "name": r["name"] if r["member_id"] == member_id else mask_name(r["name"])} for r in data["rows"]]
    return describe(pub, org.name) | {"sheet": data}


def on_board(org_id: int) -> list[dict]:
    """The 公示 now open that cover the organisation: of its subtree, or of an organisation above it."""
    org = get_org(org_id)
    now = utcnow()
    rows = db.session.execute(
        select(Publicity, Org.name).join(Org, Org.id == Publicity.org_id)
        .where(Publicity.opens_at <= now, Publicity.closes_at > now,
               or_(Org.path.startswith(org.path, autoescape=True), literal(org.path).startswith(Org.path)))
        .order_by(Publicity.closes_at, Publicity.id)).all()
    return [describe(p, name) for p, name in rows]


def public_detail(publicity_id: int, limit: int | None, offset: int) -> dict:
    """A 公示 as the board shows it (names masked by the schema): any 公示 is public by nature."""
    pub = get(publicity_id)
    org = get_org(pub.org_id)
    return describe(pub, org.name) | {"sheet": sheet(org, period_of(pub), limit=limit, offset=offset)}

