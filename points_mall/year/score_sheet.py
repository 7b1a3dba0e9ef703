"""The score sheet (积分汇总表): per branch subtree and period, each member's score by dimension.

One SQL statement with aggregates: who belonged to the subtree during the period (membership
since/until), their entries dated inside it (local dates), each dimension's sum, the total and the
rank (ties share a place), the page asked for and the count of all rows. A member transferred
mid-period shows with the dates they belonged; their score is the whole period's, since the year's
score follows the member (组织关系转接).
"""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select, true

from points_mall.extensions import db
from points_mall.points.models import LedgerEntry
from points_mall.people.models import Member, Org
from points_mall.year.models import Membership
from points_mall.points.models import DIMENSIONS
from points_mall.people.access import Actor, get_org, require_org
from points_mall.year.periods import PERIOD_NAMES, bounds, label, moment

DIMENSION_NAMES = {"study": "学习", "service": "服务", "performance": "业绩", "morality": "道德", "integrity": "廉洁"}


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # exclusive

    @classmethod
    def of(cls, kind: str, start: date) -> "Period":
        return cls(kind, *bounds(kind, start))

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        return label(self.kind, self.start)


def for_staff(actor: Actor, org_id: int, period: Period, *, limit: int | None = None, offset: int = 0) -> dict:
    """The sheet for an organizer over the organisation (their subtree only)."""
    org = get_org(org_id)
    require_org(actor, "organizer", org)
    return sheet(org, period, limit=limit, offset=offset)


def sheet(org: Org, period: Period, *, limit: int | None = None, offset: int = 0,
          member_id: int | None = None) -> dict:
    """The sheet of org's subtree for the period: {org, period, rows, members}; rows ranked by total."""
    rows, count = _rows(org, period, limit, offset)
    out = {"org_id": org.id, "org": org.name, "period": period.kind, "period_name": PERIOD_NAMES[period.kind],
           "label": period.label, "start": period.start, "end": period.last_day, "members": count, "rows": rows}
    if member_id is not None:
        out["my_row"] = next((r for r in rows if r["member_id"] == member_id), None) or _mine(org, period, member_id)
    return out


def _mine(org: Org, period: Period, member_id: int) -> dict | None:
    """The member's row when it is not on the page asked for."""
    rows, _ = _rows(org, period, None, 0, member_id)
    return rows[0] if rows else None


def belonged_query(org: Org, period: Period):
    """Who belonged to org's subtree at some time during the period: member id, since, until, org name."""
    return (
        select(Membership.member_id, func.min(func.coalesce(Membership.since, period.start)).label("since"),
               func.max(func.coalesce(Membership.until, period.end)).label("until"),
               func.max(Org.name).label("org"))
        .join(Org, Org.id == Membership.org_id)
        .where(Org.path.startswith(org.path, autoescape=True),
               or_(Membership.since.is_(None), Membership.since < period.end),
               or_(Membership.until.is_(None), Membership.until > period.start))
        .group_by(Membership.member_id))


def _rows(org: Org, period: Period, limit: int | None, offset: int, only: int | None = None) -> tuple[list[dict], int]:
    start_at, end_at = moment(period.start), moment(period.end)
    belonged = belonged_query(org, period).subquery("belonged")
    by_dimension = [func.coalesce(func.sum(LedgerEntry.delta_score).filter(LedgerEntry.dimension == d), 0).label(d)
                    for d in DIMENSIONS]
    inside = (LedgerEntry.occurred_at >= start_at, LedgerEntry.occurred_at < end_at, LedgerEntry.delta_score != 0)
    # Each member's entries of the period through the (member_id, occurred_at) index: a year is most of
    # the table, so a plain join would have the planner sum every entry of the park for one branch.
    scores = select(*by_dimension).where(LedgerEntry.member_id == belonged.c.member_id, *inside).lateral("scores")
    dims = [func.coalesce(scores.c[d], 0) for d in DIMENSIONS]
    total = sum(dims[1:], dims[0])
    ranked = (select(belonged.c.member_id, Member.name, Member.status, belonged.c.org, belonged.c.since,
                     belonged.c.until, *(d.label(n) for d, n in zip(dims, DIMENSIONS)), total.label("total"),
                     func.rank().over(order_by=total.desc()).label("rank"),
                     func.count().over().label("count"))
              .join(Member, Member.id == belonged.c.member_id)
              .outerjoin(scores, true()).subquery("ranked"))
    query = select(ranked).order_by(ranked.c.rank, ranked.c.member_id)
    if only is not None:
        query = query.where(ranked.c.member_id == only)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    found = db.session.execute(query).all()
    count = found[0].count if found else (0 if offset == 0 or only is not None else _count(ranked))
    return [_row(r, period) for r in found], count


def _count(ranked) -> int:
    return db.session.scalar(select(func.count()).select_from(ranked)) or 0


def _row(r, period: Period) -> dict:
    since = max(_day(r.since), period.start)
    until = min(_day(r.until), period.end)
    partial = since > period.start or until < period.end
    return {"member_id": r.member_id, "name": r.name, "status": r.status, "org": r.org, "rank": r.rank,
            "total": int(r.total), "by_dimension": {d: int(getattr(r, d)) for d in DIMENSIONS},
            "belonged_from": since if partial else None,
            "belonged_to": (until - timedelta(days=1)) if partial else None}


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def xlsx_sheet(data: dict, title: str, window: str | None = None) -> list[tuple[str, list[str], list[list]]]:
    """The sheet as one workbook sheet: a heading row for the title, period and window, then the table."""
    headers = ["名次", "姓名", "所在组织", *(DIMENSION_NAMES[d] for d in DIMENSIONS), "合计", "在册期间"]
    rows = [[title], [f"期间：{data['start']} 至 {data['end']}" + (f"　公示期：{window}" if window else "")], headers]
    for r in data["rows"]:
        span = f"{r['belonged_from']} 至 {r['belonged_to']}" if r["belonged_from"] else "全期"
        rows.append([r["rank"], r["name"], r["org"], *(r["by_dimension"][d] for d in DIMENSIONS), r["total"], span])
    return [(data["label"] + "积分", rows[0], rows[1:])]
