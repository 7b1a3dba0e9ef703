"""积分申报 (declarations): a member declares an item earned outside organised events under a declarable
rule, with photos as evidence; the organizer of the member's branch approves it (posting once, through
the ledger, within the rule's cap), rejects it, or returns it for more (退回补充), and the member may then
resubmit the same row. One item per member, rule and day (uq_declaration_item has the last word)."""
from contextlib import contextmanager
from datetime import date, datetime, time

from sqlalchemy import func, select, update

from points_mall.errors import Conflict, DomainError, NotFound
from points_mall.extensions import db
from points_mall.year.models import Declaration
from points_mall.people.models import Member, Org
from points_mall.points.models import Rule
from points_mall.audit import trail as audit
from points_mall.points import ledger
from points_mall.mall import uploads
from points_mall.notify import notify
from points_mall.people.access import Actor, actor_names, refuse_own, require_org, require_role
from points_mall.common.clock import local, utcnow, zone
from points_mall.common.paging import Page, Paged, page_of
from points_mall.common.records import Extended, names_of
from points_mall.common.tx import committed

MAX_PHOTOS = 6
FIELDS = ("rule_id", "occurred_on", "title", "description", "photos", "status", "note")
STATUS_NAMES = {"submitted": "待审核", "returned": "已退回", "approved": "已通过", "rejected": "未通过"}
PERIOD_NAMES = {"day": "当日", "month": "当月", "year": "本年度"}


def declarable_rules() -> list[Rule]:
    """The rules a member may declare under: active and marked declarable by an admin."""
    return list(db.session.scalars(select(Rule).where(Rule.active, Rule.declarable)
                                   .order_by(Rule.dimension, Rule.code)))


def _declarable(rule_id: int) -> Rule:
    rule = db.session.get(Rule, rule_id)
    if rule is None or not rule.active or not rule.declarable:
        raise DomainError("not_declarable", details={"rule_id": rule_id})
    return rule


def _check_item(member_id: int, occurred_on: date, photos: list[str], kept: list[str] = ()) -> list[str]:
    """The day lies in this points year and not ahead of today; every photo is one the member uploaded
    (or one the declaration already shows): another member's key is refused as if it did not exist."""
    today = local(utcnow()).date()
    if occurred_on > today:
        raise DomainError("invalid_date:future", details={"occurred_on": occurred_on.isoformat()})
    if occurred_on.year != today.year:
        raise DomainError("invalid_date:year", details={"year": today.year})
    keys = list(dict.fromkeys(photos))  # the same photo twice is one piece of evidence
    if len(keys) > MAX_PHOTOS:
        raise DomainError("too_many_photos", details={"max": MAX_PHOTOS})
    uploads.require_evidence(member_id, keys, kept)
    return keys


def _refuse_duplicate(member_id: int, rule: Rule, day: date, exclude: int | None = None) -> None:
    """409 when the member already declared this rule on this day (a clear message naming both)."""
    query = select(Declaration.id).where(Declaration.member_id == member_id, Declaration.rule_id == rule.id,
                                         Declaration.occurred_on == day)
    if exclude is not None:
        query = query.where(Declaration.id != exclude)
    earlier = db.session.scalar(query)
    if earlier is not None:
        raise Conflict("duplicate_declaration", details={
            "declaration_id": earlier, "rule": rule.name, "day": f"{day.month}月{day.day}日"})


@contextmanager
def _saving(member_id: int, rule: Rule, day: date, exclude: int | None = None):
    """committed(), with a race lost to the unique item turned into the same clear 409 as the check."""
    try:
        with committed("duplicate_declaration"):
            yield
    except DomainError as e:
        if e.code == "duplicate_declaration":
            _refuse_duplicate(member_id, rule, day, exclude)
        raise


def declare(member_id: int, rule_id: int, occurred_on: date, title: str, description: str = "",
            photos: list[str] | None = None) -> Declaration:
    """A member declares one item; the branch's organizer sees it in their inbox."""
    member = db.session.get(Member, member_id)
    if member is None or member.status != "active":
        raise DomainError("member_inactive", details={"member_id": member_id})
    rule = _declarable(rule_id)
    keys = _check_item(member_id, occurred_on, photos or [])
    _refuse_duplicate(member_id, rule, occurred_on)
    now = utcnow()
    declaration = Declaration(member_id=member_id, org_id=member.org_id, rule_id=rule.id, occurred_on=occurred_on,
                              title=title.strip(), description=description or "", photos=keys, status="submitted",
                              note="", created_at=now, updated_at=now)
    with _saving(member_id, rule, occurred_on):
        db.session.add(declaration)
        db.session.flush()
        audit.record(Actor("member", member_id), "declaration.submit", "declaration", declaration.id,
                     after=audit.snapshot(declaration, FIELDS))
        notify.emit("declaration_submitted", "积分申报已提交", f"{rule.name}：{declaration.title}，等待支部审核",
                    member_id=member_id, data={"declaration_id": declaration.id})
    return declaration


def resubmit(member_id: int, declaration_id: int, rule_id: int, occurred_on: date, title: str,
             description: str = "", photos: list[str] | None = None) -> Declaration:
    """A returned declaration, completed by the member and sent again: the same row, back to submitted."""
    declaration = mine(member_id, declaration_id)
    if declaration.status != "returned":
        raise Conflict("not_returned", details={"status": declaration.status})
    rule = _declarable(rule_id)
    keys = _check_item(member_id, occurred_on, photos or [], kept=declaration.photos)
    _refuse_duplicate(member_id, rule, occurred_on, exclude=declaration_id)
    before = audit.snapshot(declaration, FIELDS)
    with _saving(member_id, rule, occurred_on, exclude=declaration_id):
        # Guarded: a resubmission sent twice at once moves the row once.
        moved = db.session.execute(
            update(Declaration).where(Declaration.id == declaration_id, Declaration.status == "returned")
            .values(rule_id=rule.id, occurred_on=occurred_on, title=title.strip(), description=description or "",
                    photos=keys, status="submitted", decided_by=None, decided_at=None, updated_at=utcnow())
        ).rowcount
        if moved != 1:
            raise Conflict("not_returned")
        db.session.refresh(declaration)
        audit.record(Actor("member", member_id), "declaration.resubmit", "declaration", declaration_id, before,
                     audit.snapshot(declaration, FIELDS))
        notify.emit("declaration_submitted", "积分申报已重新提交", f"{rule.name}：{declaration.title}，等待支部审核",
                    member_id=member_id, data={"declaration_id": declaration_id})
    return declaration


def mine(member_id: int, declaration_id: int) -> Declaration:
    declaration = db.session.get(Declaration, declaration_id)
    if declaration is None or declaration.member_id != member_id:
        raise NotFound("unknown_declaration", details={"declaration_id": declaration_id})
    return declaration


def my_page(member_id: int, status: str | None, page: Page) -> Paged:
    """A page of the member's own declarations, newest first."""
    where = [Declaration.member_id == member_id] + ([Declaration.status == status] if status else [])
    found = page_of(select(Declaration).where(*where).order_by(Declaration.created_at.desc(), Declaration.id.desc()),
                    page)
    found.items = described(found.items)
    return found


def inbox(actor: Actor, status: str | None, page: Page) -> Paged:
    """Declarations of the branches in the organizer's subtrees: waiting ones oldest first (first come,
    first decided), the others newest decision first."""
    require_role(actor, "organizer")
    where = [actor.org_scope("organizer")] + ([Declaration.status == status] if status else [])
    base = select(Declaration).join(Org, Declaration.org_id == Org.id).where(*where)
    order = ((Declaration.status != "submitted"), Declaration.updated_at.desc(), Declaration.id.desc()) \
        if status != "submitted" else (Declaration.created_at, Declaration.id)
    found = page_of(base.order_by(*order), page)
    found.items = described(found.items)
    return found


def counts(actor: Actor) -> dict[str, int]:
    """How many declarations in scope stand in each status (the console's tabs)."""
    require_role(actor, "organizer")
    rows = db.session.execute(select(Declaration.status, func.count()).join(Org, Declaration.org_id == Org.id)
                              .where(actor.org_scope("organizer")).group_by(Declaration.status)).all()
    return {status: 0 for status in STATUS_NAMES} | dict(rows)


def for_staff(actor: Actor, declaration_id: int) -> Declaration:
    """One declaration, for an organizer (or admin) whose subtree holds the member's branch."""
    require_role(actor, "organizer")
    declaration = db.session.get(Declaration, declaration_id)
    if declaration is None:
        raise NotFound("unknown_declaration", details={"declaration_id": declaration_id})
    require_org(actor, "organizer", db.session.get(Org, declaration.org_id))
    return declaration


def _decide(actor: Actor, declaration_id: int, status: str, note: str) -> tuple[Declaration, Rule]:
    declaration = for_staff(actor, declaration_id)
    refuse_own(actor, [declaration.member_id], "self_approval")  # under either of their log-ins
    # The guarded UPDATE: of two organizers deciding at once, exactly one moves it out of submitted;
    # the other waits for the row, then finds it decided.
    moved = db.session.execute(
        update(Declaration).where(Declaration.id == declaration_id, Declaration.status == "submitted")
        .values(status=status, note=note, decided_by=actor.key, decided_at=utcnow(), updated_at=utcnow())
    ).rowcount
    if moved != 1:
        raise Conflict("not_pending:declaration")
    db.session.refresh(declaration)
    return declaration, db.session.get(Rule, declaration.rule_id)


def _moment(day: date) -> datetime:
    """The posting's time: noon of the declared day, local, so it falls in that day, month and year (for the
    cap's period and final periods); a day declared today is dated now, never ahead of the clock."""
    return min(datetime.combine(day, time(12), zone()), utcnow())


def approve(actor: Actor, declaration_id: int, note: str = "") -> Declaration:
    """Approve and post the rule's points once (key declaration:{id}), dated on the declared day and within
    the rule's cap for that period; a cap with no room left refuses and changes nothing."""
    note = (note or "").strip()
    with committed("not_pending:declaration"):
        declaration, rule = _decide(actor, declaration_id, "approved", note)
        # The ledger refuses what it must (a retired rule, a member switched off, a final period): the
        # refusal rolls the decision back with everything else.
        entry = ledger.apply_rule([declaration.member_id], rule, key=f"declaration:{declaration.id}",
                                  source=("declaration", declaration.id), actor=actor.key,
                                  reason=f"申报：{declaration.title}",
                                  occurred_at=_moment(declaration.occurred_on)).get(declaration.member_id)
        if entry is None:
            raise Conflict("cap_reached", details={"rule": rule.name, "cap": rule.cap,
                                                   "period": PERIOD_NAMES.get(rule.cap_period, "")})
        declaration.points, declaration.entry_id = entry.delta_score, entry.id
        verb = "获得" if entry.delta_score > 0 else "扣除"
        notify.emit("points_changed", "积分申报已通过",
                    f"{rule.name}：{declaration.title}，{verb}{abs(entry.delta_score)}分",
                    member_id=declaration.member_id, data={"declaration_id": declaration.id, "entry_id": entry.id})
        audit.record(actor, "declaration.approve", "declaration", declaration.id, {"status": "submitted"},
                     {"status": "approved", "note": note, "points": entry.delta_score, "entry_id": entry.id,
                      "member_id": declaration.member_id})
    return declaration


def _close(actor: Actor, declaration_id: int, status: str, note: str) -> Declaration:
    """Reject (未通过) or return for more (退回补充), with the reason the member will read."""
    note = (note or "").strip()
    if not note:
        raise DomainError("reason_required")
    with committed("not_pending:declaration"):
        declaration, rule = _decide(actor, declaration_id, status, note)
        title, body = ("积分申报未通过", f"{rule.name}：{declaration.title}。原因：{note}") if status == "rejected" else \
            ("积分申报被退回，请补充", f"{rule.name}：{declaration.title}。需补充：{note}")
        notify.emit(f"declaration_{status}", title, body, member_id=declaration.member_id,
                    data={"declaration_id": declaration.id})
        audit.record(actor, f"declaration.{'reject' if status == 'rejected' else 'return'}", "declaration",
                     declaration.id, {"status": "submitted"},
                     {"status": status, "note": note, "member_id": declaration.member_id})
    return declaration


def reject(actor: Actor, declaration_id: int, note: str) -> Declaration:
    return _close(actor, declaration_id, "rejected", note)


def send_back(actor: Actor, declaration_id: int, note: str) -> Declaration:
    return _close(actor, declaration_id, "returned", note)


def described(found) -> list[Extended]:
    """Declarations as the member and the organizer read them: with the member's, the branch's and the
    rule's names and who decided (a few queries for a whole page)."""
    members = names_of(Member, (d.member_id for d in found))
    orgs = names_of(Org, (d.org_id for d in found))
    rule_ids = {d.rule_id for d in found}
    rules = {r.id: r for r in db.session.scalars(select(Rule).where(Rule.id.in_(rule_ids)))} if rule_ids else {}
    deciders = actor_names({d.decided_by for d in found if d.decided_by})
    return [Extended(d, member_name=members.get(d.member_id), org_name=orgs.get(d.org_id),
                     rule_name=rules[d.rule_id].name, rule_points=rules[d.rule_id].points,
                     dimension=rules[d.rule_id].dimension,
                     decided_by_name=deciders.get(d.decided_by) if d.decided_by else None) for d in found]


def describe(declaration: Declaration) -> Extended:
    return described([declaration])[0]
