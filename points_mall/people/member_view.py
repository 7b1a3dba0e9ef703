"""What the members' pages show beyond the plain records: the shops a member can use, what their
purchase limits still allow, and for each ledger entry what it was for and who gave it."""
from sqlalchemy import func, select

from points_mall.people.access import Actor
from points_mall.extensions import db
from points_mall.activities.models import Checkin, LeaveRequest
from points_mall.people.models import Member, Org, StaffUser
from points_mall.mall.models import Redemption, RedemptionLine, Shop
from points_mall.points.models import Rule
from points_mall.activities import activities
from points_mall.points import ledger
from points_mall.mall import shop as shops
from points_mall.common.clock import period_bounds, utcnow
from points_mall.common.paging import Page, Paged
from points_mall.common.records import Extended, names_of

PERIOD_NAMES = {"month": "本月", "year": "本年"}


def shops_for(member_id: int) -> list[Shop]:
    """Active shops of the member's line: run by their organisation, one above it or one below it."""
    member = db.session.get(Member, member_id)
    return list(db.session.scalars(select(Shop).join(Org, Shop.org_id == Org.id)
                                   .where(Shop.active, shops.line_of(member)).order_by(Shop.id)))


def products_for(member_id: int, shop_id: int) -> list:
    """The shop's goods on sale now, each with how many more this member may take in its period
    (limit_left, None without a limit): one query per kind of period, not one per product."""
    shop = shops.shop_for(db.session.get(Member, member_id), shop_id)
    products = shops.listing(shop.id, staff_view=False)
    limited = [p for p in products if p.per_member_limit is not None]
    taken: dict[int, int] = {}
    for period in {p.limit_period for p in limited}:
        start, end = period_bounds(utcnow(), period)
        ids = [p.id for p in limited if p.limit_period == period]
        taken.update(db.session.execute(
            select(RedemptionLine.product_id, func.sum(RedemptionLine.quantity))
            .join(Redemption, RedemptionLine.redemption_id == Redemption.id)
            .where(Redemption.member_id == member_id, RedemptionLine.product_id.in_(ids),
                   Redemption.status.in_(("reserved", "fulfilled")),
                   Redemption.created_at >= start, Redemption.created_at < end)
            .group_by(RedemptionLine.product_id)).all())
    return [Extended(p, limit_left=None if p.per_member_limit is None else max(0, p.per_member_limit - taken.get(p.id, 0)),
                     limit_period_name=PERIOD_NAMES.get(p.limit_period)) for p in products]


def my_ledger(member_id: int, page: Page) -> Paged:
    """The member's entries, newest first, each named the way the member would say it."""
    found = ledger.history(member_id, page)
    return Paged(describe_entries(found.items, member_id), next_cursor=found.next_cursor)


def describe_entries(entries: list, member_id: int) -> list[dict]:
    """Each entry with its rule's name and who gave it, named the way a member would say it."""
    rules = names_of(Rule, (e.rule_id for e in entries if e.rule_id))
    staff_ids = {int(e.actor.split(":", 1)[1]) for e in entries
                 if (e.actor or "").startswith("staff:") and e.actor.split(":", 1)[1].isdigit()}
    staff = dict(db.session.execute(select(StaffUser.id, StaffUser.display_name)
                                    .where(StaffUser.id.in_(staff_ids))).all()) if staff_ids else {}
    return [Extended(e, rule_name=rules.get(e.rule_id), given_by=_giver(e, member_id, staff)) for e in entries]


def _giver(entry, member_id: int, staff: dict) -> str:
    kind, _, ident = (entry.actor or "").partition(":")
    if entry.source_type == "redemption":
        return "本人兑换" if entry.kind == "redeem" and ident == str(member_id) else "积分超市"
    if kind == "staff" and ident.isdigit():
        return staff.get(int(ident)) or "工作人员"
    if kind == "member":
        return "本人扫码" if ident == str(member_id) else "党员"
    return "系统"


def my_activities(member_id: int, status: str | None) -> list:
    """What the member is invited to, each with their part: checked in, on leave, absent."""
    return _with_part(member_id, activities.for_member(member_id, status))


def my_activity(member_id: int, activity_id: int):
    """One activity the member is invited to (or checked in at), with their part."""
    activity = activities.visible(Actor("member", member_id), activity_id)
    return _with_part(member_id, [activity])[0]


def _with_part(member_id: int, found: list) -> list:
    ids = [a.id for a in found]
    checkins = {c.activity_id: c for c in db.session.scalars(
        select(Checkin).where(Checkin.member_id == member_id, Checkin.activity_id.in_(ids)))} if ids else {}
    leaves = {r.activity_id: r for r in db.session.scalars(
        select(LeaveRequest).where(LeaveRequest.member_id == member_id, LeaveRequest.activity_id.in_(ids)))} if ids else {}
    now, out = utcnow(), []
    for a in found:
        c, leave = checkins.get(a.id), leaves.get(a.id)
        if c is not None:
            outcome = "present"
        elif leave is not None and leave.status == "approved":
            outcome = "on_leave"
        elif a.ends_at < now and a.status != "cancelled":
            outcome = "absent"
        else:
            outcome = None
        out.append(Extended(a, checked_in_at=c.scanned_at if c else None, points=c.points if c else None,
                             leave=leave, outcome=outcome))
    return out
