"""Posting a rule to many members at once (积分入账): a theme Party day of 200 members, or one check-in.

On PostgreSQL one data-modifying CTE does it all: it locks the members' balance rows in member-id
order (so concurrent postings never deadlock), works out each member's points (the cap, and for a
deduction what is spendable), then writes the entries, the balances, the scores and the
notifications. A capped rule first locks the balances in a statement of its own: the cap is read
from the entries, and only a statement begun after the locks were granted sees the entries of
whoever held them before (READ COMMITTED takes a snapshot per statement).
"""
import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select, text

from points_mall.errors import DomainError, NotFound
from points_mall.extensions import db
from points_mall.points.models import Rule
from points_mall.board import board_cache
from points_mall.year import periods
from points_mall.common.clock import local_year, period_bounds, utcnow


@dataclass
class Posted:
    """What one member got: the entry's id, its deltas, and the spendable balance after it."""

    member_id: int
    id: int
    delta_score: int
    delta_spendable: int
    spendable_after: int | None


class Postings(dict):
    """member id -> Posted; besides, each member's spendable balance before, and the id of the row the
    caller's tail statement wrote (tail_id)."""

    balances: dict[int, int]
    tail_id: int | None = None


@dataclass
class Notice:
    """The notification each posted member gets: body = body_prefix + points + "分"; data gains entry_id."""

    event: str
    title: str
    body_prefix: str
    data: dict


def apply_rule(member_ids: list[int], rule: Rule, *, key_prefix: str, source: tuple[str | None, int | None],
               actor: str | None, reason: str = "", occurred_at: datetime | None = None,
               notice: Notice | None = None, award_id: int | None = None,
               tail: tuple[str, dict] | None = None) -> Postings:
    """Award (or deduct) a rule's points to every member, within its cap; a member whose cap is
    reached is left out of the answer. Each entry's idempotency key is key_prefix + member id.
    award_id: the same statement writes (or updates) the award's lines with each outcome. tail: (SQL, params)
    of more CTEs for the same statement, reading input/plan/e/b, one of them named tail_row with an id column."""
    ids = sorted(set(member_ids))
    occurred_at = occurred_at or utcnow()
    refuse_retired(rule)
    periods.refuse_if_final(ids, occurred_at)  # back-dated only: a posting dated now costs nothing
    capped = bool(rule.cap_period and rule.cap is not None)
    params = dict(ids=ids, points=rule.points, rule_id=rule.id, rule_version=rule.version, dimension=rule.dimension,
                  year=local_year(occurred_at), source_type=source[0], source_id=source[1], key_prefix=key_prefix,
                  actor=actor, reason=reason or rule.name, occurred_at=occurred_at, now=utcnow())
    if capped:
        db.session.execute(_LOCK, {"ids": ids})
        params["start"], params["end"] = period_bounds(occurred_at, rule.cap_period)
        params["cap"], params["sign"] = rule.cap, 1 if rule.points > 0 else -1
    if notice is not None:
        params.update(event=notice.event, title=notice.title, body_prefix=notice.body_prefix,
                      data=json.dumps(notice.data, ensure_ascii=False))
    params["award_id"] = award_id
    if tail is not None:
        params.update(tail[1])
    rows = db.session.execute(_statement(capped, notice is not None, award_id is not None,
                                         tail[0] if tail else ""), params).all()
    if len(rows) < len(ids):
        missing = sorted(set(ids) - {r.member_id for r in rows})
        raise NotFound("unknown_member", details={"member_ids": missing})
    refuse_inactive([r.member_id for r in rows if r.member_status != "active"])
    posted = Postings()
    posted.balances = {r.member_id: r.spendable_before for r in rows}
    posted.tail_id = rows[0].tail_id if tail is not None and rows else None
    for r in rows:
        if r.entry_id is None:
            continue  # the cap is reached
        if r.delta_spendable and r.spendable is None:
            from points_mall.points.ledger import insufficient_points

            raise insufficient_points(-r.delta_spendable)
        posted[r.member_id] = Posted(r.member_id, r.entry_id, r.delta_score, r.delta_spendable,
                                     r.spendable if r.delta_spendable else None)
        board_cache.moved(r.member_id, params["year"], rule.dimension, r.delta_score, r.entry_id, r.org_path)
    return posted


def refuse_retired(rule) -> None:
    """A retired rule posts nothing new, whoever asks (an award, a check-in, a declaration)."""
    if getattr(rule, "active", True) is False:
        raise DomainError("rule_retired", details={"rule_id": rule.id, "name": rule.name})


def refuse_inactive(member_ids: list[int]) -> None:
    """A member switched off gets no new postings; the refusal names them (the whole posting is refused)."""
    if member_ids:
        from points_mall.people.models import Member

        names = db.session.scalars(select(Member.name).where(Member.id.in_(member_ids)).order_by(Member.id)).all()
        raise DomainError("member_inactive:status", details={"member_ids": member_ids, "names": "、".join(names)})


_LOCK = text("SELECT member_id FROM balance WHERE member_id = ANY(CAST(:ids AS integer[])) "
             "ORDER BY member_id FOR UPDATE")

# The points one member gets: the rule's, or within a cap what room is left (same sign as the rule).
_POINTS = "CAST(:points AS integer)"
_ROOM = "CAST(:cap AS integer) - CAST(:sign AS integer) * used"
_CAPPED_POINTS = f"CAST(:sign AS integer) * LEAST(ABS(CAST(:points AS integer)), {_ROOM})"


@lru_cache(maxsize=None)
def _statement(capped: bool, notify: bool, lines: bool, tail: str = ""):
    used = """LEFT JOIN (
            SELECT member_id, sum(delta_score) AS used FROM ledger_entry
            WHERE member_id = ANY(CAST(:ids AS integer[])) AND rule_id = :rule_id
              AND occurred_at >= CAST(:start AS timestamptz) AND occurred_at < CAST(:end AS timestamptz)
            GROUP BY member_id) u USING (member_id)""" if capped else ""
    notification = """, n AS (
        INSERT INTO notification (member_id, event, title, body, data, status, attempts, next_attempt_at, created_at)
        SELECT e.member_id, CAST(:event AS varchar), CAST(:title AS varchar),
               CAST(:body_prefix AS text) || ABS(p.delta_score) || '分',
               CAST(jsonb_build_object('entry_id', e.id) || CAST(:data AS jsonb) AS json),
               'pending', 0, CAST(:now AS timestamptz), CAST(:now AS timestamptz)
        FROM e JOIN plan p USING (member_id) ORDER BY e.member_id)""" if notify else ""
    award_lines = """, al AS (
        INSERT INTO award_line (award_id, member_id, points, outcome)
        SELECT CAST(:award_id AS integer), i.member_id, COALESCE(p.delta_score, 0),
               CASE WHEN p.member_id IS NULL THEN 'cap_reached' ELSE 'applied' END
        FROM input i LEFT JOIN plan p USING (member_id) ORDER BY i.member_id
        ON CONFLICT (award_id, member_id) DO UPDATE SET points = EXCLUDED.points, outcome = EXCLUDED.outcome)""" \
        if lines else ""
    return _compact(f"""
    WITH locked AS (
        SELECT bl.member_id, bl.spendable, m.status AS member_status, o.path AS org_path
        FROM balance bl JOIN member m ON m.id = bl.member_id JOIN org o ON o.id = m.org_id
        WHERE bl.member_id = ANY(CAST(:ids AS integer[])) ORDER BY bl.member_id FOR UPDATE OF bl
    ), input AS (
        SELECT l.member_id, l.spendable, l.member_status, l.org_path, {"COALESCE(u.used, 0)" if capped else "0"} AS used
        FROM locked l {used}
    ), plan AS (
        SELECT member_id, points AS delta_score,
               CASE WHEN points > 0 THEN points ELSE -LEAST(-points, spendable) END AS delta_spendable
        FROM (SELECT member_id, spendable, {_CAPPED_POINTS if capped else _POINTS} AS points,
                     {_ROOM if capped else "1"} AS room
              FROM input WHERE member_status = 'active') x
        WHERE room > 0
    ), b AS (
        UPDATE balance bl SET spendable = bl.spendable + p.delta_spendable
        FROM plan p
        WHERE bl.member_id = p.member_id AND p.delta_spendable <> 0
          AND bl.spendable + p.delta_spendable >= 0
        RETURNING bl.member_id, bl.spendable
    ), e AS (
        INSERT INTO ledger_entry (member_id, kind, dimension, year, delta_score, delta_spendable, rule_id,
                                  rule_version, source_type, source_id, idempotency_key, actor, reason, occurred_at,
                                  created_at)
        SELECT member_id, CASE WHEN delta_score > 0 THEN 'award' ELSE 'deduct' END, CAST(:dimension AS varchar),
               CAST(:year AS integer), delta_score, delta_spendable, CAST(:rule_id AS integer),
               CAST(:rule_version AS integer),
               CAST(:source_type AS varchar), CAST(:source_id AS bigint), CAST(:key_prefix AS text) || member_id,
               CAST(:actor AS varchar), CAST(:reason AS text), CAST(:occurred_at AS timestamptz),
               CAST(:now AS timestamptz)
        FROM plan ORDER BY member_id
        RETURNING id, member_id
    ), s AS (
        INSERT INTO score (member_id, year, dimension, score)
        SELECT member_id, CAST(:year AS integer), CAST(:dimension AS varchar), delta_score FROM plan
        WHERE delta_score <> 0 ORDER BY member_id
        ON CONFLICT (member_id, year, dimension) DO UPDATE SET score = score.score + EXCLUDED.score
    ){notification}{award_lines}{tail}
    SELECT i.member_id, i.member_status, i.org_path, e.id AS entry_id, p.delta_score, p.delta_spendable, b.spendable,
           i.spendable AS spendable_before{", (SELECT id FROM tail_row) AS tail_id" if tail else ""}
    FROM input i LEFT JOIN plan p USING (member_id) LEFT JOIN e USING (member_id) LEFT JOIN b USING (member_id)
    ORDER BY i.member_id""")


def _compact(sql: str):
    """The statement with its layout folded to single spaces: psycopg keeps the parsed form of statements
    up to 4 kB only, and this one is sent for every check-in."""
    return text(" ".join(sql.split()))

