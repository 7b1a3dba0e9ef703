"""Score periods (month, quarter, year in local dates) and final periods (积分公示期满即定稿).

When a 公示's window has closed, its organisation subtree's period is final: a posting dated inside
it, for a member who belonged to that subtree on that date, is refused (period_final) unless an
admin records it as a late correction (ledger_entry.late_correction).
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.year.models import Membership, Publicity
from points_mall.people.models import Org
from points_mall.common.clock import local, utcnow, zone

PERIODS = ("month", "quarter", "year")
PERIOD_NAMES = {"month": "月度", "quarter": "季度", "year": "年度"}
# A posting dated earlier than this before now is back-dated, and only those are checked (see refuse_if_final).
BACKDATED = timedelta(minutes=1)


def bounds(period: str, start: date) -> tuple[date, date]:
    """The local [first day, first day after) of the month / quarter / year holding start."""
    if period == "year":
        first = date(start.year, 1, 1)
        return first, date(start.year + 1, 1, 1)
    month = start.month if period == "month" else (start.month - 1) // 3 * 3 + 1
    first = date(start.year, month, 1)
    step = 1 if period == "month" else 3
    after = date(first.year + (month + step > 12), (month + step - 1) % 12 + 1, 1)
    return first, after


def moment(day: date) -> datetime:
    """Local midnight at the start of day, as an aware datetime (compares with UTC columns)."""
    return datetime.combine(day, time.min, zone())


def label(period: str, start: date) -> str:
    """2026年3月 / 2026年第1季度 / 2026年度."""
    if period == "month":
        return f"{start.year}年{start.month}月"
    if period == "quarter":
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年度"


def final_for(member_ids: list[int], at: datetime, now: datetime | None = None) -> list[tuple[int, int]]:
    """(member id, publicity id) for each member whose branch on the local day of `at` lies in the
    subtree of a 公示 whose window has closed and whose period holds that day."""
    if not member_ids:
        return []
    day = local(at).date()
    pub_org, member_org = aliased(Org), aliased(Org)
    rows = db.session.execute(
        select(Membership.member_id, Publicity.id)
        .join(member_org, member_org.id == Membership.org_id)
        .join(Publicity, and_(Publicity.closes_at <= (now or utcnow()), Publicity.period_start <= day,
                              Publicity.period_end > day))
        .join(pub_org, pub_org.id == Publicity.org_id)
        .where(Membership.member_id.in_(sorted(set(member_ids))),
               or_(Membership.since.is_(None), Membership.since <= day),
               or_(Membership.until.is_(None), Membership.until > day),
               member_org.path.startswith(pub_org.path))
        .order_by(Membership.member_id, Publicity.id)).all()
    return [(r[0], r[1]) for r in rows]


def refuse_if_final(member_ids: list[int], occurred_at: datetime) -> None:
    """The ledger's guard: period_final when a back-dated posting falls inside a final period.

    Only postings dated more than a minute before now are looked at. A 公示 can be published only
    for a period that has already ended, so its period lies wholly in the past and "now" is never
    inside a final period: check-ins and awards dated now cannot be refused and pay nothing here."""
    now = utcnow()
    if occurred_at >= now - BACKDATED:
        return
    found = final_for(member_ids, occurred_at, now)
    if found:
        raise DomainError("period_final", details={
            "member_ids": sorted({m for m, _ in found}), "publicity_id": found[0][1],
            "date": local(occurred_at).date().isoformat()})
