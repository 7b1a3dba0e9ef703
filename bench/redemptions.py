"""Normal redemptions benchmark (issue: many members, ample stock): gunicorn + PostgreSQL + Redis, 5,000
members each with points for many orders, one product with stock that never runs out, from 64 wrk
connections for BENCH_SECONDS (each request the next member, a fresh Idempotency-Key). Reports
requests/s, p50, p99, and what must hold after: every 201 is one reserved order, stock and points moved
by exactly as much (on_hand + reserved units = the stock taken in; ledger-verify clean), no error at all;
against a bare Flask endpoint served and driven the same way in the same run.
Writes bench/results/redemptions.json."""
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (Gunicorn, bare_baseline, baseline_fields, fresh_database, seed,  # noqa: E402
                          service_env, write_results)
from bench.flash_sale import SHOP  # noqa: E402
from bench.load import CONNECTIONS, wrk  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "5000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
UNITS = 10_000_000
POINTS, PRICE = 100_000, 10
WARM_UP = 500  # the last members' orders warm the service up; the measured run uses the others


def main():
    database_url = fresh_database("points_mall_bench_redemptions")
    app, tokens = seed(database_url, SHOP, {"n": MEMBERS, "units": UNITS, "points": POINTS, "price": PRICE})
    env = service_env(database_url)
    body = json.dumps({"shop_id": 1, "items": [{"product_id": 1, "qty": 1}]})
    baseline = bare_baseline(env, body, tokens, CONNECTIONS, SECONDS)
    service = Gunicorn("wsgi:app", env)
    try:
        wrk(service.url, "/api/v1/redemptions", body, tokens[-WARM_UP:], CONNECTIONS, 3, nonce_header="Idempotency-Key",
            quiet=True)  # warm-up, members set aside
        result = service.measured(lambda: wrk(service.url, "/api/v1/redemptions", body, tokens[:-WARM_UP], CONNECTIONS,
                                              SECONDS, nonce_header="Idempotency-Key"))
    finally:
        service.stop()
    with app.app_context():
        from sqlalchemy import text

        from points_mall.extensions import db
        from points_mall.points import ledger

        def one(sql):
            return db.session.scalar(text(sql))

        on_hand = one("SELECT on_hand FROM product WHERE id = 1")
        reserved_orders = one(f"SELECT count(*) FROM redemption WHERE status = 'reserved' AND member_id <= {MEMBERS - WARM_UP}")
        reserved_units = one("SELECT coalesce(sum(l.quantity), 0) FROM redemption_line l "
                             "JOIN redemption r ON r.id = l.redemption_id WHERE r.status = 'reserved'")
        spent = one("SELECT -coalesce(sum(delta_spendable), 0) FROM ledger_entry WHERE kind = 'redeem'")
        problems = ledger.verify()
    statuses = result["statuses"]
    out = {
        "members": MEMBERS, "connections": CONNECTIONS, "seconds": result["seconds"],
        "redemptions_per_s": result["per_s"], "p50_ms": result["p50_ms"], "p99_ms": result["p99_ms"],
        "orders_201": statuses.get(201, 0), "orders_reserved_in_db": reserved_orders,
        "orders_unanswered_in_time": reserved_orders - statuses.get(201, 0),
        "stock_balances": on_hand + reserved_units == UNITS, "points_spent_equal_orders": spent == reserved_units * PRICE,
        "errors": sum(v for k, v in statuses.items() if k != 201), "statuses": statuses,
        "ledger_verify_problems": len(problems), **baseline_fields(result, baseline),
    }
    write_results("redemptions", out)


if __name__ == "__main__":
    main()
