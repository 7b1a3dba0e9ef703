"""Manual awards and deductions by organizers (积分申报), for one member or a whole list."""
from types import SimpleNamespace

from sqlalchemy import Integer, bindparam, case, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from points_mall.errors import Conflict, DomainError, Forbidden, NotFound
from points_mall.extensions import db
from points_mall.points.models import Award, AwardLine, Rule
from points_mall.people.models import Member, Org
from points_mall.audit import trail as audit
from points_mall.notify import notify
from points_mall.points import ledger, notices, rules
from points_mall.people.access import Actor, actor_names, refuse_own, require_members, same_person
from points_mall.common.clock import utcnow
from points_mall.common import tx
from points_mall.common.records import Extended, names_of
from points_mall.common.tx import committed

MAX_MEMBERS = 500


def get_rule(code: str) -> Rule:
    rule = db.session.scalar(select(Rule).where(Rule.code == code))
    if rule is None:
        raise DomainError("unknown_rule", details={"rule_code": code})
    return rules.require_active(rule)


def load_members(member_ids: list[int]) -> list[Member]:
    ids = sorted(set(member_ids))
    if not ids:
        raise DomainError("no_members")
    if len(ids) > MAX_MEMBERS:
        raise DomainError("too_many_members", details={"max": MAX_MEMBERS})
    members = db.session.scalars(select(Member).options(joinedload(Member.org)).where(Member.id.in_(ids))).all()
    missing = sorted(set(ids) - {m.id for m in members})
    if missing:
        raise NotFound("unknown_member", details={"member_ids": missing})
    inactive = [m for m in members if m.status != "active"]
    if inactive:
        raise DomainError("member_inactive:status", details={"member_ids": [m.id for m in inactive],
                                                             "names": "、".join(m.name for m in inactive)})
    return sorted(members, key=lambda m: m.id)


def rule_and_members(rule_code: str, member_ids: list[int]):
    """get_rule and load_members in one query of plain columns when all is well (an award for one member
    is the common case, and loading three ORM entities for it cost more than the query); when not, their
    own queries say what is wrong."""
    ids = sorted(set(member_ids))
    if ids and len(ids) <= MAX_MEMBERS:
        rows = db.session.execute(_RULE_AND_MEMBERS, {"code": rule_code, "ids": ids}).all()
        if rows and rows[0].active and len(rows) == len(ids) and all(r.member_status == "active" for r in rows):
            rule = SimpleNamespace(**{f: getattr(rows[0], f) for f in _RULE_FIELDS})
            return rule, [SimpleNamespace(id=r.member_id, name=r.member_name, status=r.member_status,
                                          org=SimpleNamespace(id=r.org_id, path=r.org_path)) for r in rows]
    return get_rule(rule_code), load_members(member_ids)


_RULE_FIELDS = ("id", "code", "name", "dimension", "points", "needs_approval", "cap", "cap_period", "version",
                "active")
_RULE_AND_MEMBERS = text(
    "SELECT " + ", ".join(f"r.{f}" for f in _RULE_FIELDS) + ", m.id AS member_id, m.name AS member_name, "
    "m.status AS member_status, o.id AS org_id, o.path AS org_path "
    "FROM rule r JOIN member m ON m.id IN :ids JOIN org o ON o.id = m.org_id "
    "WHERE r.code = :code ORDER BY m.id"
).bindparams(bindparam("ids", expanding=True)).columns(**{f: getattr(Rule, f).type for f in _RULE_FIELDS})


def propose(actor: Actor, member_ids: list[int], rule_code: str, reason: str,
            idempotency_key: str | None = None) -> Award:
    """Award a rule to members: applied at once, or pending when the rule needs approval.
    A retried Idempotency-Key returns the first award; the same key for another award is refused."""
    idempotency_key = tx.idempotency_key(idempotency_key, required=False)
    if idempotency_key:
        earlier = db.session.scalar(select(Award).where(Award.idempotency_key == f"{actor.key}:{idempotency_key}"))
        if earlier is not None:
            return _same_request(earlier, member_ids, rule_code, reason)
    rule, members = rule_and_members(rule_code, member_ids)
    require_members(actor, "organizer", members)
    refuse_own(actor, [m.id for m in members], "own_points:award")
    at_once = not rule.needs_approval
    award = Award(rule_id=rule.id, reason=reason, proposer=actor.key, status="applied" if at_once else "pending",
                  decided_by=actor.key if at_once else None, decided_at=utcnow() if at_once else None,
                  idempotency_key=f"{actor.key}:{idempotency_key}" if idempotency_key else None)
    if not at_once:  # else the posting statement writes the lines
        award.lines = [AwardLine(member_id=m.id) for m in members]
    db.session.add(award)
    try:
        db.session.flush()
    except IntegrityError:  # the same request, sent twice at once: the first one stands
        db.session.rollback()
        earlier = db.session.scalar(select(Award).where(Award.idempotency_key == award.idempotency_key))
        return _same_request(earlier, member_ids, rule_code, reason)
    with committed("duplicate_award"):
        if at_once:
            _apply(award, rule, [m.id for m in members])
    return award


def _same_request(earlier: Award, member_ids: list[int], rule_code: str, reason: str) -> Award:
    rule_id = db.session.scalar(select(Rule.id).where(Rule.code == rule_code))
    if (earlier.rule_id, earlier.reason or "", {l.member_id for l in earlier.lines}) != (
            rule_id, reason or "", set(member_ids)):
        raise DomainError("idempotency_key_reused", details={"award_id": earlier.id})
    return earlier


def _apply(award: Award, rule: Rule, member_ids: list[int]) -> None:
    """Post the rule to every member of the award at once, with each line's outcome and each member's
    notification: one statement (locks taken in member-id order)."""
    verb = "获得" if rule.points > 0 else "扣除"
    ledger.apply_rule(member_ids, rule, key_prefix=f"award:{award.id}:", source=("award", award.id),
                      actor=award.proposer, reason=award.reason, rows=_lines_and_notices,
                      params={"award_id": award.id,
                              **notices.notice(f"积分{verb}", f"{rule.name}：{verb}", {"award_id": award.id})})


def _lines_and_notices(parts: ledger.Parts) -> ledger.Rows:
    """The award's lines (written, or updated when approved) with each member's outcome, and the notices."""
    locked, plan = parts.locked, parts.plan
    outcome = select(bindparam("award_id", type_=Integer), locked.c.member_id, func.coalesce(plan.c.delta_score, 0),
                     case((plan.c.member_id.is_(None), "cap_reached"), else_="applied"))
    lines = insert(AwardLine).from_select(
        ["award_id", "member_id", "points", "outcome"],
        outcome.select_from(locked.outerjoin(plan, plan.c.member_id == locked.c.member_id)).order_by(locked.c.member_id))
    lines = lines.on_conflict_do_update(index_elements=["award_id", "member_id"],
                                        set_={"points": lines.excluded.points, "outcome": lines.excluded.outcome})
    return ledger.Rows((lines.cte("lines"), notices.points_changed(parts)))


def _decide(actor: Actor, award_id: int, status: str, note: str) -> tuple[Award, Rule]:
    award = db.session.get(Award, award_id)
    if award is None:
        raise NotFound("unknown_award", details={"award_id": award_id})
    if same_person(actor, award.proposer):
        raise Forbidden("self_approval")
    refuse_own(actor, [line.member_id for line in award.lines], "self_approval:beneficiary")
    require_members(actor, "organizer", db.session.scalars(
        select(Member).options(joinedload(Member.org))
        .where(Member.id.in_([line.member_id for line in award.lines]))).all())
    # The guarded UPDATE: of two approvers racing, exactly one moves the award out of pending.
    moved = db.session.execute(
        update(Award).where(Award.id == award_id, Award.status == "pending")
        .values(status=status, decided_by=actor.key, decided_at=utcnow(), decision_note=note)
    ).rowcount
    if moved != 1:
        raise Conflict("not_pending:award")
    db.session.refresh(award)
    audit.record(actor, f"award.{'approve' if status == 'applied' else 'reject'}", "award", award.id,
                 {"status": "pending"}, {"status": status, "decision_note": note,
                                         "member_ids": [line.member_id for line in award.lines]})
    return award, db.session.get(Rule, award.rule_id)


def approve(actor: Actor, award_id: int, note: str = "") -> Award:
    with committed("not_pending"):
        award, rule = _decide(actor, award_id, "applied", note)
        rules.require_active(rule)  # retired while it waited: nothing is posted, the award stays pending
        _apply(award, rule, [line.member_id for line in award.lines])
    return award


def reject(actor: Actor, award_id: int, note: str = "") -> Award:
    with committed("not_pending"):
        award, rule = _decide(actor, award_id, "rejected", note)
        for line in award.lines:
            notify.emit("award_rejected", "积分申报未通过", f"{rule.name}：{note or '未通过审批'}",
                        member_id=line.member_id, data={"award_id": award.id})
    return award


def pending(actor: Actor) -> list[Award]:
    """Pending awards whose every member the actor covers, so they may decide them."""
    outside = select(Member.id).join(Org).where(~actor.org_scope("organizer"))
    return list(db.session.scalars(select(Award).options(selectinload(Award.lines)).where(
        Award.status == "pending", ~Award.lines.any(AwardLine.member_id.in_(outside))).order_by(Award.id)))


def described(found) -> list[Extended]:
    """Awards as the approver reads them: the rule's and the proposer's names, each line's member named."""
    rule_names = names_of(Rule, (a.rule_id for a in found))
    members = names_of(Member, (line.member_id for a in found for line in a.lines))
    proposers = actor_names({a.proposer for a in found})
    return [Extended(a, rule_name=rule_names.get(a.rule_id), proposer_name=proposers.get(a.proposer, a.proposer),
                     lines=[Extended(line, name=members.get(line.member_id)) for line in a.lines]) for a in found]


def describe(award: Award) -> Extended:
    return described([award])[0]
