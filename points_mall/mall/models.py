"""The points supermarket (积分超市): shops, goods, stock movements, redemptions."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from points_mall.extensions import db
from points_mall.people.models import Org
from points_mall.common.types import UTCDateTime, utcnow

LIMIT_PERIODS = ("month", "year")


class Shop(db.Model):
    __tablename__ = "shop"
    __table_args__ = (Index("uq_shop_name", "org_id", "name", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))  # the owning organisation
    address: Mapped[str] = mapped_column(String(200), default="")
    opening_hours: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    org: Mapped[Org] = relationship()


class Product(db.Model):
    __tablename__ = "product"
    __table_args__ = (CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
                      Index("uq_product_name", "shop_id", "name", unique=True))

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    image_url: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str] = mapped_column(String(50), default="")
    points_price: Mapped[int] = mapped_column(Integer)
    per_member_limit: Mapped[int | None] = mapped_column(Integer)
    limit_period: Mapped[str | None] = mapped_column(String(10))
    available_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    available_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)  # always the sum of its movements
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=5)

    shop: Mapped[Shop] = relationship()


class StockMovement(db.Model):
    """Every change of stock; purchases carry their cost and who paid for them."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        # The average cost of a product, read by every order, sums its purchases only: an order adds a
        # movement too, and without this each order would read all the orders before it.
        Index("ix_stock_movement_purchases", "product_id", "quantity", "unit_cost",
              postgresql_where=text("kind = 'purchase'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)  # signed
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))  # yuan, purchases
    funding_org_id: Mapped[int | None] = mapped_column(ForeignKey("org.id"))  # 党工委 or a company branch
    redemption_id: Mapped[int | None] = mapped_column(ForeignKey("redemption.id"), index=True)
    actor: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Redemption(db.Model):
    """An order: reserved → fulfilled | cancelled | expired, each by one guarded UPDATE."""

    __tablename__ = "redemption"
    __table_args__ = (
        UniqueConstraint("member_id", "idempotency_key"),
        # A pickup code is unique among the orders still open at the counter.
        Index("uq_redemption_open_pickup_code", "pickup_code", unique=True,
              postgresql_where=text("status = 'reserved'")),
        Index("ix_redemption_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="reserved")
    total_points: Mapped[int] = mapped_column(Integer)
    pickup_code: Mapped[str] = mapped_column(String(8))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(40))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # "expires in 24 h" sent

    lines: Mapped[list["RedemptionLine"]] = relationship(order_by="RedemptionLine.product_id")
    shop: Mapped[Shop] = relationship()
    member: Mapped["Member"] = relationship()  # noqa: F821  (people.models)


class RedemptionLine(db.Model):
    __tablename__ = "redemption_line"

    redemption_id: Mapped[int] = mapped_column(ForeignKey("redemption.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    points_price: Mapped[int] = mapped_column(Integer)
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(10, 2))  # average purchase cost when reserved

    product: Mapped[Product] = relationship()


class PhotoUpload(db.Model):
    """Who uploaded a photo (keys are content hashes, so one photo may have several uploaders): evidence on a
    declaration is a photo its member uploaded, and a product's image one of ours."""

    __tablename__ = "photo_upload"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    owner: Mapped[str] = mapped_column(String(40), primary_key=True)  # an actor key: member:7, staff:3
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
