"""Members change without losing history (党员变动): switched off and on, transferred to another branch from
a date (组织关系转接), their type changed (转正). Each change is a dated member_change row in the transaction of
the change; the membership rows say who belonged where, when. Points stay with the member: scores are per
member and year, so a transfer moves nothing in the ledger."""
from datetime import date

from sqlalchemy import select

from points_mall.errors import DomainError, NotFound
from points_mall.extensions import db
from points_mall.people.models import Member, Org
from points_mall.year.models import MemberChange, Membership
from points_mall.people.models import MEMBER_STATUSES, MEMBER_TYPES
from points_mall.audit import trail as audit
from points_mall.board import board_cache
from points_mall.people.access import Actor, actor_names, get_org, require_org
from points_mall.common.clock import local, utcnow
from points_mall.common.records import names_of
from points_mall.common.tx import committed

STATUS_NAMES = {"active": "正常", "inactive": "停用", "transferred": "已转出"}


def today() -> date:
    return local(utcnow()).date()


def locked_member(member_id: int) -> Member:
    """The member, their row locked until the commit: two changes at once happen one after the other."""
    member = db.session.scalar(select(Member).where(Member.id == member_id).with_for_update()
                               .execution_options(populate_existing=True))
    if member is None:
        raise NotFound("unknown_member", details={"member_id": member_id})
    return member


def _not_future(effective_on: date) -> None:
    if effective_on > today():
        raise DomainError("future_date", details={"effective_on": effective_on.isoformat(),
                                                  "today": today().isoformat()})


def _record(actor: Actor, member: Member, kind: str, before, after, effective_on: date, note: str) -> None:
    db.session.add(MemberChange(member_id=member.id, kind=kind, before=str(before), after=str(after),
                                effective_on=effective_on, note=note or "", actor=actor.key, created_at=utcnow()))
    audit.record(actor, f"member.{kind}", "member", member.id, {kind: before},
                 {kind: after, "effective_on": effective_on, "note": note or ""})


def move(actor: Actor, member: Member, org_id: int, effective_on: date, note: str = "") -> None:
    """转接 inside the caller's transaction: close the open membership at effective_on, open the new one."""
    target = get_org(org_id)
    require_org(actor, "admin", target)
    if target.id == member.org_id:
        raise DomainError("same_org", details={"org_id": target.id, "org": target.name})
    if not target.active:
        raise DomainError("org_retired", details={"org_id": target.id, "org": target.name})
    _not_future(effective_on)
    current = db.session.scalar(select(Membership).where(Membership.member_id == member.id, Membership.until.is_(None))
                                .with_for_update())
    if current is not None and current.since is not None and effective_on < current.since:
        raise DomainError("before_membership", details={"since": current.since.isoformat()})
    if current is not None:
        current.until = effective_on
        db.session.flush()  # the open row is closed before the new one opens (one open row per member)
    db.session.add(Membership(member_id=member.id, org_id=target.id, since=effective_on))
    before = member.org_id
    member.org_id = target.id
    board_cache.member_changed(member, before, member.status == "active")
    _record(actor, member, "transfer", before, target.id, effective_on, note)


def retype(actor: Actor, member: Member, member_type: str, effective_on: date, note: str = "") -> None:
    """转正 and other changes of type, inside the caller's transaction."""
    if member_type not in MEMBER_TYPES:
        raise DomainError("invalid_member_type")
    if member_type == member.member_type:
        raise DomainError("same_type", details={"member_type": member_type})
    _not_future(effective_on)
    before, member.member_type = member.member_type, member_type
    _record(actor, member, "type", before, member_type, effective_on, note)


def restatus(actor: Actor, member: Member, status: str, note: str = "") -> None:
    """Switch off (inactive: no log-in, no new postings, history kept) or back on, from today."""
    if status not in MEMBER_STATUSES:
        raise DomainError("invalid_member_type")
    if status == member.status:
        raise DomainError("same_status", details={"status": STATUS_NAMES[status]})
    before, member.status = member.status, status
    board_cache.member_changed(member, member.org_id, before == "active")
    _record(actor, member, "status", before, status, today(), note)


def transfer(actor: Actor, member_id: int, org_id: int, effective_on: date | None = None, note: str = "") -> Member:
    """组织关系转接: an admin over both branches (or the whole tree) moves a member from a date."""
    with committed("conflict"):
        member = locked_member(member_id)
        require_org(actor, "admin", member.org)
        move(actor, member, org_id, effective_on or today(), note)
    return member


def change_type(actor: Actor, member_id: int, member_type: str, effective_on: date | None = None,
                note: str = "") -> Member:
    with committed("conflict"):
        member = locked_member(member_id)
        require_org(actor, "admin", member.org)
        retype(actor, member, member_type, effective_on or today(), note)
    return member


def set_status(actor: Actor, member_id: int, status: str, note: str = "") -> Member:
    with committed("conflict"):
        member = locked_member(member_id)
        require_org(actor, "admin", member.org)
        restatus(actor, member, status, note)
    return member


def history(actor: Actor, member_id: int) -> dict:
    """履历: where the member belonged when, and every dated change, oldest first, each side named."""
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound("unknown_member", details={"member_id": member_id})
    require_org(actor, "organizer", member.org)
    rows = db.session.execute(
        select(Membership, Org.name).join(Org, Org.id == Membership.org_id)
        .where(Membership.member_id == member_id).order_by(Membership.since.asc().nulls_first(), Membership.id)).all()
    changes = list(db.session.scalars(select(MemberChange).where(MemberChange.member_id == member_id)
                                      .order_by(MemberChange.effective_on, MemberChange.id)))
    org_ids = {int(v) for c in changes if c.kind == "transfer" for v in (c.before, c.after) if v.isdigit()}
    orgs = names_of(Org, org_ids)

    def label(kind: str, value: str) -> str:
        if kind == "transfer":
            return orgs.get(int(value), value) if value.isdigit() else value
        return STATUS_NAMES.get(value, value) if kind == "status" else value

    names = actor_names({c.actor for c in changes if c.actor})
    return {"member": member,
            "memberships": [{"org_id": m.org_id, "org": name, "since": m.since, "until": m.until} for m, name in rows],
            "changes": [{"id": c.id, "kind": c.kind, "before": c.before, "after": c.after,
                         "before_label": label(c.kind, c.before), "after_label": label(c.kind, c.after),
                         "effective_on": c.effective_on, "note": c.note, "actor": c.actor,
                         "actor_name": names.get(c.actor) if c.actor else None, "created_at": c.created_at}
                        for c in changes]}
