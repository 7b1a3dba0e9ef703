"""The points ledger (积分台账): every change to a member's points is an entry here.

Posting functions run inside the caller's transaction and never commit; the
use case that called them commits once at its end.
"""
from datetime import datetime
from functools import lru_cache

from sqlalchemy import and_, func, or_, select, text

from points_mall.errors import Conflict, DomainError, NotFound
from points_mall.extensions import db
from points_mall.points.models import Balance, LedgerEntry, Rule, Score
from points_mall.people.models import Member
from points_mall.points.models import DIMENSIONS
from points_mall.audit import trail as audit
from points_mall.board import board_cache
from points_mall.year import periods
from points_mall.people.access import Actor, require_root
from points_mall.common.clock import local_year, period_bounds, utcnow
from points_mall.points.posting import refuse_inactive, refuse_retired
from points_mall.common.tx import committed


def insufficient_points(needed: int, spendable: int | None = None) -> DomainError:
    return DomainError("insufficient_points", details={"needed": needed, "spendable": spendable})


def open_balance(member_id: int) -> None:
    """Every member has a balance row from the start, so postings only ever UPDATE it."""
    db.session.add(Balance(member_id=member_id, spendable=0))


def lock_balance(member_id: int) -> int:
    """Serialise postings for one member (row lock on PostgreSQL) and return the spendable balance."""
    spendable = db.session.execute(
        select(Balance.spendable).where(Balance.member_id == member_id).with_for_update()
    ).scalar_one_or_none()
    if spendable is None:
        raise NotFound("unknown_member", details={"member_id": member_id})
    return spendable


def write(member_id: int, *, kind: str, delta_score: int, delta_spendable: int, key: str,
          dimension: str | None = None, rule_id: int | None = None, rule_version: int | None = None,
          source: tuple[str | None, int | None] = (None, None), actor: str | None = None, reason: str = "",
          occurred_at: datetime | None = None, reverses_id: int | None = None, year: int | None = None,
          late_correction: bool = False) -> LedgerEntry:
    """One entry and what it moves (the spendable balance, the year's score), in the caller's transaction.
    The other posting functions here are its domain words; an import, a settlement or a correction that
    needs an entry of its own kind calls it directly. insufficient_points if the balance would go below 0."""
    occurred_at = occurred_at or utcnow()
    if not late_correction:  # a back-dated posting must not land in a period already final (公示期满)
        periods.refuse_if_final([member_id], occurred_at)
    row = dict(member_id=member_id, kind=kind, dimension=dimension, year=year or local_year(occurred_at),
               delta_score=delta_score, delta_spendable=delta_spendable, rule_id=rule_id, rule_version=rule_version,
               late_correction=late_correction, source_type=source[0], source_id=source[1], idempotency_key=key, actor=actor,
               reason=reason, occurred_at=occurred_at, created_at=utcnow(), reverses_id=reverses_id)
    entry = LedgerEntry(**row)
    # One statement for the entry, the balance and the score (a data-modifying CTE).
    found = db.session.execute(_write_statement(bool(delta_spendable), bool(delta_score)), row).first()
    if found is None:
        raise insufficient_points(-delta_spendable)
    entry.id, after = found
    entry.spendable_after = after if delta_spendable else None  # saves the caller a read
    board_cache.moved(member_id, entry.year, dimension, delta_score, entry.id)
    return entry


@lru_cache(maxsize=None)
def _write_statement(moves_spendable: bool, moves_score: bool):
    """write's statement: the conditional balance UPDATE, then the entry only if it passed, then the score."""
    balance = ("UPDATE balance SET spendable = spendable + CAST(:delta_spendable AS integer) "
               "WHERE member_id = :member_id AND spendable + CAST(:delta_spendable AS integer) >= 0 "
               "RETURNING spendable") if moves_spendable else "SELECT CAST(NULL AS integer) AS spendable"
    score = """, s AS (
        INSERT INTO score (member_id, year, dimension, score)
        SELECT CAST(:member_id AS integer), CAST(:year AS integer), CAST(:dimension AS varchar),
               CAST(:delta_score AS integer) FROM e
        ON CONFLICT (member_id, year, dimension) DO UPDATE SET score = score.score + EXCLUDED.score)""" \
        if moves_score else ""
    return text(f"""
    WITH b AS ({balance}), e AS (
        INSERT INTO ledger_entry (member_id, kind, dimension, year, delta_score, delta_spendable, rule_id,
                                  rule_version, late_correction, source_type, source_id, idempotency_key, actor,
                                  reason, occurred_at, created_at, reverses_id)
        SELECT CAST(:member_id AS integer), CAST(:kind AS varchar), CAST(:dimension AS varchar),
               CAST(:year AS integer), CAST(:delta_score AS integer), CAST(:delta_spendable AS integer),
               CAST(:rule_id AS integer), CAST(:rule_version AS integer), CAST(:late_correction AS boolean),
               CAST(:source_type AS varchar), CAST(:source_id AS bigint),
               CAST(:idempotency_key AS varchar), CAST(:actor AS varchar), CAST(:reason AS text),
               CAST(:occurred_at AS timestamptz), CAST(:created_at AS timestamptz), CAST(:reverses_id AS bigint)
        FROM b RETURNING id){score}
    SELECT e.id, b.spendable FROM e, b""")


def used_under_cap(member_id: int, rule: Rule, at: datetime) -> int:
    start, end = period_bounds(at, rule.cap_period)
    total = db.session.execute(
        select(func.coalesce(func.sum(LedgerEntry.delta_score), 0)).where(
            LedgerEntry.member_id == member_id, LedgerEntry.rule_id == rule.id,
            LedgerEntry.occurred_at >= start, LedgerEntry.occurred_at < end,
        )
    ).scalar_one()
    return total if rule.points > 0 else -total


def apply_rule(member_id: int, rule: Rule, *, key: str, source: tuple[str | None, int | None],
               actor: str | None, reason: str = "", occurred_at: datetime | None = None) -> LedgerEntry | None:
    """Award (or deduct) a rule's points, within its cap. None when the cap is already reached.

    A deduction lowers the score in full but takes only what is spendable (never below 0).
    """
    occurred_at = occurred_at or utcnow()
    refuse_retired(rule)
    if db.session.scalar(select(Member.status).where(Member.id == member_id)) not in ("active", None):
        refuse_inactive([member_id])
    capped = rule.cap_period and rule.cap is not None
    # A plain award needs no lock: the conditional UPDATE adds atomically. A cap or a deduction
    # reads before it writes, so it holds the member's balance row meanwhile.
    spendable = lock_balance(member_id) if capped or rule.points < 0 else None
    points = rule.points
    if capped:
        room = rule.cap - used_under_cap(member_id, rule, occurred_at)
        if room <= 0:
            return None
        points = min(abs(points), room) * (1 if points > 0 else -1)
    delta_spendable = points if points > 0 else -min(-points, spendable)
    return write(
        member_id, kind="award" if points > 0 else "deduct", dimension=rule.dimension, rule_id=rule.id,
        rule_version=rule.version,
        delta_score=points, delta_spendable=delta_spendable, key=key, source=source, actor=actor,
        reason=reason or rule.name, occurred_at=occurred_at,
    )


def spend(member_id: int, points: int, *, key: str, source: tuple[str, int], actor: str | None,
          reason: str = "", kind: str = "redeem") -> LedgerEntry:
    """Take spendable points (a redemption); the score is untouched. insufficient_points if short."""
    if points <= 0:
        raise DomainError("invalid_points:positive")
    return write(member_id, kind=kind, delta_score=0, delta_spendable=-points, key=key, source=source,
                  actor=actor, reason=reason)


def give_back(member_id: int, points: int, *, key: str, source: tuple[str, int], actor: str | None,
              reason: str = "", kind: str = "refund") -> LedgerEntry:
    """Return spendable points (a refund of a cancelled or expired order)."""
    if points <= 0:
        raise DomainError("invalid_points:positive")
    return write(member_id, kind=kind, delta_score=0, delta_spendable=points, key=key, source=source,
                  actor=actor, reason=reason)


def reverse(actor: Actor, entry_id: int, reason: str) -> LedgerEntry:
    """Undo an entry with a new, opposite entry (红冲). The score is restored in full; spendable
    points already spent cannot be taken back, so the reversal takes what is there."""
    require_root(actor, "admin")
    original = db.session.get(LedgerEntry, entry_id)
    if original is None:
        raise NotFound("unknown_entry", details={"entry_id": entry_id})
    if original.kind == "reversal":
        raise Conflict("cannot_reverse_reversal")
    with committed("already_reversed"):
        spendable = lock_balance(original.member_id)
        if db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry_id)):
            raise Conflict("already_reversed")
        delta_spendable = -original.delta_spendable
        if delta_spendable < 0:
            delta_spendable = -min(-delta_spendable, spendable)
        entry = write(
            original.member_id, kind="reversal", dimension=original.dimension, rule_id=original.rule_id,
            rule_version=original.rule_version,
            delta_score=-original.delta_score, delta_spendable=delta_spendable, key=f"reversal:{original.id}",
            source=(original.source_type, original.source_id), actor=actor.key, reason=reason,
            occurred_at=original.occurred_at, year=original.year, reverses_id=original.id,
        )
        audit.record(actor, "ledger.reverse", "ledger_entry", original.id, None,
                     {"reversal_id": entry.id, "member_id": entry.member_id, "delta_score": entry.delta_score,
                      "delta_spendable": entry.delta_spendable, "reason": reason})
    return entry


def summary(member_id: int, year: int) -> dict:
    spendable = db.session.get(Balance, member_id)
    rows = db.session.execute(
        select(Score.dimension, Score.score).where(Score.member_id == member_id, Score.year == year)
    ).all()
    by_dimension = dict.fromkeys(DIMENSIONS, 0)
    by_dimension.update({r.dimension: r.score for r in rows})
    return {"spendable": spendable.spendable if spendable else 0, "year": year,
            "score": sum(by_dimension.values()), "score_by_dimension": by_dimension}


def history(member_id: int, cursor: int | None, limit: int = 20) -> tuple[list[LedgerEntry], int | None]:
    """Entries newest first; the cursor is the last id seen."""
    query = select(LedgerEntry).where(LedgerEntry.member_id == member_id)
    if cursor:
        query = query.where(LedgerEntry.id < cursor)
    entries = db.session.scalars(query.order_by(LedgerEntry.id.desc()).limit(limit + 1)).all()
    more = len(entries) > limit
    entries = entries[:limit]
    return entries, (entries[-1].id if more else None)


def verify() -> list[dict]:
    """Every member whose balance or scores disagree with the sum of their entries, or is negative.
    The database sums and compares (spilling to disk past work_mem): this process holds only the
    disagreements, so its memory stays bounded at any size of the ledger."""
    spent = (select(LedgerEntry.member_id, func.sum(LedgerEntry.delta_spendable).label("entries"))
             .group_by(LedgerEntry.member_id).subquery())
    member, entries = func.coalesce(Balance.member_id, spent.c.member_id), func.coalesce(spent.c.entries, 0)
    problems = [{"member_id": r.member_id, "problem": "spendable", "balance": r.balance, "entries": r.entries}
                for r in db.session.execute(
                    select(member.label("member_id"), Balance.spendable.label("balance"), entries.label("entries"))
                    .select_from(Balance).join(spent, spent.c.member_id == Balance.member_id, full=True)
                    .where(or_(Balance.spendable.is_(None), Balance.spendable != entries, Balance.spendable < 0))
                    .order_by(member))]
    sums = (select(LedgerEntry.member_id, LedgerEntry.year, LedgerEntry.dimension,
                   func.sum(LedgerEntry.delta_score).label("entries"))
            .where(LedgerEntry.delta_score != 0)
            .group_by(LedgerEntry.member_id, LedgerEntry.year, LedgerEntry.dimension).subquery())
    on = and_(sums.c.member_id == Score.member_id, sums.c.year == Score.year, sums.c.dimension == Score.dimension)
    member, year = func.coalesce(Score.member_id, sums.c.member_id), func.coalesce(Score.year, sums.c.year)
    dimension, entries = func.coalesce(Score.dimension, sums.c.dimension), func.coalesce(sums.c.entries, 0)
    problems += [{"member_id": r.member_id, "problem": "score", "year": r.year, "dimension": r.dimension,
                  "score": r.score, "entries": r.entries}
                 for r in db.session.execute(
                     select(member.label("member_id"), year.label("year"), dimension.label("dimension"),
                            Score.score, entries.label("entries"))
                     .select_from(Score).join(sums, on, full=True)
                     .where(func.coalesce(Score.score, 0) != entries)
                     .order_by(member, year, func.coalesce(dimension, "")))]
    db.session.rollback()
    return problems
