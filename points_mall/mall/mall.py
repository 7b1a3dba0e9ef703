"""Redemption (兑换) and handover at the counter (核销).

An order reserves stock and takes points in one transaction; it then moves once, by a
guarded UPDATE, from reserved to fulfilled (the keeper hands the goods over), cancelled
(the member changed their mind) or expired (nobody came); the last two give everything back.
"""
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from points_mall.errors import Conflict, DomainError, Forbidden, NotFound
from points_mall.extensions import db
from points_mall.people.models import Member
from points_mall.mall.models import Product, Redemption, RedemptionLine
from points_mall.audit import trail as audit
from points_mall.points import ledger
from points_mall.notify import notify
from points_mall.mall import shop as shops
from points_mall.people.access import Actor, member_key
from points_mall.common.clock import period_bounds, utcnow
from points_mall.common import tx
from points_mall.common.tx import committed

MAX_LINES = 20
MAX_QTY = 99
CLOSED_ANSWERS = {"fulfilled": "already_fulfilled", "cancelled": "order_cancelled", "expired": "order_expired"}


def _wanted(items: list[dict]) -> dict[int, int]:
    wanted: dict[int, int] = {}
    for item in items:
        wanted[item["product_id"]] = wanted.get(item["product_id"], 0) + item["qty"]
    if not wanted or len(wanted) > MAX_LINES or any(q < 1 or q > MAX_QTY for q in wanted.values()):
        raise DomainError("invalid_items", details={"max_lines": MAX_LINES, "max_qty": MAX_QTY})
    return wanted


def redeem(member_id: int, shop_id: int, items: list[dict], idempotency_key: str) -> Redemption:
    """Reserve goods for points: all items or none; a retried key returns the first order."""
    idempotency_key = tx.idempotency_key(idempotency_key)
    wanted = _wanted(items)
    with committed("conflict", keep=True):
        # One member's orders queue behind each other: retries and limits see the order before.
        spendable = ledger.lock_balance(member_id)
        # A member switched off spends nothing, even with a token issued before (it lives for days).
        member = db.session.get(Member, member_id, populate_existing=True)  # read after the lock, not remembered
        if member.status != "active":
            raise Forbidden("member_inactive")
        earlier = db.session.scalar(select(Redemption).where(Redemption.member_id == member_id,
                                                             Redemption.idempotency_key == idempotency_key))
        if earlier is not None:
            if earlier.shop_id != shop_id or {l.product_id: l.quantity for l in earlier.lines} != wanted:
                raise Conflict("idempotency_key_reused")
            return earlier
        shop = shops.shop_for(member, shop_id)
        products = _available(shop.id, wanted)
        # Sold out already: refuse before any work (the conditional UPDATE below stays the judge).
        for product in products:
            if product.on_hand < wanted[product.id]:
                raise _out_of_stock(product)
        _check_limits(member_id, products, wanted)
        total = sum(p.points_price * wanted[p.id] for p in products)
        if total > spendable:
            raise ledger.insufficient_points(total, spendable)
        order = _open_order(member_id, shop.id, total, idempotency_key)
        order.shop = shop  # the answer names it: held, not read again after the commit
        costs = shops.average_costs([p.id for p in products])
        for product in products:
            qty = wanted[product.id]
            shops.record_movement(product.id, "redemption", -qty, order.id, member_key(member_id))
            order.lines.append(RedemptionLine(product=product, quantity=qty, points_price=product.points_price,
                                              unit_cost=costs[product.id]))
        ledger.spend(member_id, total, key=f"redeem:{order.id}", source=("redemption", order.id),
                     actor=member_key(member_id), reason=f"兑换：{shop.name}")
        notify.emit("redemption_reserved", "兑换成功", f"请凭取货码 {order.pickup_code} 到{shop.name}领取",
                    member_id=member_id, data={"redemption_id": order.id})
        # The stock last, right before the commit: every order of a product waits for the one holding its
        # row, so the row is held for the commit only, not for the whole order (the guarded UPDATE is
        # still the judge: sold out here undoes all of the above).
        for product in products:  # in id order, so concurrent orders lock rows in one order
            qty = wanted[product.id]
            after = shops.change_on_hand(product.id, -qty)
            if after is None:
                raise _out_of_stock(product)
            shops.warn_if_low(product, after, after + qty)
    return order


def _out_of_stock(product: Product) -> DomainError:
    return DomainError("out_of_stock", details={"product_id": product.id, "product": product.name})


def _available(shop_id: int, wanted: dict[int, int]) -> list[Product]:
    products = db.session.scalars(select(Product).where(Product.id.in_(wanted), Product.shop_id == shop_id)
                                  .order_by(Product.id)).all()
    now = utcnow()
    unavailable = sorted(set(wanted) - {p.id for p in products if shops.is_available(p, now)})
    if unavailable:
        raise DomainError("not_available", details={"product_ids": unavailable})
    return list(products)


def _check_limits(member_id: int, products: list[Product], wanted: dict[int, int]) -> None:
    now = utcnow()
    for product in products:
        if product.per_member_limit is None:
            continue
        start, end = period_bounds(now, product.limit_period)
        taken = db.session.scalar(
            select(func.coalesce(func.sum(RedemptionLine.quantity), 0))
            .join(Redemption, RedemptionLine.redemption_id == Redemption.id)
            .where(Redemption.member_id == member_id, RedemptionLine.product_id == product.id,
                   Redemption.status.in_(("reserved", "fulfilled")),
                   Redemption.created_at >= start, Redemption.created_at < end))
        if taken + wanted[product.id] > product.per_member_limit:
            raise DomainError("limit_exceeded", details={
                "product_id": product.id, "product": product.name, "limit": product.per_member_limit, "taken": taken,
                "period": "月" if product.limit_period == "month" else "年"})


def _open_order(member_id: int, shop_id: int, total: int, key: str) -> Redemption:
    """Insert the order with an 8-digit pickup code not used by any other open order."""
    expires_at = utcnow() + timedelta(days=current_app.config["PICKUP_DAYS"])
    for _ in range(10):
        order = Redemption(member_id=member_id, shop_id=shop_id, status="reserved", total_points=total,
                           pickup_code=f"{secrets.randbelow(10 ** 8):08d}", idempotency_key=key,
                           expires_at=expires_at, created_at=utcnow(), lines=[])
        try:
            with db.session.begin_nested():
                db.session.add(order)
            return order
        except IntegrityError:
            continue  # that code is open at the counter already: draw again
    raise Conflict("conflict")


def _move(order_id: int, to: str, actor_key: str, *conditions) -> bool:
    """The one guarded UPDATE per transition: only a reserved order moves, and only once."""
    return db.session.execute(
        update(Redemption).where(Redemption.id == order_id, Redemption.status == "reserved", *conditions)
        .values(status=to, closed_at=utcnow(), closed_by=actor_key)
    ).rowcount == 1


def _refused(order: Redemption) -> DomainError:
    db.session.refresh(order)
    if order.status == "reserved":  # still reserved, so it was past its time
        return Conflict("order_expired")
    return Conflict(CLOSED_ANSWERS[order.status], details={"status": order.status, "closed_at": order.closed_at.isoformat()})


def _give_back(order: Redemption, actor_key: str, why: str) -> None:
    for line in order.lines:
        shops.change_on_hand(line.product_id, line.quantity)
        shops.record_movement(line.product_id, "return", line.quantity, order.id, actor_key)
    ledger.give_back(order.member_id, order.total_points, key=f"refund:{order.id}", source=("redemption", order.id),
                     actor=actor_key, reason=why)


def get_own(member_id: int, order_id: int) -> Redemption:
    order = db.session.get(Redemption, order_id)
    if order is None or order.member_id != member_id:
        raise NotFound("unknown_redemption")
    return order


def cancel(member_id: int, order_id: int) -> Redemption:
    order = get_own(member_id, order_id)
    with committed("conflict"):
        if not _move(order.id, "cancelled", member_key(member_id)):
            raise _refused(order)
        _give_back(order, member_key(member_id), "取消兑换，积分退回")
        notify.emit("redemption_cancelled", "订单已取消", f"已退回{order.total_points}积分",
                    member_id=member_id, data={"redemption_id": order.id})
    db.session.refresh(order)
    return order


def lookup(actor: Actor, pickup_code: str) -> Redemption:
    """The keeper types or scans the code: the open order with it in a shop they keep, else the latest closed one."""
    if not (pickup_code or "").isdigit() or len(pickup_code) != 8:
        raise DomainError("invalid_pickup_code")
    candidates = db.session.scalars(
        select(Redemption).where(Redemption.pickup_code == pickup_code)
        .order_by((Redemption.status == "reserved").desc(), Redemption.id.desc()).limit(20)).all()
    for order in candidates:
        if actor.covers_shop(order.shop_id, order.shop.org):
            return order
    raise NotFound("unknown_pickup_code")


def fulfil(actor: Actor, order_id: int) -> Redemption:
    order = db.session.get(Redemption, order_id)
    if order is None:
        raise NotFound("unknown_redemption")
    shops.require_keeper(actor, order.shop)
    with committed("conflict"):
        if not _move(order.id, "fulfilled", actor.key, Redemption.expires_at > utcnow()):
            raise _refused(order)
        audit.record(actor, "redemption.fulfil", "redemption", order.id, {"status": "reserved"},
                     {"status": "fulfilled", "member_id": order.member_id, "shop_id": order.shop_id})
        notify.emit("redemption_fulfilled", "已领取", f"您在{order.shop.name}兑换的物品已领取",
                    member_id=order.member_id, data={"redemption_id": order.id})
    db.session.refresh(order)
    return order


def expire_due(limit: int = 500) -> int:
    """Expire unclaimed orders past their time and refund them; one transaction per order."""
    due = db.session.scalars(select(Redemption.id).where(
        Redemption.status == "reserved", Redemption.expires_at <= utcnow()).order_by(Redemption.id).limit(limit)).all()
    expired = 0
    for order_id in due:
        with committed("conflict"):
            if _move(order_id, "expired", "system"):
                order = db.session.get(Redemption, order_id)
                _give_back(order, "system", "逾期未领取，积分退回")
                notify.emit("redemption_expired", "订单已过期", f"逾期未领取，已退回{order.total_points}积分",
                            member_id=order.member_id, data={"redemption_id": order.id})
                expired += 1
    return expired


def orders_of(member_id: int) -> list[Redemption]:
    return list(db.session.scalars(select(Redemption).where(Redemption.member_id == member_id)
                                   .options(selectinload(Redemption.lines)).order_by(Redemption.id.desc()).limit(100)))


def handovers(actor: Actor, shop_id: int, status: str | None, since) -> list[Redemption]:
    shop = shops.get_shop(shop_id)
    shops.require_keeper(actor, shop)
    query = select(Redemption).where(Redemption.shop_id == shop_id)
    if status:
        query = query.where(Redemption.status == status)
    if since is not None:
        query = query.where(Redemption.closed_at >= since)
    return list(db.session.scalars(query.order_by(Redemption.id.desc()).limit(200)))

