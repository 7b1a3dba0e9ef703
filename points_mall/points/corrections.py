"""Corrections through the ledger: `adjust` entries for an appeal's outcome and an admin's late correction
(迟到更正) dated inside a period already final."""
from datetime import datetime, time

from sqlalchemy import select

from points_mall.errors import DomainError, NotFound
from points_mall.extensions import db
from points_mall.points.models import LedgerEntry
from points_mall.people.models import Member
from points_mall.audit import trail as audit
from points_mall.notify import notify
from points_mall.people.access import Actor, refuse_own, require_org
from points_mall.common.clock import utcnow, zone
from points_mall.points.ledger import lock_balance, post
from points_mall.year.periods import final_for
from points_mall.common.tx import committed


def adjust(member_id: int, delta: int, *, dimension: str, key: str, source: tuple[str, int | None], actor: str,
           reason: str, occurred_at: datetime, late_correction: bool, rule=None) -> LedgerEntry:
    """A score correction; the spendable balance moves with it as an award or deduction would
    (a lowering takes only what is spendable). Runs inside the caller's transaction."""
    spendable = lock_balance(member_id)
    delta_spendable = delta if delta > 0 else -min(-delta, spendable)
    entry = LedgerEntry(member_id=member_id, kind="adjust", dimension=dimension, delta_score=delta,
                        delta_spendable=delta_spendable, idempotency_key=key, source_type=source[0],
                        source_id=source[1], actor=actor, reason=reason, occurred_at=occurred_at,
                        rule_id=rule.id if rule is not None else None,
                        rule_version=rule.version if rule is not None else None, late_correction=late_correction)
    post(entry)
    return entry


def late_correction(actor: Actor, member_id: int, dimension: str, delta: int, occurred_on, reason: str,
                    idempotency_key: str | None = None) -> LedgerEntry:
    """An admin records a posting dated inside a final period: an `adjust` entry flagged late_correction."""
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound("unknown_member", details={"member_id": member_id})
    require_org(actor, "admin", member.org)
    refuse_own(actor, [member_id], "own_points:correction")
    if delta == 0:
        raise DomainError("invalid_points")
    key = f"late:{actor.key}:{idempotency_key}" if idempotency_key else None
    if key:
        earlier = db.session.scalar(select(LedgerEntry).where(LedgerEntry.idempotency_key == key))
        if earlier is not None:
            if (earlier.member_id, earlier.delta_score, earlier.dimension) != (member_id, delta, dimension):
                raise DomainError("idempotency_key_reused", details={"entry_id": earlier.id})
            return earlier
    occurred_at = datetime.combine(occurred_on, time(12), zone())  # noon: the day whatever the zone
    if not final_for([member_id], occurred_at):
        raise DomainError("period_not_final", details={"date": occurred_on.isoformat()})
    with committed("idempotency_key_reused"):
        entry = adjust(member_id, delta, dimension=dimension, key=key or f"late:{actor.key}:{utcnow().timestamp()}",
                       source=("late_correction", None), actor=actor.key, reason=reason, occurred_at=occurred_at,
                       late_correction=True)
        audit.record(actor, "ledger.late_correction", "ledger_entry", entry.id, None,
                     {"member_id": member_id, "dimension": dimension, "delta_score": delta,
                      "delta_spendable": entry.delta_spendable, "occurred_on": occurred_on, "reason": reason})
        notify.emit("points_changed", "积分更正", f"{occurred_on:%Y年%m月%d日}的积分更正：{delta:+d}分（{reason}）",
                    member_id=member_id, data={"entry_id": entry.id})
    return entry

