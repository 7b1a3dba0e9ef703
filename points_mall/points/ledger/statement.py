"""The ledger's one statement, in SQLAlchemy Core: a data-modifying CTE that writes every posting.

    locked   the members' balance rows, in member-id order (FOR UPDATE for a rule: its cap and a
             deduction read them), with each member's status and organisation path
    plan     one row per entry to write, in ledger_entry's columns (a member whose cap is reached has none)
    moved    the conditional balance UPDATE ... WHERE spendable + delta >= 0 RETURNING spendable
    entries  the entries, written only where the balance moved or did not need to: RETURNING id, member_id
    scores   the yearly scores, added to

A caller adds its own rows (a check-in, an award's lines, notifications) as more CTEs reading these
parts (`Rows`), so a use case stays one round trip without the ledger knowing the caller's tables.
A statement is built once per shape and caller, then run with parameters.
"""
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from sqlalchemy import ARRAY, LABEL_STYLE_NONE, BigInteger, Integer, String, and_, any_, bindparam, case, cast, \
    false, func, literal_column, null, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql.expression import CTE, ColumnElement

from points_mall.people.models import Member, Org
from points_mall.points.models import Balance, LedgerEntry, Score

ENTRY, BALANCE, SCORE = LedgerEntry.__table__, Balance.__table__, Score.__table__
# The entry's columns the plan fills, by name; each is also the name of its parameter when given.
COLUMNS = [c.name for c in ENTRY.c if c.name != "id"]
# What the statement answers for each member, before the columns a caller's rows read back.
ANSWER = ("member_id", "member_status", "org_path", "entry_id", "year", "dimension", "delta_score",
          "delta_spendable", "spendable", "spendable_before")


# Constants are written into the SQL, not sent as parameters: psycopg keeps the parsed form of statements
# up to 4 kB only, and a check-in's is sent for every scan.
ZERO = literal_column("0")


def sql_text(value: str):
    """A constant string, written into the SQL (see ZERO)."""
    return literal_column("'" + value.replace("'", "''") + "'", String)


def bare(query):
    """A SELECT feeding an INSERT: its columns need no labels (a shorter statement, see ZERO)."""
    return query.set_label_style(LABEL_STYLE_NONE)


@dataclass(frozen=True)
class Parts:
    """The statement's CTEs a caller's rows may read, and the moment of the posting (`now`)."""

    locked: CTE   # member_id, spendable (before), member_status, org_path
    plan: CTE     # member_id and ledger_entry's columns (delta_score, delta_spendable, year, ...)
    moved: CTE    # member_id, spendable (after)
    entries: CTE  # id, member_id
    now: ColumnElement


@dataclass(frozen=True)
class Rows:
    """A caller's rows in the ledger's statement: its CTEs (run whether read or not), and the scalar
    expressions it reads back with the posting, by name."""

    ctes: tuple = ()
    read: dict = field(default_factory=dict)


def param(name: str, type_=None):
    """A parameter typed like the entry's column of that name (or as given)."""
    return bindparam(name, type_=type_ if type_ is not None else ENTRY.c[name].type)


@lru_cache(maxsize=None)
def statement(by_rule: bool, capped: bool, rows: Callable[[Parts], Rows] | None = None):
    """The statement for one shape: a rule's points (capped or not) or an entry given in full, with a
    caller's rows. Parameters: ids, and either the entry's columns or the rule's (see ledger.post)."""
    ids = bindparam("ids", type_=ARRAY(Integer))
    locked = (select(BALANCE.c.member_id, BALANCE.c.spendable, Member.status.label("member_status"),
                     Org.path.label("org_path"))
              .join_from(BALANCE, Member, Member.id == BALANCE.c.member_id).join(Org, Org.id == Member.org_id)
              .where(BALANCE.c.member_id == any_(ids)).order_by(BALANCE.c.member_id))
    if by_rule:
        locked = locked.with_for_update(of=BALANCE)
    locked = locked.cte("locked")
    plan = (_by_rule(locked, capped, ids) if by_rule else _given(locked)).cte("plan")
    moved = (update(BALANCE)
             .where(BALANCE.c.member_id == plan.c.member_id, plan.c.delta_spendable != ZERO,
                    BALANCE.c.spendable + plan.c.delta_spendable >= ZERO)
             .values(spendable=BALANCE.c.spendable + plan.c.delta_spendable)
             .returning(BALANCE.c.member_id, BALANCE.c.spendable).cte("moved"))
    # plan.*: the plan's columns are the entry's, in its order (a shorter statement, see ZERO).
    entries = (insert(ENTRY).from_select(COLUMNS, select(literal_column("plan.*"))
                                         .select_from(plan.outerjoin(moved, moved.c.member_id == plan.c.member_id))
                                         .where(or_(plan.c.delta_spendable == ZERO, moved.c.member_id.is_not(None)))
                                         .order_by(plan.c.member_id))
               .returning(ENTRY.c.id, ENTRY.c.member_id).cte("entries"))
    added = insert(SCORE).from_select(
        ["member_id", "year", "dimension", "score"],
        bare(select(plan.c.member_id, plan.c.year, plan.c.dimension, plan.c.delta_score))
        .join_from(plan, entries, entries.c.member_id == plan.c.member_id)
        .where(plan.c.delta_score != ZERO).order_by(plan.c.member_id))
    scores = added.on_conflict_do_update(index_elements=["member_id", "year", "dimension"],
                                         set_={"score": SCORE.c.score + added.excluded.score}).cte("scores")
    extra = rows(Parts(locked, plan, moved, entries, param("created_at"))) if rows else Rows()
    return (select(locked.c.member_id, locked.c.member_status, locked.c.org_path, entries.c.id.label("entry_id"),
                   plan.c.year, plan.c.dimension, plan.c.delta_score, plan.c.delta_spendable,
                   moved.c.spendable, locked.c.spendable.label("spendable_before"),
                   *(value.label(name) for name, value in extra.read.items()))
            .select_from(locked.outerjoin(plan, plan.c.member_id == locked.c.member_id)
                         .outerjoin(entries, entries.c.member_id == locked.c.member_id)
                         .outerjoin(moved, moved.c.member_id == locked.c.member_id))
            .order_by(locked.c.member_id).add_cte(scores, *extra.ctes))


def _given(locked):
    """The entry as given in the parameters, for its one member."""
    return select(locked.c.member_id, *(param(name).label(name) for name in COLUMNS if name != "member_id"))


def _by_rule(locked, capped: bool, ids):
    """A rule's points for each active member: within a cap, what room is left (same sign as the rule);
    a deduction takes only what is spendable."""
    points, source, room = param("points", Integer), locked, None
    if capped:
        used = (select(ENTRY.c.member_id, func.sum(ENTRY.c.delta_score).label("used"))
                .where(ENTRY.c.member_id == any_(ids), ENTRY.c.rule_id == param("rule_id"),
                       ENTRY.c.occurred_at >= param("start", ENTRY.c.occurred_at.type),
                       ENTRY.c.occurred_at < param("end", ENTRY.c.occurred_at.type))
                .group_by(ENTRY.c.member_id).subquery("used"))
        sign = param("sign", Integer)
        room = param("cap", Integer) - sign * func.coalesce(used.c.used, 0)
        points = sign * func.least(func.abs(points), room)
        source = locked.outerjoin(used, used.c.member_id == locked.c.member_id)
    each = (select(locked.c.member_id, locked.c.spendable, points.label("points")).select_from(source)
            .where(and_(locked.c.member_status == sql_text("active"), *([room > ZERO] if capped else [])))
            .subquery("each"))
    values = {
        "kind": case((each.c.points > ZERO, sql_text("award")), else_=sql_text("deduct")),
        "delta_score": each.c.points,
        "delta_spendable": case((each.c.points > ZERO, each.c.points),
                                else_=-func.least(-each.c.points, each.c.spendable)),
        "idempotency_key": func.coalesce(param("key", String),
                                         param("key_prefix", String) + cast(each.c.member_id, String)),
        "reverses_id": cast(null(), BigInteger),
        "late_correction": false(),
    }
    return select(each.c.member_id, *((values[name] if name in values else param(name)).label(name)
                                      for name in COLUMNS if name != "member_id"))


@lru_cache(maxsize=None)
def lock():
    """A capped rule's locks, in a statement of their own (see ledger.post)."""
    return (select(BALANCE.c.member_id).where(BALANCE.c.member_id == any_(bindparam("ids", type_=ARRAY(Integer))))
            .order_by(BALANCE.c.member_id).with_for_update())
