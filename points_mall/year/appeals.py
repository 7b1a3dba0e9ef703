"""积分申诉: during a 公示 window a member objects to an entry of theirs, or to an award that is missing;
the organizer corrects through the ledger (once: a guarded UPDATE from open) or refuses with a reason.
No one resolves their own appeal; a correction beyond what the appealed item gave or took (or its rule's
points) waits for a second organizer; one appeal per 公示, member and item, open or closed."""
from datetime import timedelta

from sqlalchemy import func, select, update

from points_mall.errors import Conflict, DomainError, Forbidden, NotFound
from points_mall.extensions import db
from points_mall.year.models import Appeal, Publicity
from points_mall.points.models import LedgerEntry, Rule
from points_mall.people.models import Member, Org
from points_mall.audit import trail as audit
from points_mall.notify import notify
from points_mall.people.access import Actor, get_org, refuse_own, require_org, require_role, same_person
from points_mall.common.clock import local, utcnow
from points_mall.common.paging import Page, Paged, page_of
from points_mall.points.corrections import adjust
from points_mall.year.periods import final_for, moment
from points_mall.year.publicity import belonged, get as get_publicity, period_of
from points_mall.common.storage import KEY, storage
from points_mall.mall import uploads
from points_mall.common.tx import committed

MAX_PHOTOS = 6


def lodge(member_id: int, publicity_id: int, *, entry_id: int | None, rule_id: int | None, reason: str,
          photos: list[str]) -> Appeal:
    pub = get_publicity(publicity_id)
    if not belonged(member_id, pub):
        raise DomainError("not_in_publicity", details={"publicity_id": publicity_id})
    now = utcnow()
    if not pub.opens_at <= now < pub.closes_at:
        raise DomainError("appeal_window_closed", details={
            "publicity_id": pub.id, "closes_at": local(pub.closes_at).strftime("%Y年%m月%d日 %H:%M")})
    if (entry_id is None) == (rule_id is None):
        raise DomainError("invalid_appeal")
    if entry_id is not None:
        _check_entry(member_id, pub, entry_id)
    elif db.session.get(Rule, rule_id) is None:
        raise NotFound("unknown_rule", details={"rule_id": rule_id})
    if len(photos) > MAX_PHOTOS or not all(KEY.match(p) for p in photos):
        raise DomainError("invalid_photos", details={"max": MAX_PHOTOS})
    uploads.require_evidence(member_id, photos)
    _refuse_duplicate(member_id, pub.id, entry_id, rule_id)
    appeal = Appeal(publicity_id=pub.id, member_id=member_id, entry_id=entry_id, rule_id=rule_id, reason=reason,
                    photos=list(photos), status="open", resolution="", created_at=now)
    try:
        with committed("duplicate_appeal"):
            _add(appeal, pub, reason, len(photos))
    except DomainError as e:
        if e.code == "duplicate_appeal":  # a race lost to uq_appeal_*: the same clear answer as the check
            _refuse_duplicate(member_id, pub.id, entry_id, rule_id)
        raise
    return appeal


def _refuse_duplicate(member_id: int, publicity_id: int, entry_id: int | None, rule_id: int | None) -> None:
    """409 when the member already appealed this item on this 公示, whatever became of it."""
    same = db.session.execute(select(Appeal.id, Appeal.status).where(
        Appeal.publicity_id == publicity_id, Appeal.member_id == member_id,
        Appeal.entry_id == entry_id if entry_id is not None else
        (Appeal.entry_id.is_(None) & (Appeal.rule_id == rule_id)))).first()
    if same:
        raise Conflict("duplicate_appeal" if same.status in ("open", "pending") else "duplicate_appeal:closed",
                       details={"appeal_id": same.id})


def _add(appeal: Appeal, pub: Publicity, reason: str, photos: int) -> None:
    db.session.add(appeal)
    db.session.flush()
    audit.record(Actor("member", appeal.member_id), "appeal.lodge", "appeal", appeal.id, None,
                 {"publicity_id": pub.id, "entry_id": appeal.entry_id, "rule_id": appeal.rule_id, "reason": reason,
                  "photos": photos})
    kind, _, ident = pub.published_by.partition(":")
    if kind == "staff" and ident.isdigit():
        notify.emit("appeal_lodged", "收到积分申诉", f"{pub.title}：{reason[:60]}", staff_id=int(ident),
                    data={"appeal_id": appeal.id, "publicity_id": pub.id})


def _check_entry(member_id: int, pub: Publicity, entry_id: int) -> LedgerEntry:
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or entry.member_id != member_id:
        raise NotFound("unknown_entry", details={"entry_id": entry_id})
    if not moment(pub.period_start) <= entry.occurred_at < moment(pub.period_end):
        raise DomainError("entry_not_in_period", details={"entry_id": entry_id})
    if entry.dimension is None or entry.delta_score == 0:
        raise DomainError("invalid_appeal:entry", details={"entry_id": entry_id})
    return entry


def inbox(actor: Actor, page: Page, publicity_id: int | None = None, status: str | None = None) -> Paged:
    """A page of the appeals on the 公示 of organisations the organizer covers, open and pending ones first."""
    require_role(actor, "organizer")
    query = (select(Appeal).join(Publicity, Publicity.id == Appeal.publicity_id)
             .join(Org, Org.id == Publicity.org_id).where(actor.org_scope("organizer")))
    if publicity_id is not None:
        query = query.where(Appeal.publicity_id == publicity_id)
    if status:
        query = query.where(Appeal.status == status)
    found = page_of(query.order_by(Appeal.status.notin_(("open", "pending")), Appeal.id.desc()), page)
    found.items = [describe(a) for a in found.items]
    return found


def my_entries(member_id: int, publicity_id: int) -> list[LedgerEntry]:
    """The member's score entries dated inside the 公示's period, newest first (what an appeal may name)."""
    pub = get_publicity(publicity_id)
    if not belonged(member_id, pub):
        raise DomainError("not_in_publicity", details={"publicity_id": publicity_id})
    return list(db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.member_id == member_id, LedgerEntry.delta_score != 0,
        LedgerEntry.occurred_at >= moment(pub.period_start), LedgerEntry.occurred_at < moment(pub.period_end))
        .order_by(LedgerEntry.occurred_at.desc(), LedgerEntry.id.desc()).limit(500)))


def awardable_rules(member_id: int, publicity_id: int) -> list[Rule]:
    """The active rules that award points: what a 漏记 appeal may name."""
    if not belonged(member_id, get_publicity(publicity_id)):
        raise DomainError("not_in_publicity", details={"publicity_id": publicity_id})
    return list(db.session.scalars(select(Rule).where(Rule.active, Rule.points > 0)
                                   .order_by(Rule.dimension, Rule.code)))


def mine(member_id: int, limit: int = 100) -> list[Appeal]:
    return list(db.session.scalars(select(Appeal).where(Appeal.member_id == member_id)
                                   .order_by(Appeal.id.desc()).limit(limit)))


def _resolvable(actor: Actor, appeal_id: int, *statuses: str) -> tuple[Appeal, Publicity]:
    """The appeal, for an organizer covering its 公示 who is not the appellant (under any of their log-ins)."""
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound("unknown_appeal", details={"appeal_id": appeal_id})
    pub = get_publicity(appeal.publicity_id)
    require_org(actor, "organizer", get_org(pub.org_id))
    refuse_own(actor, [appeal.member_id], "own_points:appeal")
    if appeal.status not in (statuses or ("open",)):
        raise Conflict("not_pending:appeal", details={"appeal_id": appeal_id})
    return appeal, pub


def _move(actor: Actor, appeal: Appeal, status: str, resolution: str, *, since: tuple[str, ...] = ("open",)) -> None:
    """Resolve the appeal: by whom and when, with its status and resolution."""
    _advance(appeal, since, status=status, resolution=resolution, resolved_by=actor.key, resolved_at=utcnow())


def _advance(appeal: Appeal, since: tuple[str, ...], **values) -> None:
    """The guarded UPDATE: of two organizers acting at once, exactly one moves the appeal on from `since`
    (the other waits for its row lock, then finds it moved)."""
    moved = db.session.execute(
        update(Appeal).where(Appeal.id == appeal.id, Appeal.status.in_(since)).values(**values)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise Conflict("not_pending:appeal", details={"appeal_id": appeal.id})


def bound(appeal: Appeal) -> tuple[int, int]:
    """(the most the item's corrections may move in all, what earlier appeals about it already moved).
    An entry: what it gave or took, or its rule's points if more; a missing award: the rule's points."""
    if appeal.entry_id is None:
        return abs(db.session.get(Rule, appeal.rule_id).points), 0
    entry = db.session.get(LedgerEntry, appeal.entry_id)
    rule = db.session.get(Rule, entry.rule_id) if entry.rule_id else None
    earlier = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.delta_score), 0))
        .join(Appeal, Appeal.correction_entry_id == LedgerEntry.id)
        .where(Appeal.entry_id == entry.id, Appeal.id != appeal.id))
    return max(abs(entry.delta_score), abs(rule.points) if rule else 0), earlier


def correct(actor: Actor, appeal_id: int, delta: int | None, resolution: str = "") -> Appeal:
    """Correct through the ledger: an `adjust` entry of delta in the appealed entry's dimension, or the
    missing rule's points (delta may override), dated inside the period, key appeal:{id}. A delta that takes
    the item's corrections beyond its bound is only proposed: the appeal waits (pending) for a second
    organizer's `approve`. After the window the period is final: the entry is then flagged a late
    correction, as an appeal lodged in time may still be resolved."""
    appeal, pub = _resolvable(actor, appeal_id)
    if appeal.entry_id is not None and not delta:
        raise DomainError("invalid_points")
    delta = delta or db.session.get(Rule, appeal.rule_id).points
    resolution = resolution or "经核实，予以更正"
    limit, earlier = bound(appeal)
    with committed("not_pending"):
        if abs(earlier + delta) > limit:
            _propose(actor, appeal, pub, delta, resolution, limit)
        else:
            _move(actor, appeal, "corrected", resolution)
            _post(actor, appeal, pub, delta, resolution)
    db.session.refresh(appeal)
    return appeal


def _propose(actor: Actor, appeal: Appeal, pub: Publicity, delta: int, resolution: str, limit: int) -> None:
    """Open → pending: the correction waits for a second organizer (maker-checker)."""
    _advance(appeal, ("open",), status="pending", resolution=resolution, proposed_delta=delta, proposed_by=actor.key)
    audit.record(actor, "appeal.propose", "appeal", appeal.id, {"status": "open"},
                 {"status": "pending", "proposed_delta": delta, "bound": limit, "resolution": resolution})


def approve(actor: Actor, appeal_id: int) -> Appeal:
    """A second organizer (not the one who proposed it, not the appellant) posts a pending correction."""
    appeal, pub = _resolvable(actor, appeal_id, "pending")
    if same_person(actor, appeal.proposed_by):
        raise Forbidden("self_approval:appeal", details={"appeal_id": appeal_id})
    with committed("not_pending"):
        _move(actor, appeal, "corrected", appeal.resolution, since=("pending",))
        _post(actor, appeal, pub, appeal.proposed_delta, appeal.resolution)
    db.session.refresh(appeal)
    return appeal


def _post(actor: Actor, appeal: Appeal, pub: Publicity, delta: int, resolution: str) -> None:
    """The correction's ledger entry, audit row and the member's notice (inside the caller's transaction)."""
    rule = None
    if appeal.entry_id is not None:
        entry = db.session.get(LedgerEntry, appeal.entry_id)
        dimension, occurred_at = entry.dimension, entry.occurred_at
    else:
        rule = db.session.get(Rule, appeal.rule_id)
        dimension = rule.dimension
        occurred_at = moment(pub.period_end) - timedelta(seconds=1)  # the period's last moment
    late = bool(final_for([appeal.member_id], occurred_at))
    entry = adjust(appeal.member_id, delta, dimension=dimension, key=f"appeal:{appeal.id}",
                   source=("appeal", appeal.id), actor=actor.key, reason=f"申诉更正：{resolution}",
                   occurred_at=occurred_at, late_correction=late, rule=rule)
    db.session.execute(update(Appeal).where(Appeal.id == appeal.id).values(correction_entry_id=entry.id)
                       .execution_options(synchronize_session=False))
    audit.record(actor, "appeal.correct", "appeal", appeal.id, {"status": appeal.status},
                 {"status": "corrected", "resolution": resolution, "entry_id": entry.id, "delta_score": delta,
                  "dimension": dimension, "late_correction": late, "proposed_by": appeal.proposed_by})
    notify.emit("appeal_resolved", "积分申诉已更正", f"{pub.title}：{resolution}，积分{delta:+d}分",
                member_id=appeal.member_id, data={"appeal_id": appeal.id, "entry_id": entry.id})


def refuse(actor: Actor, appeal_id: int, resolution: str) -> Appeal:
    """Refuse with a reason, an open appeal or a correction waiting for approval."""
    appeal, pub = _resolvable(actor, appeal_id, "open", "pending")
    with committed("not_pending"):
        _move(actor, appeal, "refused", resolution, since=("open", "pending"))
        audit.record(actor, "appeal.refuse", "appeal", appeal.id, {"status": appeal.status},
                     {"status": "refused", "resolution": resolution})
        notify.emit("appeal_resolved", "积分申诉未予更正", f"{pub.title}：{resolution}",
                    member_id=appeal.member_id, data={"appeal_id": appeal.id})
    db.session.refresh(appeal)
    return appeal


def describe(appeal: Appeal) -> dict:
    """An appeal with what a reader needs: the member, the entry or rule, the 公示's period."""
    pub = db.session.get(Publicity, appeal.publicity_id)
    member = db.session.get(Member, appeal.member_id)
    entry = db.session.get(LedgerEntry, appeal.entry_id) if appeal.entry_id else None
    rule = db.session.get(Rule, appeal.rule_id or (entry.rule_id if entry else None) or 0)
    correction = db.session.get(LedgerEntry, appeal.correction_entry_id) if appeal.correction_entry_id else None
    return {"id": appeal.id, "publicity_id": pub.id, "publicity": pub.title, "label": period_of(pub).label,
            "closes_at": pub.closes_at, "member_id": member.id, "member": member.name, "kind":
            "entry" if entry else "missing", "entry": entry, "rule_id": appeal.rule_id,
            "rule": rule.name if rule else None, "dimension": entry.dimension if entry else (rule.dimension if rule else None),
            "reason": appeal.reason, "photos": [{"key": k, "url": storage().url(k)} for k in appeal.photos or []],
            "status": appeal.status, "resolution": appeal.resolution, "resolved_at": appeal.resolved_at,
            "proposed_delta": appeal.proposed_delta,
            "created_at": appeal.created_at,
            "correction": {"id": correction.id, "delta_score": correction.delta_score,
                           "late_correction": correction.late_correction} if correction else None}
