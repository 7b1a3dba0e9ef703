"""The shop's invariants under concurrency, on PostgreSQL."""
from points_mall.extensions import db
from points_mall.people.models import Org
from points_mall.mall import mall
from points_mall.people.members import add_member

from .park import give_points
from .test_concurrency import run_together, staff


def verify_clean(runner):
    result = runner.invoke(args=["ledger-verify"])
    assert result.exit_code == 0, result.output


def test_three_hundred_members_rushing_fifty_units_get_exactly_fifty(app, park, shop, sql, runner):
    rice = shop.products["大米5kg"]
    sql("UPDATE product SET on_hand = 50 WHERE id = :p", p=rice)
    sql("INSERT INTO stock_movement (product_id, kind, quantity, actor, note, created_at) "
        "VALUES (:p, 'adjustment', 30, 'test', '', now())", p=rice)  # 20 bought + 30 counted = 50
    with app.app_context():
        org = db.session.get(Org, park.branch_a.id)
        ids = [add_member(f"抢购{i}", f"1350000{i:04d}", "党员", org).id for i in range(300)]
        db.session.commit()
        for m in ids:
            give_points(m, 50)
    results = run_together(app, [lambda m=m: mall.redeem(m, shop.shop_id, [{"product_id": rice, "qty": 1}],
                                                         f"rush-{m}").id for m in ids])
    assert not [r for r in results if r[0] == "crash"], [r for r in results if r[0] == "crash"][:3]
    assert sum(r[0] == "ok" for r in results) == 50
    assert {r[1] for r in results if r[0] == "refused"} == {"out_of_stock"}
    assert sql("SELECT on_hand FROM product WHERE id = :p", p=rice) == 0
    assert sql("SELECT sum(quantity) FROM stock_movement WHERE product_id = :p", p=rice) == 0
    assert sql("SELECT count(*) FROM redemption WHERE status = 'reserved'") == 50
    assert sql("SELECT count(*) FROM balance WHERE spendable < 0") == 0
    assert sql("SELECT count(*) FROM balance WHERE member_id = ANY(:ids) AND spendable = 0", ids=ids) == 50
    verify_clean(runner)


def test_the_same_key_sent_twenty_times_at_once_makes_one_order_and_one_debit(app, park, shop, sql, runner):
    m = park.members_a[1].id
    towel = shop.products["毛巾"]
    results = run_together(app, [lambda: mall.redeem(m, shop.shop_id, [{"product_id": towel, "qty": 2}],
                                                     "tap-tap-tap").id for _ in range(20)])
    assert all(r[0] == "ok" for r in results), results
    assert len({r[1] for r in results}) == 1
    assert sql("SELECT count(*) FROM redemption") == 1
    assert sql("SELECT count(*) FROM ledger_entry WHERE kind = 'redeem'") == 1
    assert sql("SELECT spendable FROM balance WHERE member_id = :m", m=m) == 80
    assert sql("SELECT on_hand FROM product WHERE id = :p", p=towel) == 18
    verify_clean(runner)


def test_two_keepers_confirming_the_same_order_one_wins(app, park, shop, sql, runner):
    with app.app_context():
        order_id = mall.redeem(park.members_a[1].id, shop.shop_id,
                               [{"product_id": shop.products["毛巾"], "qty": 1}], "k").id
    results = run_together(app, [lambda who=who: mall.fulfil(staff(who), order_id).status
                                 for who in ["keeper", "admin"] * 5])
    assert sum(r[0] == "ok" for r in results) == 1
    assert {r[1] for r in results if r[0] == "refused"} == {"already_fulfilled"}
    assert sql("SELECT count(*) FROM notification WHERE event = 'redemption_fulfilled'") == 1
    verify_clean(runner)


def test_cancel_racing_confirm_one_wins_and_the_ledger_says_which(app, park, shop, sql, runner):
    member = park.members_a[1].id
    for round_ in range(5):
        with app.app_context():
            order_id = mall.redeem(member, shop.shop_id, [{"product_id": shop.products["毛巾"], "qty": 1}],
                                   f"race-{round_}").id
        results = run_together(app, [lambda: mall.cancel(member, order_id).status,
                                     lambda: mall.fulfil(staff("keeper"), order_id).status])
        winners = [r[1] for r in results if r[0] == "ok"]
        assert len(winners) == 1, results
        status = sql("SELECT status FROM redemption WHERE id = :o", o=order_id)
        assert winners == [status]
        refunds = sql("SELECT count(*) FROM ledger_entry WHERE kind = 'refund' AND source_id = :o", o=order_id)
        returns = sql("SELECT count(*) FROM stock_movement WHERE kind = 'return' AND redemption_id = :o", o=order_id)
        assert (refunds, returns) == ((1, 1) if status == "cancelled" else (0, 0))
    assert sql("SELECT on_hand FROM product WHERE id = :p", p=shop.products["毛巾"]) == \
        sql("SELECT sum(quantity) FROM stock_movement WHERE product_id = :p", p=shop.products["毛巾"])
    verify_clean(runner)
