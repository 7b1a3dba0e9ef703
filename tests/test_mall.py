"""Redeeming goods and handing them over at the counter; every error code; limits; expiry; scope."""
from datetime import timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from points_mall.mall import mall as mall_service

from .helpers import now


def redeem(client, park, member, shop, items, key="k-1"):
    return client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id, "items": items},
                       headers=park.auth(member) | ({"Idempotency-Key": key} if key else {}))


def rice(shop, qty=1):
    return [{"product_id": shop.products["大米5kg"], "qty": qty}]


def spendable(sql, member):
    return sql("SELECT spendable FROM balance WHERE member_id = :m", m=member.id)


def on_hand(sql, product_id):
    return sql("SELECT on_hand FROM product WHERE id = :p", p=product_id)


def test_a_member_redeems_and_the_keeper_hands_over(client, park, shop, sql, runner):
    m = park.members_a[1]
    r = redeem(client, park, m, shop, rice(shop) + [{"product_id": shop.products["毛巾"], "qty": 2}])
    assert r.status_code == 201, r.get_json()
    order = r.get_json()
    assert order["status"] == "reserved" and order["total_points"] == 70
    assert len(order["pickup_code"]) == 8 and order["pickup_code"].isdigit()
    assert spendable(sql, m) == 30
    assert on_hand(sql, shop.products["毛巾"]) == 18
    score = sql("SELECT sum(score) FROM score WHERE member_id = :m", m=m.id)
    assert score == 100  # shopping never lowers the score

    preview = client.post("/api/v1/shop/redemptions/lookup", json={"pickup_code": order["pickup_code"]},
                          headers=park.auth("keeper"))
    assert preview.status_code == 200
    view = preview.get_json()
    assert view["member_name"] == m.name[0] + "*" + m.name[-1] and "****" in view["member_phone"]
    assert "pickup_code" not in view and [l["name"] for l in view["lines"]] == ["洗衣液", "大米5kg", "毛巾"][1:]
    done = client.post(f"/api/v1/shop/redemptions/{order['id']}/fulfil", headers=park.auth("keeper"))
    assert done.status_code == 200 and done.get_json()["status"] == "fulfilled"
    again = client.post(f"/api/v1/shop/redemptions/{order['id']}/fulfil", headers=park.auth("admin"))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_fulfilled"
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0


def test_not_enough_points_changes_nothing(client, park, shop, sql):
    m = park.members_a[1]
    r = redeem(client, park, m, shop, rice(shop, 2) + [{"product_id": shop.products["洗衣液"], "qty": 1}])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "insufficient_points"
    assert r.get_json()["error"]["message"] == "积分不足"
    assert spendable(sql, m) == 100 and on_hand(sql, shop.products["大米5kg"]) == 20
    assert sql("SELECT count(*) FROM redemption") == 0


def test_out_of_stock_changes_nothing(client, park, shop, sql):
    sql("UPDATE product SET on_hand = 0 WHERE id = :p", p=shop.products["毛巾"])
    sql("INSERT INTO stock_movement (product_id, kind, quantity, actor, note, created_at) "
        "VALUES (:p, 'loss', -20, 'test', '', now())", p=shop.products["毛巾"])
    m = park.members_a[1]
    r = redeem(client, park, m, shop, [{"product_id": shop.products["洗衣液"], "qty": 1},
                                       {"product_id": shop.products["毛巾"], "qty": 1}])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "out_of_stock"
    assert on_hand(sql, shop.products["洗衣液"]) == 20 and spendable(sql, m) == 100


def test_the_monthly_limit_per_member(client, park, shop):
    m = park.members_a[1]
    assert redeem(client, park, m, shop, rice(shop, 1), "a").status_code == 201
    r = redeem(client, park, m, shop, rice(shop, 2), "b")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "limit_exceeded"
    assert r.get_json()["error"]["details"] | {"product": "大米5kg"} == {
        "product_id": shop.products["大米5kg"], "product": "大米5kg", "limit": 2, "taken": 1, "period": "月"}
    assert r.get_json()["error"]["message"] == "大米5kg每人每月限兑2件"


def test_goods_not_on_sale_are_not_available(client, park, shop, sql):
    m = park.members_a[1]
    sql("UPDATE product SET active = false WHERE id = :p", p=shop.products["毛巾"])
    sql("UPDATE product SET available_from = :t WHERE id = :p", p=shop.products["洗衣液"],
        t=now() + timedelta(days=1))
    for pid in (shop.products["毛巾"], shop.products["洗衣液"], 99999):
        r = redeem(client, park, m, shop, [{"product_id": pid, "qty": 1}], f"k{pid}")
        assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_available"
    other = client.post("/api/v1/redemptions", json={"shop_id": shop.other_shop_id, "items": rice(shop)},
                        headers=park.auth(park.members_b[1]) | {"Idempotency-Key": "x"})
    assert other.get_json()["error"]["code"] == "not_available"
    listing = client.get(f"/api/v1/products?shop_id={shop.shop_id}", headers=park.auth(m)).get_json()
    assert [p["name"] for p in listing] == ["大米5kg"]


def test_bad_orders_are_refused_clearly(client, park, shop):
    m = park.members_a[1]
    assert redeem(client, park, m, shop, rice(shop), key=None).get_json()["error"]["code"] == "idempotency_key_required"
    assert redeem(client, park, m, shop, []).status_code == 422
    assert redeem(client, park, m, shop, [{"product_id": shop.products["毛巾"], "qty": 0}]).status_code == 422
    assert client.post("/api/v1/redemptions", json={"shop_id": 999, "items": rice(shop)},
                       headers=park.auth(m) | {"Idempotency-Key": "z"}).status_code == 404
    staff = client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id, "items": rice(shop)},
                        headers=park.auth("keeper") | {"Idempotency-Key": "z"})
    assert staff.status_code == 403


def test_a_retried_key_returns_the_first_order_and_a_reused_key_is_refused(client, park, shop, sql):
    m = park.members_a[1]
    first = redeem(client, park, m, shop, rice(shop), "same")
    second = redeem(client, park, m, shop, rice(shop), "same")
    assert first.get_json()["id"] == second.get_json()["id"]
    assert spendable(sql, m) == 50
    different = redeem(client, park, m, shop, rice(shop, 2), "same")
    assert different.status_code == 409 and different.get_json()["error"]["code"] == "idempotency_key_reused"


def test_cancel_before_pickup_gives_points_and_stock_back(client, park, shop, sql, runner):
    m = park.members_a[1]
    order = redeem(client, park, m, shop, rice(shop)).get_json()
    r = client.post(f"/api/v1/redemptions/{order['id']}/cancel", headers=park.auth(m))
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    assert spendable(sql, m) == 100 and on_hand(sql, shop.products["大米5kg"]) == 20
    again = client.post(f"/api/v1/redemptions/{order['id']}/cancel", headers=park.auth(m))
    assert again.get_json()["error"]["code"] == "order_cancelled"
    not_mine = client.post(f"/api/v1/redemptions/{order['id']}/cancel", headers=park.auth(park.members_a[2]))
    assert not_mine.status_code == 404
    late = client.post(f"/api/v1/shop/redemptions/{order['id']}/fulfil", headers=park.auth("keeper"))
    assert late.get_json()["error"]["code"] == "order_cancelled"
    kinds = [row[0] for row in sql("SELECT kind FROM ledger_entry WHERE member_id = :m AND kind IN ('redeem', 'refund') "
                                   "ORDER BY id", m=m.id)]
    assert kinds == ["redeem", "refund"]
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0


def test_unclaimed_orders_expire_and_are_refunded_by_the_job(app, client, park, shop, sql, runner):
    m = park.members_a[1]
    order = redeem(client, park, m, shop, rice(shop)).get_json()
    fresh = redeem(client, park, park.members_a[2], shop, rice(shop), "k2").get_json()
    sql("UPDATE redemption SET expires_at = now() - interval '1 minute' WHERE id = :o", o=order["id"])
    late = client.post(f"/api/v1/shop/redemptions/{order['id']}/fulfil", headers=park.auth("keeper"))
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "order_expired"
    result = runner.invoke(args=["expire-redemptions"])
    assert result.exit_code == 0 and "1" in result.output
    assert sql("SELECT status FROM redemption WHERE id = :o", o=order["id"]) == "expired"
    assert sql("SELECT status FROM redemption WHERE id = :o", o=fresh["id"]) == "reserved"
    assert spendable(sql, m) == 100 and on_hand(sql, shop.products["大米5kg"]) == 19
    assert sql("SELECT count(*) FROM notification WHERE event = 'redemption_expired'") == 1
    with app.app_context():
        assert mall_service.expire_due() == 0  # running again changes nothing
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0


def test_only_a_keeper_of_that_shop_sees_or_confirms_an_order(client, park, shop, sql):
    order = redeem(client, park, park.members_a[1], shop, rice(shop)).get_json()
    for who in ("keeper_b", "org_a"):
        look = client.post("/api/v1/shop/redemptions/lookup", json={"pickup_code": order["pickup_code"]},
                           headers=park.auth(who))
        assert look.status_code in (403, 404)
        done = client.post(f"/api/v1/shop/redemptions/{order['id']}/fulfil", headers=park.auth(who))
        assert done.status_code == 403
    assert sql("SELECT status FROM redemption") == "reserved"
    bad = client.post("/api/v1/shop/redemptions/lookup", json={"pickup_code": "12ab"}, headers=park.auth("keeper"))
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_pickup_code"
    unknown = client.post("/api/v1/shop/redemptions/lookup", json={"pickup_code": "00000000"},
                          headers=park.auth("keeper"))
    assert unknown.status_code == 404 or unknown.get_json()["id"] == order["id"]


def test_stock_changes_are_movements_and_on_hand_is_their_sum(client, park, shop, sql):
    pid = shop.products["洗衣液"]
    buy = client.post(f"/api/v1/shop/products/{pid}/stock", json={"delta": 10, "kind": "purchase",
                      "unit_cost": 19.0, "funding_source": park.branch_b.id}, headers=park.auth("keeper"))
    assert buy.status_code == 201
    lost = client.post(f"/api/v1/shop/products/{pid}/stock", json={"delta": -2, "kind": "loss", "note": "破损"},
                       headers=park.auth("keeper"))
    assert lost.status_code == 201
    too_many = client.post(f"/api/v1/shop/products/{pid}/stock", json={"delta": -100, "kind": "adjustment"},
                           headers=park.auth("keeper"))
    assert too_many.status_code == 409 and too_many.get_json()["error"]["code"] == "out_of_stock"
    no_cost = client.post(f"/api/v1/shop/products/{pid}/stock", json={"delta": 5, "kind": "purchase"},
                          headers=park.auth("keeper"))
    assert no_cost.get_json()["error"]["code"] == "invalid_purchase"
    other = client.post(f"/api/v1/shop/products/{pid}/stock", json={"delta": 1, "kind": "adjustment"},
                        headers=park.auth("keeper_b"))
    assert other.status_code == 403
    assert on_hand(sql, pid) == 28 == sql("SELECT sum(quantity) FROM stock_movement WHERE product_id = :p", p=pid)
    lines = client.get(f"/api/v1/reports/stock?shop_id={shop.shop_id}", headers=park.auth("keeper")).get_json()
    line = next(l for l in lines if l["product_id"] == pid)
    assert line["movements"] == {"purchase": 30, "loss": -2} and line["movements_total"] == line["on_hand"] == 28


def test_the_keeper_is_told_when_stock_runs_low(client, park, shop, sql):
    pid = shop.products["毛巾"]
    client.post(f"/api/v1/shop/products/{pid}/stock", json={"delta": -16, "kind": "adjustment"},
                headers=park.auth("keeper"))
    assert sql("SELECT count(*) FROM notification WHERE event = 'low_stock'") == 0
    redeem(client, park, park.members_a[1], shop, [{"product_id": pid, "qty": 2}])
    assert sql("SELECT count(*) FROM notification WHERE event = 'low_stock'") == 1
    redeem(client, park, park.members_a[2], shop, [{"product_id": pid, "qty": 1}])
    assert sql("SELECT count(*) FROM notification WHERE event = 'low_stock'") == 1  # told once


def test_products_are_managed_by_their_keeper(client, park, shop):
    body = {"shop_id": shop.shop_id, "name": "雨伞", "points_price": 30, "per_member_limit": 1, "limit_period": "year"}
    assert client.post("/api/v1/shop/products", json=body, headers=park.auth("keeper")).status_code == 201
    assert client.post("/api/v1/shop/products", json=body, headers=park.auth("keeper_b")).status_code == 403
    half = client.post("/api/v1/shop/products", json=body | {"limit_period": None}, headers=park.auth("keeper"))
    assert half.status_code == 422 and half.get_json()["error"]["code"] == "invalid_limit"
    edit = client.patch(f"/api/v1/shop/products/{shop.products['毛巾']}", json={"points_price": 12},
                        headers=park.auth("keeper"))
    assert edit.status_code == 200 and edit.get_json()["points_price"] == 12


def test_the_mall_report_says_who_redeemed_how_much_and_who_paid(client, park, shop):
    for i, m in enumerate(park.members_a[:3] + park.members_b[:2]):
        order = redeem(client, park, m, shop, rice(shop), f"r{i}").get_json()
        client.post(f"/api/v1/shop/redemptions/{order['id']}/fulfil", headers=park.auth("keeper"))
    redeem(client, park, park.members_a[3], shop, rice(shop), "open")  # not handed over: not counted
    today = now().astimezone(ZoneInfo("Asia/Shanghai")).date()  # periods are local dates
    url = f"/api/v1/reports/mall?from={today - timedelta(days=1)}&to={today}&org_id={park.root.id}"
    report = client.get(url, headers=park.auth("admin")).get_json()
    assert (report["redeemers"], report["orders"], report["items"], report["points"]) == (5, 5, 5, 250)
    assert report["value_at_cost"] == pytest.approx(5 * 39.90)
    assert report["headline"] == "5人兑换物品，价值199.50元"
    funders = {f["name"]: f["value_at_cost"] for f in report["by_funding_source"]}
    assert funders == {"综合党委": pytest.approx(99.75), "星联电子党支部": pytest.approx(99.75)}
    assert {b["name"]: b["redeemers"] for b in report["by_branch"]} == {"星联电子党支部": 2, "星联第一党小组": 1,
                                                                        "北辰软件党支部": 2}
    assert [b["redeemers"] for b in report["by_month"]] == [5]
    sheet = client.get(url + "&format=xlsx", headers=park.auth("admin"))
    assert load_workbook(BytesIO(sheet.data)).sheetnames == ["汇总", "按出资方", "按超市", "按支部", "按月份"]
    branch_only = client.get(url.replace(f"org_id={park.root.id}", f"org_id={park.branch_a.id}"),
                             headers=park.auth("admin_a")).get_json()
    assert branch_only["redeemers"] == 3
    assert client.get(url, headers=park.auth("admin_a")).status_code == 403


def test_a_member_sees_and_redeems_only_in_shops_of_their_own_line(client, park, shop, sql, app):
    """A member's line is their organisation, the ones above it and the ones below it: the park's shop
    (the committee's) serves everyone, branch B's shop serves branch B, a party group's shop its branch."""
    from points_mall.extensions import db
    from points_mall.mall.models import Product, Shop

    with app.app_context():
        corner = Shop(name="星联小组积分角", org_id=park.group_a.id, active=True)
        db.session.add(corner)
        db.session.flush()
        towel = Product(shop_id=corner.id, name="毛巾", points_price=10, on_hand=5, active=True)
        db.session.add(towel)
        db.session.commit()
        corner_id, towel_id = corner.id, towel.id
    in_branch, in_group, member_b = park.members_a[1], park.members_a[0], park.members_b[1]

    def shops_of(m):
        return {s["id"] for s in client.get("/api/v1/me/shops", headers=park.auth(m)).get_json()}

    assert shops_of(in_branch) == shops_of(in_group) == {shop.shop_id, corner_id}
    assert shops_of(member_b) == {shop.shop_id, shop.other_shop_id}
    for m, shop_id in ((in_branch, shop.other_shop_id), (member_b, corner_id)):
        for url in (f"/api/v1/me/products?shop_id={shop_id}", f"/api/v1/products?shop_id={shop_id}"):
            r = client.get(url, headers=park.auth(m))
            assert r.status_code == 403 and r.get_json()["error"]["code"] == "out_of_line", (url, r.get_json())
            assert "超市" in r.get_json()["error"]["message"]
    r = client.post("/api/v1/redemptions", json={"shop_id": corner_id, "items": [{"product_id": towel_id, "qty": 1}]},
                    headers=park.auth(member_b) | {"Idempotency-Key": "line-1"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "out_of_line"
    assert spendable(sql, member_b) == 100 and on_hand(sql, towel_id) == 5
    # Inside the line it works, below the member's organisation as well as above it.
    r = client.post("/api/v1/redemptions", json={"shop_id": corner_id, "items": [{"product_id": towel_id, "qty": 1}]},
                    headers=park.auth(in_branch) | {"Idempotency-Key": "line-2"})
    assert r.status_code == 201, r.get_json()
    assert client.get(f"/api/v1/me/products?shop_id={corner_id}", headers=park.auth(in_group)).status_code == 200
    # The keeper of a shop still lists its goods, whatever their own branch.
    assert client.get(f"/api/v1/products?shop_id={shop.other_shop_id}", headers=park.auth("keeper_b")).status_code == 200
