"""Shops, goods and stock (进货、盘点、报损): every change of stock is a movement."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, insert, literal, or_, select, update

from points_mall.errors import DomainError, Forbidden, NotFound
from points_mall.extensions import db
from points_mall.people.models import Grant, Member, Org
from points_mall.mall.models import Product, Shop, StockMovement
from points_mall.mall.models import LIMIT_PERIODS
from points_mall.audit import trail as audit
from points_mall.notify import notify
from points_mall.mall import uploads
from points_mall.people.access import Actor, get_org, require_org
from points_mall.common.clock import utcnow
from points_mall.common.tx import committed

MANUAL_KINDS = ("purchase", "adjustment", "loss")
PRODUCT_FIELDS = ("name", "description", "image_url", "category", "points_price", "per_member_limit", "limit_period",
                  "available_from", "available_until", "active", "low_stock_threshold")


def create_shop(actor: Actor, name: str, org_id: int, address: str = "", opening_hours: str = "") -> Shop:
    org = get_org(org_id)
    require_org(actor, "admin", org)
    shop = Shop(name=name.strip(), org_id=org.id, org=org, address=address, opening_hours=opening_hours, active=True)
    with committed("duplicate_shop"):
        db.session.add(shop)
        db.session.flush()
        audit.record(actor, "shop.create", "shop", shop.id,
                     after=audit.snapshot(shop, ("name", "org_id", "address", "opening_hours", "active")))
    return shop


def get_shop(shop_id: int) -> Shop:
    shop = db.session.get(Shop, shop_id)
    if shop is None or not shop.active:
        raise NotFound("unknown_shop", details={"shop_id": shop_id})
    return shop


def in_line(shop: Shop, member: Member) -> bool:
    """A member's line (本组织上下级): their organisation, every one above it and every one below it.
    A shop serves the members of its line: the committee's shop the whole park, a branch's its branch."""
    return member.org.path.startswith(shop.org.path) or shop.org.path.startswith(member.org.path)


def line_of(member: Member):
    """in_line as a SQL condition on Org joined to Shop."""
    return or_(literal(member.org.path).startswith(Org.path), Org.path.startswith(member.org.path))


def shop_for(member: Member, shop_id: int) -> Shop:
    """An open shop of the member's line, where they may look and redeem."""
    shop = get_shop(shop_id)
    if not in_line(shop, member):
        raise Forbidden("out_of_line", details={"shop_id": shop.id})
    return shop


def require_keeper(actor: Actor, shop: Shop) -> None:
    """A keeper granted this shop, or an admin over the shop's organisation."""
    if not actor.covers_shop(shop.id, shop.org):
        raise Forbidden("out_of_scope:shop", details={"shop_id": shop.id})


def kept_by(actor: Actor) -> list[Shop]:
    shops = db.session.scalars(select(Shop).where(Shop.active).order_by(Shop.id)).all()
    return [s for s in shops if actor.covers_shop(s.id, s.org)]


def open_shops() -> list[Shop]:
    return list(db.session.scalars(select(Shop).where(Shop.active).order_by(Shop.id)))


def _check_product(product: Product) -> None:
    if not product.name or product.points_price is None or product.points_price <= 0:
        raise DomainError("invalid_product")
    if (product.per_member_limit is None) != (product.limit_period is None) or \
            (product.limit_period and product.limit_period not in LIMIT_PERIODS):
        raise DomainError("invalid_limit")
    if product.available_from and product.available_until and product.available_until <= product.available_from:
        raise DomainError("invalid_time:availability")


def create_product(actor: Actor, shop_id: int, **fields) -> Product:
    shop = get_shop(shop_id)
    require_keeper(actor, shop)
    values = {"active": True, "low_stock_threshold": 5} | {k: v for k, v in fields.items() if k in PRODUCT_FIELDS}
    values["image_url"] = uploads.check_image_url(values.get("image_url") or "")
    product = Product(shop_id=shop.id, on_hand=0, **values)
    _check_product(product)
    with committed("duplicate_product"):
        db.session.add(product)
        db.session.flush()
        audit.record(actor, "product.create", "product", product.id,
                     after=audit.snapshot(product, ("shop_id", *PRODUCT_FIELDS)))
    return product


def edit_product(actor: Actor, product_id: int, **fields) -> Product:
    product = get_product(product_id)
    require_keeper(actor, product.shop)
    if fields.get("image_url", product.image_url) != product.image_url:  # a picture kept as it was is not re-checked
        fields["image_url"] = uploads.check_image_url(fields["image_url"] or "")
    with committed("duplicate_product"):  # renamed onto another of the shop's goods
        before = audit.snapshot(product, PRODUCT_FIELDS)
        for name, value in fields.items():
            if name in PRODUCT_FIELDS:
                setattr(product, name, value)
        _check_product(product)
        audit.record(actor, "product.edit", "product", product.id, before, audit.snapshot(product, PRODUCT_FIELDS))
    return product


def get_product(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound("unknown_product", details={"product_id": product_id})
    return product


def listing_for(actor: Actor, shop_id: int) -> list[Product]:
    """The goods as the caller sees them: a shop's keeper or admin all of them, a member those on sale
    in a shop of their line."""
    shop = get_shop(shop_id)
    if actor.covers_shop(shop.id, shop.org):
        return listing(shop.id, staff_view=True)
    if actor.kind == "member":
        shop_for(db.session.get(Member, actor.id), shop.id)
    return listing(shop.id, staff_view=bool(actor.grants))


def listing(shop_id: int, staff_view: bool) -> list[Product]:
    get_shop(shop_id)
    query = select(Product).where(Product.shop_id == shop_id).order_by(Product.category, Product.id)
    if not staff_view:
        now = utcnow()
        query = query.where(Product.active,
                            (Product.available_from.is_(None)) | (Product.available_from <= now),
                            (Product.available_until.is_(None)) | (Product.available_until > now))
    return list(db.session.scalars(query))


def move_stock(actor: Actor, product_id: int, delta: int, kind: str, unit_cost: Decimal | None = None,
               funding_org_id: int | None = None, note: str = "") -> StockMovement:
    """A keeper's stock change: a purchase (with cost and funder), a count adjustment, or a loss."""
    product = get_product(product_id)
    require_keeper(actor, product.shop)
    if kind not in MANUAL_KINDS:
        raise DomainError("invalid_kind:stock", details={"allowed": list(MANUAL_KINDS)})
    if delta == 0 or (kind == "purchase" and delta < 0) or (kind == "loss" and delta > 0):
        raise DomainError("invalid_quantity")
    if kind == "purchase":
        if unit_cost is None or unit_cost < 0 or funding_org_id is None:
            raise DomainError("invalid_purchase")
        get_org(funding_org_id)
    with committed("conflict"):
        after = change_on_hand(product.id, delta)
        if after is None:
            raise DomainError("out_of_stock", details={"product_id": product.id, "product": product.name, "on_hand": product.on_hand})
        movement = StockMovement(product_id=product.id, kind=kind, quantity=delta,
                                 unit_cost=unit_cost if kind == "purchase" else None,
                                 funding_org_id=funding_org_id if kind == "purchase" else None,
                                 actor=actor.key, note=note, created_at=utcnow())
        db.session.add(movement)
        db.session.flush()
        audit.record(actor, f"stock.{kind}", "stock_movement", movement.id, {"on_hand": after - delta},
                     {"on_hand": after, "product_id": product.id, "quantity": delta, "unit_cost": movement.unit_cost,
                      "funding_org_id": movement.funding_org_id, "note": note})
        warn_if_low(product, after, after - delta)
    return movement


def change_on_hand(product_id: int, delta: int) -> int | None:
    """The conditional UPDATE: stock never goes below zero. None when there is not enough."""
    return db.session.execute(
        update(Product).where(Product.id == product_id, Product.on_hand + delta >= 0)
        .values(on_hand=Product.on_hand + delta).returning(Product.on_hand)
    ).scalar_one_or_none()


def record_movement(product_id: int, kind: str, quantity: int, redemption_id: int, actor: str) -> None:
    db.session.execute(insert(StockMovement).values(product_id=product_id, kind=kind, quantity=quantity,
                                                    redemption_id=redemption_id, actor=actor, note="",
                                                    created_at=utcnow()))


def warn_if_low(product: Product, after: int, before: int) -> None:
    """Tell the shop's keepers once, when stock falls below the threshold."""
    if not (after < product.low_stock_threshold <= before):
        return
    keepers = db.session.execute(select(Grant.member_id, Grant.staff_id).where(
        Grant.role == "shopkeeper", Grant.shop_id == product.shop_id)).all()
    for member_id, staff_id in keepers:
        notify.emit("low_stock", "库存不足", f"{product.name}仅剩{after}件，请及时补货",
                    member_id=member_id, staff_id=staff_id, data={"product_id": product.id, "on_hand": after})


def average_costs(product_ids: list[int]) -> dict[int, Decimal]:
    """Average purchase cost per unit, the value at cost of what is redeemed."""
    rows = db.session.execute(
        select(StockMovement.product_id, func.sum(StockMovement.quantity * StockMovement.unit_cost),
               func.sum(StockMovement.quantity))
        .where(StockMovement.product_id.in_(product_ids), StockMovement.kind == "purchase")
        .group_by(StockMovement.product_id)).all()
    costs = {pid: (Decimal(value) / qty).quantize(Decimal("0.01")) for pid, value, qty in rows if qty}
    return {pid: costs.get(pid, Decimal("0.00")) for pid in product_ids}


def funding_shares(product_ids: list[int]) -> dict[int, dict[int, Decimal]]:
    """For each product, the share of its purchase value paid by each funder (党工委 or a branch)."""
    rows = db.session.execute(
        select(StockMovement.product_id, StockMovement.funding_org_id,
               func.sum(StockMovement.quantity * StockMovement.unit_cost))
        .where(StockMovement.product_id.in_(product_ids), StockMovement.kind == "purchase")
        .group_by(StockMovement.product_id, StockMovement.funding_org_id)).all()
    totals: dict[int, Decimal] = {}
    for pid, _, value in rows:
        totals[pid] = totals.get(pid, Decimal(0)) + Decimal(value or 0)
    shares: dict[int, dict[int, Decimal]] = {}
    for pid, funder, value in rows:
        if totals[pid]:
            shares.setdefault(pid, {})[funder] = Decimal(value or 0) / totals[pid]
    return shares


def is_available(product: Product, at: datetime) -> bool:
    return product.active and (product.available_from is None or product.available_from <= at) and \
        (product.available_until is None or at < product.available_until)
