"""The points ledger (积分台账): every change to a member's points is an entry here, written by `post`.

`post` runs inside the caller's transaction and never commits; the use case that called it commits once
at its end, and then the ledger announces what moved (signals.points_moved). The other functions here
are its domain words (a rule's points, a redemption, a refund, a reversal) and its reads.
"""
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from flask import current_app, has_app_context
from sqlalchemy import and_, event, func, or_, select
from sqlalchemy.orm import Session

from points_mall.audit import trail as audit
from points_mall.common.clock import local_year, period_bounds, utcnow
from points_mall.common.paging import Page, Paged, after_cursor
from points_mall.common.tx import committed
from points_mall.errors import Conflict, DomainError, NotFound
from points_mall.extensions import db
from points_mall.people.access import Actor, refuse_own, require_root
from points_mall.people.models import Member
from points_mall.points.ledger.statement import ANSWER, Parts, Rows, lock, statement
from points_mall.points.models import DIMENSIONS, Balance, LedgerEntry, Rule, Score
from points_mall.points.signals import Moved, points_moved
from points_mall.year import periods

__all__ = ["Parts", "Rows", "RulePosting", "Posted", "Postings", "post", "apply_rule", "spend", "give_back",
           "reverse", "open_balance", "lock_balance", "insufficient_points", "refuse_retired", "refuse_inactive",
           "summary", "history", "verify"]


@dataclass(frozen=True)
class RulePosting:
    """A rule's points (积分入账) for members at once: a theme Party day of 200, or one check-in. Each
    member's entry has the key key_prefix + member id (or, for one member, the key given); a member whose
    cap is reached gets none."""

    member_ids: tuple[int, ...]
    rule: Rule
    key_prefix: str | None
    source: tuple[str | None, int | None]
    actor: str | None
    reason: str = ""
    occurred_at: datetime | None = None
    key: str | None = None


@dataclass
class Posted:
    """What one member got: the entry's id, its deltas, and the spendable balance after it (None when
    the entry did not move it)."""

    member_id: int
    id: int
    delta_score: int
    delta_spendable: int
    spendable_after: int | None


class Postings(dict):
    """member id -> Posted; besides, each member's spendable balance before (balances) and what the
    caller's rows read back (read)."""

    balances: dict[int, int]
    read: dict


def post(what: LedgerEntry | RulePosting, rows: Callable[[Parts], Rows] | None = None,
         params: dict | None = None) -> Postings:
    """Write entries, the balances and the yearly scores they move, in one statement; the one writer.

    what: an entry given in full (a redemption, a refund, an expiry, an opening balance, a correction; its
    id and spendable_after are set on it), or a RulePosting. rows: a caller's own rows for the same
    statement (a module-level function: the statement is built once per shape and caller); params: their
    parameters. Refuses a retired rule, a member switched off (rule postings), a posting back-dated into a
    final period (unless a late correction), and a balance that would go below 0 (insufficient_points).
    A rule's postings lock the members' balance rows in member-id order, so concurrent postings never
    deadlock; a capped rule first locks them in a statement of its own: the cap is read from the entries,
    and only a statement begun after the locks were granted sees the entries of whoever held them before
    (READ COMMITTED takes a snapshot per statement)."""
    by_rule = isinstance(what, RulePosting)
    values = _rule_values(what) if by_rule else _entry_values(what)
    ids = values["ids"]
    if not values["late_correction"]:  # a back-dated posting must not land in a period already final (公示期满)
        periods.refuse_if_final(ids, values["occurred_at"])
    capped = by_rule and bool(what.rule.cap_period and what.rule.cap is not None)
    if capped:
        db.session.execute(lock(), {"ids": ids})
        values["start"], values["end"] = period_bounds(values["occurred_at"], what.rule.cap_period)
        values["cap"], values["sign"] = what.rule.cap, 1 if what.rule.points > 0 else -1
    found = db.session.execute(statement(by_rule, capped, rows), {**values, **(params or {})}).all()
    if len(found) < len(ids):
        missing = sorted(set(ids) - {r.member_id for r in found})
        raise NotFound("unknown_member", details={"member_ids": missing} if by_rule else {"member_id": missing[0]})
    if by_rule:
        refuse_inactive([r.member_id for r in found if r.member_status != "active"])
    posted = Postings()
    posted.balances = {r.member_id: r.spendable_before for r in found}
    posted.read = {name: value for name, value in found[0]._mapping.items() if name not in ANSWER} if found else {}
    moves = []
    for r in found:
        if r.delta_score is None:
            continue  # the cap is reached
        if r.entry_id is None:
            raise insufficient_points(-r.delta_spendable)
        posted[r.member_id] = Posted(r.member_id, r.entry_id, r.delta_score, r.delta_spendable,
                                     r.spendable if r.delta_spendable else None)
        moves.append(Moved(r.entry_id, r.member_id, r.org_path, r.year, r.dimension, r.delta_score,
                           r.delta_spendable))
    if not by_rule:
        entry = posted[what.member_id]
        what.id, what.spendable_after = entry.id, entry.spendable_after
    db.session.info.setdefault("points_moved", []).extend(moves)
    return posted


def _entry_values(entry: LedgerEntry) -> dict:
    entry.occurred_at = entry.occurred_at or utcnow()
    entry.year = entry.year or local_year(entry.occurred_at)
    entry.created_at = utcnow()
    for name, default in (("delta_score", 0), ("delta_spendable", 0), ("reason", ""), ("late_correction", False)):
        if getattr(entry, name) is None:
            setattr(entry, name, default)
    # The member comes in as ids alone: a parameter named like a balance column would join the UPDATE's SET.
    values = {column.name: getattr(entry, column.name) for column in LedgerEntry.__table__.c
              if column.name not in ("id", "member_id")}
    return {**values, "ids": [entry.member_id]}


def _rule_values(posting: RulePosting) -> dict:
    rule = posting.rule
    refuse_retired(rule)
    occurred_at = posting.occurred_at or utcnow()
    return dict(ids=sorted(set(posting.member_ids)), points=rule.points, rule_id=rule.id, rule_version=rule.version,
                dimension=rule.dimension, year=local_year(occurred_at), source_type=posting.source[0],
                source_id=posting.source[1], key_prefix=posting.key_prefix, key=posting.key, actor=posting.actor,
                reason=posting.reason or rule.name, occurred_at=occurred_at, created_at=utcnow(),
                late_correction=False)


# ---- announced after commit: what moved, to whoever listens (signals.points_moved) ----

@event.listens_for(Session, "after_commit")
def _announce(session) -> None:
    if session.in_nested_transaction():
        return
    moves = session.info.pop("points_moved", None)
    if moves and points_moved.receivers and has_app_context():
        points_moved.send(current_app._get_current_object(), moves=moves)


@event.listens_for(Session, "after_rollback")
def _forget(session) -> None:
    if not session.in_nested_transaction():  # a savepoint rolled back leaves the rest to its transaction
        session.info.pop("points_moved", None)


# ---- the domain words ----

def apply_rule(member_ids: list[int], rule: Rule, *, source: tuple[str | None, int | None], actor: str | None,
               key_prefix: str | None = None, key: str | None = None, reason: str = "",
               occurred_at: datetime | None = None, rows: Callable[[Parts], Rows] | None = None,
               params: dict | None = None) -> Postings:
    """Award (or deduct) a rule's points to every member, within its cap: a member whose cap is reached
    is left out of the answer. A deduction lowers the score in full but takes only what is spendable.
    Each entry's key is key_prefix + member id, or for one member the key given."""
    if (key is None) == (key_prefix is None) or (key is not None and len(set(member_ids)) != 1):
        raise ValueError("a key for one member, or a key_prefix")
    return post(RulePosting(tuple(member_ids), rule, key_prefix, source, actor, reason, occurred_at, key), rows,
                params)


def spend(member_id: int, points: int, *, key: str, source: tuple[str, int], actor: str | None,
          reason: str = "", kind: str = "redeem") -> LedgerEntry:
    """Take spendable points (a redemption); the score is untouched. insufficient_points if short."""
    if points <= 0:
        raise DomainError("invalid_points:positive")
    return _posted(LedgerEntry(member_id=member_id, kind=kind, delta_spendable=-points, idempotency_key=key,
                               source_type=source[0], source_id=source[1], actor=actor, reason=reason))


def give_back(member_id: int, points: int, *, key: str, source: tuple[str, int], actor: str | None,
              reason: str = "", kind: str = "refund") -> LedgerEntry:
    """Return spendable points (a refund of a cancelled or expired order)."""
    if points <= 0:
        raise DomainError("invalid_points:positive")
    return _posted(LedgerEntry(member_id=member_id, kind=kind, delta_spendable=points, idempotency_key=key,
                               source_type=source[0], source_id=source[1], actor=actor, reason=reason))


def _posted(entry: LedgerEntry) -> LedgerEntry:
    post(entry)
    return entry


def reverse(actor: Actor, entry_id: int, reason: str) -> LedgerEntry:
    """Undo an entry with a new, opposite entry (红冲). The score is restored in full; spendable
    points already spent cannot be taken back, so the reversal takes what is there."""
    require_root(actor, "admin")
    original = db.session.get(LedgerEntry, entry_id)
    if original is None:
        raise NotFound("unknown_entry", details={"entry_id": entry_id})
    if original.kind == "reversal":
        raise Conflict("cannot_reverse_reversal")
    refuse_own(actor, [original.member_id], "own_points:reversal")
    with committed("already_reversed"):
        spendable = lock_balance(original.member_id)
        if db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry_id)):
            raise Conflict("already_reversed")
        delta_spendable = -original.delta_spendable
        if delta_spendable < 0:
            delta_spendable = -min(-delta_spendable, spendable)
        entry = _posted(LedgerEntry(
            member_id=original.member_id, kind="reversal", dimension=original.dimension, rule_id=original.rule_id,
            rule_version=original.rule_version, delta_score=-original.delta_score, delta_spendable=delta_spendable,
            idempotency_key=f"reversal:{original.id}", source_type=original.source_type,
            source_id=original.source_id, actor=actor.key, reason=reason, occurred_at=original.occurred_at,
            year=original.year, reverses_id=original.id))
        audit.record(actor, "ledger.reverse", "ledger_entry", original.id, None,
                     {"reversal_id": entry.id, "member_id": entry.member_id, "delta_score": entry.delta_score,
                      "delta_spendable": entry.delta_spendable, "reason": reason})
    return entry


def insufficient_points(needed: int, spendable: int | None = None) -> DomainError:
    return DomainError("insufficient_points", details={"needed": needed, "spendable": spendable})


def refuse_retired(rule) -> None:
    """A retired rule posts nothing new, whoever asks (an award, a check-in, a declaration)."""
    if getattr(rule, "active", True) is False:
        raise DomainError("rule_retired", details={"rule_id": rule.id, "name": rule.name})


def refuse_inactive(member_ids: list[int]) -> None:
    """A member switched off gets no new postings; the refusal names them (the whole posting is refused)."""
    if member_ids:
        names = db.session.scalars(select(Member.name).where(Member.id.in_(member_ids)).order_by(Member.id)).all()
        raise DomainError("member_inactive:status", details={"member_ids": member_ids, "names": "、".join(names)})


def open_balance(member_id: int) -> None:
    """Every member has a balance row from the start, so postings only ever UPDATE it."""
    db.session.add(Balance(member_id=member_id, spendable=0))


def lock_balance(member_id: int) -> int:
    """Serialise postings for one member (a row lock) and return the spendable balance."""
    spendable = db.session.execute(
        select(Balance.spendable).where(Balance.member_id == member_id).with_for_update()
    ).scalar_one_or_none()
    if spendable is None:
        raise NotFound("unknown_member", details={"member_id": member_id})
    return spendable


def summary(member_id: int, year: int) -> dict:
    spendable = db.session.get(Balance, member_id)
    rows = db.session.execute(
        select(Score.dimension, Score.score).where(Score.member_id == member_id, Score.year == year)
    ).all()
    by_dimension = dict.fromkeys(DIMENSIONS, 0)
    by_dimension.update({r.dimension: r.score for r in rows})
    return {"spendable": spendable.spendable if spendable else 0, "year": year,
            "score": sum(by_dimension.values()), "score_by_dimension": by_dimension}


def history(member_id: int, page: Page) -> Paged:
    """Entries newest first; the cursor is the last id seen."""
    query = select(LedgerEntry).where(LedgerEntry.member_id == member_id)
    if page.cursor:
        query = query.where(LedgerEntry.id < page.cursor)
    return after_cursor(db.session.scalars(query.order_by(LedgerEntry.id.desc()).limit(page.limit + 1)).all(), page)


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
