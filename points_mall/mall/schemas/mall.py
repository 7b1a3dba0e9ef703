"""Shops, goods, stock, redemptions, reports."""
from marshmallow import Schema, fields, post_load, validate

from points_mall.mall.models import LIMIT_PERIODS
from points_mall.activities import codes
from points_mall.common.fields import (
    Day, Flag, Id, Int, MaskedName, MaskedPhone, Moment, Number, Patch, PickupCode, Query, Text, Upload)


class ShopIn(Schema):
    name = Text(required=True, validate=validate.Length(1, 100))
    org_id = Id(required=True)
    address = Text(load_default="", validate=validate.Length(0, 200))
    opening_hours = Text(load_default="", validate=validate.Length(0, 100))


class ShopOut(Schema):
    id = fields.Integer()
    name = fields.String()
    org_id = fields.Integer()
    address = fields.String()
    opening_hours = fields.String()


class ProductIn(Schema):
    shop_id = Id(required=True)
    name = Text(required=True, validate=validate.Length(1, 100))
    description = Text(multi_line=True, load_default="", validate=validate.Length(0, 2000))
    image_url = Text(load_default="", validate=validate.Length(0, 300))
    category = Text(load_default="", validate=validate.Length(0, 50))
    points_price = Int(required=True, validate=validate.Range(1, 100000))
    per_member_limit = Int(load_default=None, allow_none=True, validate=validate.Range(1, 1000))
    limit_period = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LIMIT_PERIODS))
    available_from = Moment(load_default=None, allow_none=True)
    available_until = Moment(load_default=None, allow_none=True)
    low_stock_threshold = Int(load_default=5, validate=validate.Range(0, 10000))


class ProductPatch(Patch, ProductIn):
    active = Flag()

    class Meta:
        exclude = ("shop_id",)


class ProductOut(Schema):
    id = fields.Integer()
    shop_id = fields.Integer()
    name = fields.String()
    description = fields.String()
    image_url = fields.String()
    category = fields.String()
    points_price = fields.Integer()
    per_member_limit = fields.Integer(allow_none=True)
    limit_period = fields.String(allow_none=True)
    available_from = fields.DateTime(allow_none=True)
    available_until = fields.DateTime(allow_none=True)
    active = Flag()
    on_hand = fields.Integer()
    low_stock_threshold = fields.Integer()


class ProductQuery(Query):
    shop_id = Id(required=True)


class StockIn(Schema):
    delta = Int(required=True, validate=validate.Range(-100000, 100000))
    kind = fields.String(required=True, validate=validate.OneOf(["purchase", "adjustment", "loss"]))
    unit_cost = Number(load_default=None, allow_none=True, places=2, validate=validate.Range(0, 100000))
    funding_org_id = Id(load_default=None, allow_none=True, metadata={
        "description": "出资的组织：党工委或企业支部（进货时必填）"})
    funding_source = Id(load_default=None, allow_none=True, metadata={
        "deprecated": True, "description": "旧名，同 funding_org_id"})
    note = Text(multi_line=True, load_default="", validate=validate.Length(0, 200))

    @post_load
    def _one_name(self, data, **kwargs):
        """funding_source is the old name of funding_org_id: still accepted, never both meanings."""
        old = data.pop("funding_source", None)
        if data.get("funding_org_id") is None:
            data["funding_org_id"] = old
        return data


class MovementOut(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    kind = fields.String()
    delta = fields.Integer(attribute="quantity", dump_only=True)
    quantity = fields.Integer(metadata={"deprecated": True, "description": "旧名，同 delta"})
    unit_cost = Number(allow_none=True)
    funding_org_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class Item(Schema):
    product_id = Id(required=True)
    qty = Int(required=True, validate=validate.Range(1, 99))


class RedeemIn(Schema):
    shop_id = Id(required=True)
    items = fields.List(fields.Nested(Item), required=True, validate=validate.Length(1, 20))


class LineOut(Schema):
    product_id = fields.Integer()
    name = fields.Function(lambda l: l.product.name)
    qty = fields.Integer(attribute="quantity", dump_only=True)
    quantity = fields.Integer(metadata={"deprecated": True, "description": "旧名，同 qty"})
    points_price = fields.Integer()


class RedemptionOut(Schema):
    id = fields.Integer()
    status = fields.String()
    shop_id = fields.Integer()
    shop_name = fields.Function(lambda r: r.shop.name)
    pickup_code = fields.String()
    expires_at = fields.DateTime()
    total_points = fields.Integer()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(LineOut))


class MyRedemptionOut(RedemptionOut):
    """The member's own order, with the pickup code drawn as a QR for the counter's scanner."""

    pickup_qr_svg = fields.Function(lambda r: codes.svg(r.pickup_code) if r.status == "reserved" else None)


class PickupIn(Schema):
    pickup_code = PickupCode(required=True)


class CounterView(RedemptionOut):
    """What the keeper sees at the counter: the goods and a masked member, nothing more."""

    member_name = MaskedName("member.name")
    member_phone = MaskedPhone("member.phone")
    member_org = fields.Function(lambda r: r.member.org.name)

    class Meta:
        exclude = ("pickup_code",)


class HandoverQuery(Query):
    shop_id = Id(required=True)
    status = fields.String(load_default=None, validate=validate.OneOf(["reserved", "fulfilled", "cancelled",
                                                                       "expired"]))
    today = Flag(load_default=False)


class ReportQuery(Query):
    start = Day(required=True, data_key="from")
    end = Day(required=True, data_key="to")
    org_id = Id(required=True)
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "xlsx"]))


class Bucket(Schema):
    name = fields.String()
    redeemers = fields.Integer()
    orders = fields.Integer()
    items = fields.Integer()
    points = fields.Integer()
    value_at_cost = fields.Float()


class Funder(Schema):
    funding_org_id = fields.Integer()
    name = fields.String()
    value_at_cost = fields.Float()


class MallReport(Bucket):
    """The totals (a Bucket for the whole organisation) and their breakdowns."""

    org = fields.String()
    headline = fields.String()
    by_funding_source = fields.List(fields.Nested(Funder))
    by_shop = fields.List(fields.Nested(Bucket))
    by_branch = fields.List(fields.Nested(Bucket))
    by_month = fields.List(fields.Nested(Bucket))

    class Meta:
        exclude = ("name",)


class StockQuery(Query):
    shop_id = Id(required=True)
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "xlsx"]))


class StockLine(Schema):
    product_id = fields.Integer()
    name = fields.String()
    on_hand = fields.Integer()
    low = Flag()
    movements = fields.Dict(keys=fields.String(), values=fields.Integer())
    movements_total = fields.Integer()
    average_cost = fields.Float()
    stock_value = fields.Float()


class ShopPatch(Patch):
    name = Text(validate=validate.Length(1, 100))
    org_id = Id()
    address = Text(validate=validate.Length(0, 200))
    opening_hours = Text(validate=validate.Length(0, 100))
    active = Flag()


class ShopKept(ShopOut):
    active = Flag()
    org = fields.Function(lambda s: s.org.name if s.org else "")


PhotoIn = Upload


class PhotoOut(Schema):
    key = fields.String()
    url = fields.String(metadata={"description": "图片地址，内容不变，可长期缓存；填入商品的 image_url"})
    content_type = fields.String()
    size = fields.Integer()
