"""Reports for the committee: who redeemed what, worth how much at cost, paid by whom."""
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from points_mall.extensions import db
from points_mall.people.models import Member, Org
from points_mall.mall.models import Product, Redemption, RedemptionLine, Shop, StockMovement
from points_mall.mall import shop as shops
from points_mall.people.access import Actor, get_org, require_org
from points_mall.common.clock import local
from points_mall.common.records import names_of


def _yuan(value) -> float:
    return float(Decimal(value or 0).quantize(Decimal("0.01")))


def mall(actor: Actor, start: datetime, end: datetime, org_id: int) -> dict:
    """Handed-over goods in [start, end) for members of the organisation's subtree."""
    org = get_org(org_id)
    require_org(actor, "admin", org)
    rows = db.session.execute(
        select(Redemption.id, Redemption.member_id, Redemption.closed_at, Shop.name, Org.name,
               RedemptionLine.product_id, RedemptionLine.quantity, RedemptionLine.points_price,
               RedemptionLine.unit_cost)
        .join(RedemptionLine, RedemptionLine.redemption_id == Redemption.id)
        .join(Shop, Shop.id == Redemption.shop_id)
        .join(Member, Member.id == Redemption.member_id).join(Org, Org.id == Member.org_id)
        .where(Redemption.status == "fulfilled", Redemption.closed_at >= start, Redemption.closed_at < end,
               Org.path.startswith(org.path))).all()
    shares = shops.funding_shares(list({r.product_id for r in rows}))
    by = {k: defaultdict(lambda: {"redeemers": set(), "orders": set(), "items": 0, "points": 0,
                                  "value": Decimal(0)}) for k in ("shop", "branch", "month")}
    by_funder: dict[int, Decimal] = defaultdict(Decimal)
    total = {"redeemers": set(), "orders": set(), "items": 0, "points": 0, "value": Decimal(0)}
    for r in rows:
        value = Decimal(r.unit_cost) * r.quantity
        keys = {"shop": r[3], "branch": r[4], "month": local(r.closed_at).strftime("%Y-%m")}
        for bucket in [total] + [by[k][v] for k, v in keys.items()]:
            bucket["redeemers"].add(r.member_id)
            bucket["orders"].add(r.id)
            bucket["items"] += r.quantity
            bucket["points"] += r.quantity * r.points_price
            bucket["value"] += value
        for funder, share in shares.get(r.product_id, {}).items():
            by_funder[funder] += value * share
    names = names_of(Org, by_funder)

    def flat(name, b):
        return {"name": name, "redeemers": len(b["redeemers"]), "orders": len(b["orders"]), "items": b["items"],
                "points": b["points"], "value_at_cost": _yuan(b["value"])}

    summary = flat(org.name, total)
    return {
        **{k: v for k, v in summary.items() if k != "name"},
        "org": org.name, "from": start, "to": end,
        "headline": f"{summary['redeemers']}人兑换物品，价值{summary['value_at_cost']:,.2f}元",
        "by_funding_source": sorted(({"funding_org_id": f, "name": names.get(f, ""), "value_at_cost": _yuan(v)}
                                     for f, v in by_funder.items()), key=lambda x: -x["value_at_cost"]),
        "by_shop": [flat(k, v) for k, v in sorted(by["shop"].items())],
        "by_branch": [flat(k, v) for k, v in sorted(by["branch"].items())],
        "by_month": [flat(k, v) for k, v in sorted(by["month"].items())],
    }


def stock(actor: Actor, shop_id: int) -> list[dict]:
    """Each product's stock on hand and the movements that explain it, by kind."""
    shop = shops.get_shop(shop_id)
    shops.require_keeper(actor, shop)
    products = db.session.scalars(select(Product).where(Product.shop_id == shop_id).order_by(Product.id)).all()
    sums = defaultdict(dict)
    for pid, kind, qty in db.session.execute(
            select(StockMovement.product_id, StockMovement.kind, func.sum(StockMovement.quantity))
            .join(Product).where(Product.shop_id == shop_id)
            .group_by(StockMovement.product_id, StockMovement.kind)):
        sums[pid][kind] = int(qty)
    costs = shops.average_costs([p.id for p in products]) if products else {}
    return [{"product_id": p.id, "name": p.name, "on_hand": p.on_hand, "low": p.on_hand < p.low_stock_threshold,
             "movements": sums[p.id], "movements_total": sum(sums[p.id].values()),
             "average_cost": _yuan(costs.get(p.id)), "stock_value": _yuan(costs.get(p.id, 0) * p.on_hand)}
            for p in products]


def mall_sheets(report: dict) -> list[tuple[str, list[str], list[list]]]:
    head = ["名称", "兑换人数", "订单数", "件数", "积分", "成本价值（元）"]

    def table(rows):
        return [[r["name"], r["redeemers"], r["orders"], r["items"], r["points"], r["value_at_cost"]] for r in rows]
    return [
        ("汇总", ["组织", "兑换人数", "订单数", "件数", "积分", "成本价值（元）", "说明"],
         [[report["org"], report["redeemers"], report["orders"], report["items"], report["points"],
           report["value_at_cost"], report["headline"]]]),
        ("按出资方", ["出资方", "成本价值（元）"], [[r["name"], r["value_at_cost"]] for r in report["by_funding_source"]]),
        ("按超市", head, table(report["by_shop"])),
        ("按支部", head, table(report["by_branch"])),
        ("按月份", head, table(report["by_month"])),
    ]
