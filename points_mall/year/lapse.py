"""What lapses at the turn of a year (积分到期): the policy that applies to a member, and the points it takes.

Spending consumes the oldest points first, so under "clear what was earned more than N months before
the turn of the year" what lapses is what was earned before the cutoff less everything taken since
the beginning: max(0, earned before the cutoff − taken before the turn), never more than the balance.
"Clear all" is the same with the cutoff at the turn itself. Scores are per year and never lapse.
"""
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import and_, case, func, select

from points_mall.extensions import db
from points_mall.points.models import Balance, LedgerEntry
from points_mall.people.models import Member, Org
from points_mall.year.models import SettlementPolicy
from points_mall.common.clock import zone

MODE_NAMES = {"keep": "保留", "clear_all": "年末清零", "clear_older": "清除较早的积分"}


@dataclass(frozen=True)
class Policy:
    """The policy in force for an organisation: its own, or the nearest one up the tree (none: keep)."""

    mode: str = "keep"
    months: int | None = None
    notice_days: int = 30
    org_id: int | None = None  # where it is set; None: nowhere, the default
    org_name: str = ""

    def describe(self) -> str:
        if self.mode == "clear_all":
            return "年末清零"
        if self.mode == "clear_older":
            return f"清除{self.months}个月前获得的积分"
        return "保留"


def turn_of_year(year: int) -> datetime:
    """The moment year ends and year + 1 begins, local midnight, in UTC."""
    return datetime(year + 1, 1, 1, tzinfo=zone()).astimezone(timezone.utc)


def lapse_day(year: int) -> date:
    return date(year + 1, 1, 1)


def cutoff(policy: Policy, year: int) -> datetime | None:
    """Points earned before this moment lapse (less what was spent); None: nothing lapses."""
    if policy.mode == "clear_all":
        return turn_of_year(year)
    if policy.mode == "clear_older":
        y, m = divmod((year + 1) * 12 - policy.months, 12)
        return datetime(y, m + 1, 1, tzinfo=zone()).astimezone(timezone.utc)
    return None


def policies_by_org(orgs: list[Org]) -> dict[int, Policy]:
    """Each organisation's policy in force: its own, else the nearest ancestor's, else keep."""
    own = {p.org_id: p for p in db.session.scalars(select(SettlementPolicy))}
    names = dict(db.session.execute(select(Org.id, Org.name).where(Org.id.in_(list(own) or [0]))).all())
    found = {}
    for org in orgs:
        chain = [int(i) for i in org.path.strip("/").split("/") if i][::-1]  # the org itself, then up
        policy = Policy()
        for org_id in chain:
            if org_id in own:
                p = own[org_id]
                policy = Policy(p.mode, p.months, p.notice_days, org_id, names.get(org_id, ""))
                break
        found[org.id] = policy
    return found


@dataclass
class Figures:
    """One member's numbers for a year's settlement."""

    member_id: int
    org_id: int
    spendable: int
    earned_before: int
    taken: int
    policy: Policy
    cut: datetime | None

    @property
    def lapse(self) -> int:
        if self.cut is None:
            return 0
        return max(0, min(self.spendable, self.earned_before - self.taken))

    def why(self, year: int) -> str:
        p = self.policy
        source = f"（{p.org_name}的设置）" if p.org_id else "（未设置结算规则，默认保留）"
        if p.mode == "keep":
            return "积分保留" + source
        if p.mode == "clear_all":
            return f"{year}年底超市积分全部到期" + source
        day = self.cut.astimezone(zone())
        return (f"{day:%Y年%-m月%-d日}前获得{self.earned_before}分，已使用{self.taken}分，"
                f"未用完的{self.lapse}分到期" + source)


def figures(year: int, orgs: list[Org], member_ids: list[int] | None = None) -> list[Figures]:
    """Every member of these organisations (or only member_ids among them), with what would lapse."""
    policy_of = policies_by_org(orgs)
    turn = turn_of_year(year)
    groups: dict[Policy, list[int]] = {}
    for org in orgs:
        groups.setdefault(policy_of[org.id], []).append(org.id)
    out = []
    for policy, org_ids in groups.items():
        cut = cutoff(policy, year)
        base = (select(Member.id, Member.org_id, Balance.spendable)
                .join(Balance, Balance.member_id == Member.id).where(Member.org_id.in_(org_ids)))
        if member_ids is not None:
            base = base.where(Member.id.in_(member_ids))
        if cut is None:
            out.extend(Figures(r.id, r.org_id, r.spendable, 0, 0, policy, None) for r in db.session.execute(base))
            continue
        earned = func.coalesce(func.sum(case((and_(LedgerEntry.delta_spendable > 0, LedgerEntry.occurred_at < cut),
                                              LedgerEntry.delta_spendable), else_=0)), 0)
        taken = func.coalesce(func.sum(case((and_(LedgerEntry.delta_spendable < 0, LedgerEntry.occurred_at < turn),
                                             -LedgerEntry.delta_spendable), else_=0)), 0)
        stmt = (base.add_columns(earned.label("earned"), taken.label("taken"))
                .outerjoin(LedgerEntry, LedgerEntry.member_id == Member.id)
                .group_by(Member.id, Member.org_id, Balance.spendable))
        out.extend(Figures(r.id, r.org_id, r.spendable, int(r.earned), int(r.taken), policy, cut)
                   for r in db.session.execute(stmt))
    return out


def expire_key(year: int, member_id: int) -> str:
    return f"expire:{year}:{member_id}"


def expired_in(year: int, member_ids: list[int] | None = None) -> dict[int, int]:
    """member id -> points already expired by the settlement of year."""
    stmt = select(LedgerEntry.member_id, LedgerEntry.delta_spendable).where(
        LedgerEntry.kind == "expire", LedgerEntry.idempotency_key.like(f"expire:{year}:%"))
    if member_ids is not None:
        stmt = stmt.where(LedgerEntry.member_id.in_(member_ids))
    return {m: -d for m, d in db.session.execute(stmt)}
