"""The points supermarket: goods, redemption, the counter, reports."""
from datetime import datetime, time, timedelta

from flask import current_app, request
from flask_smorest import Blueprint

from points_mall.extensions import limiter
from points_mall.mall.schemas.mall import (
    CounterView, HandoverQuery, MallReport, MovementOut, MyRedemptionOut, PickupIn, ProductIn, ProductOut,
    ProductPatch, ProductQuery, RedeemIn, RedemptionOut, ReportQuery, ShopIn, ShopKept, ShopOut, ShopPatch, StockIn,
    StockLine, StockQuery)
from points_mall.mall import mall, reports, shop, shop_admin
from points_mall.common.clock import local, utcnow, zone
from points_mall.common.tx import idempotency_header
from points_mall.activities.routes import XLSX_TOO, xlsx
from points_mall.common.security import (
    BEARER, current_actor, current_member_id, members_only, rate_key_subject, requires)

blp = Blueprint("mall", __name__, url_prefix="/api/v1", description="积分超市")


def lookup_limit():
    return current_app.config["LOOKUP_RATE_LIMIT"]


@blp.post("/admin/shops")
@requires("admin")
@blp.arguments(ShopIn)
@blp.response(201, ShopOut)
@blp.doc(security=[BEARER])
def create_shop(body):
    return shop.create_shop(current_actor(), **body)


@blp.get("/admin/shops")
@requires("admin")
@blp.response(200, ShopKept(many=True))
def kept_shops():
    return shop_admin.list_shops(current_actor())


@blp.patch("/admin/shops/<id:shop_id>")
@requires("admin")
@blp.arguments(ShopPatch)
@blp.response(200, ShopKept)
def edit_shop(body, shop_id):
    return shop_admin.edit_shop(current_actor(), shop_id, **body)


@blp.get("/shop/mine")
@requires("shopkeeper")
@blp.response(200, ShopOut(many=True))
@blp.doc(security=[BEARER])
def my_shops():
    return shop.kept_by(current_actor())


@blp.get("/shops")
@blp.response(200, ShopOut(many=True))
@blp.doc(security=[BEARER])
def shops():
    """The open shops, for any logged-in member or staff account (where to pick up, when it is open)."""
    current_actor()
    return shop.open_shops()


@blp.get("/products")
@requires()
@blp.arguments(ProductQuery, location="query")
@blp.response(200, ProductOut(many=True))
@blp.doc(security=[BEARER])
def products(query):
    return shop.listing_for(current_actor(), query["shop_id"])


@blp.post("/shop/products")
@requires("shopkeeper")
@blp.arguments(ProductIn)
@blp.response(201, ProductOut)
@blp.doc(security=[BEARER])
def create_product(body):
    return shop.create_product(current_actor(), **body)


@blp.patch("/shop/products/<id:product_id>")
@requires("shopkeeper")
@blp.arguments(ProductPatch(partial=True))
@blp.response(200, ProductOut)
@blp.doc(security=[BEARER])
def edit_product(body, product_id):
    return shop.edit_product(current_actor(), product_id, **body)


@blp.post("/shop/products/<id:product_id>/stock")
@requires("shopkeeper")
@blp.arguments(StockIn)
@blp.response(201, MovementOut)
@blp.doc(security=[BEARER])
def move_stock(body, product_id):
    return shop.move_stock(current_actor(), product_id, **body)


@blp.post("/redemptions")
@members_only
@blp.arguments(RedeemIn)
@blp.response(201, RedemptionOut)
@blp.doc(security=[BEARER], parameters=[idempotency_header()])
def redeem(body):
    return mall.redeem(current_member_id(), body["shop_id"], body["items"], request.headers.get("Idempotency-Key"))


@blp.get("/me/redemptions")
@members_only
@blp.response(200, RedemptionOut(many=True))
@blp.doc(security=[BEARER])
def my_orders():
    return mall.orders_of(current_member_id())


@blp.get("/redemptions/<id:redemption_id>")
@members_only
@blp.response(200, MyRedemptionOut)
@blp.doc(security=[BEARER])
def my_order(redemption_id):
    return mall.get_own(current_member_id(), redemption_id)


@blp.post("/redemptions/<id:redemption_id>/cancel")
@members_only
@blp.response(200, RedemptionOut)
@blp.doc(security=[BEARER])
def cancel(redemption_id):
    return mall.cancel(current_member_id(), redemption_id)


@blp.post("/shop/redemptions/lookup")
@requires("shopkeeper")
@limiter.limit(lookup_limit, key_func=rate_key_subject)
@blp.arguments(PickupIn)
@blp.response(200, CounterView)
@blp.doc(security=[BEARER])
def lookup(body):
    return mall.lookup(current_actor(), body["pickup_code"])


@blp.post("/shop/redemptions/<id:redemption_id>/fulfil")
@requires("shopkeeper")
@blp.response(200, CounterView)
@blp.doc(security=[BEARER])
def fulfil(redemption_id):
    return mall.fulfil(current_actor(), redemption_id)


@blp.get("/shop/redemptions")
@requires("shopkeeper")
@blp.arguments(HandoverQuery, location="query")
@blp.response(200, CounterView(many=True))
@blp.doc(security=[BEARER])
def handovers(query):
    since = datetime.combine(local(utcnow()).date(), time.min, zone()) if query["today"] else None
    return mall.handovers(current_actor(), query["shop_id"], query["status"], since)


@blp.get("/reports/mall")
@requires("admin")
@blp.arguments(ReportQuery, location="query")
@blp.response(200, MallReport)
@blp.doc(security=[BEARER], **XLSX_TOO)
def mall_report(query):
    start = datetime.combine(query["start"], time.min, zone())
    end = datetime.combine(query["end"] + timedelta(days=1), time.min, zone())
    report = reports.mall(current_actor(), start, end, query["org_id"])
    if query["format"] == "xlsx":
        return xlsx(f"兑换统计-{query['start']}至{query['end']}", sheets=reports.mall_sheets(report))
    return report


@blp.get("/reports/stock")
@requires("shopkeeper")
@blp.arguments(StockQuery, location="query")
@blp.response(200, StockLine(many=True))
@blp.doc(security=[BEARER], **XLSX_TOO)
def stock_report(query):
    lines = reports.stock(current_actor(), query["shop_id"])
    if query["format"] == "xlsx":
        return xlsx("库存报表", ["商品", "库存", "进货", "盘点调整", "报损", "兑换", "退回", "平均成本", "库存价值"],
                    [[l["name"], l["on_hand"], *(l["movements"].get(k, 0) for k in
                                                 ("purchase", "adjustment", "loss", "redemption", "return")),
                      l["average_cost"], l["stock_value"]] for l in lines])
    return lines
