"""Flash-sale benchmark: gunicorn + PostgreSQL + Redis, 1,000 members rushing 100 units of one
product from 64 wrk connections for BENCH_SECONDS (each request the next member, a fresh
Idempotency-Key; members come round again and again). Reports requests/s, p50, p99, oversell (must
be 0), errors other than out_of_stock (must be 0), and the ratio to a bare Flask endpoint served
and driven the same way in the same run.
Writes bench/results/flash_sale.json."""
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (Gunicorn, bare_baseline, baseline_fields, fresh_database, seed,  # noqa: E402
                          service_env, write_results)
from bench.load import CONNECTIONS, wrk  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "1000"))
CLIENTS = CONNECTIONS
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
UNITS = int(os.environ.get("BENCH_UNITS", "100"))


SHOP = [
    # Every member starts with :points spendable points, recorded as an adjustment entry.
    """INSERT INTO ledger_entry (member_id, kind, year, delta_score, delta_spendable, idempotency_key,
       reason, occurred_at, created_at) SELECT id, 'adjust', 2026, 0, :points, 'seed:' || id, '', now(), now()
       FROM member""",
    "INSERT INTO balance (member_id, spendable) SELECT id, :points FROM member",
    "INSERT INTO shop (id, name, org_id, address, opening_hours, active) VALUES (1, '积分超市', 1, '', '', true)",
    """INSERT INTO product (id, shop_id, name, description, image_url, category, points_price, active,
       on_hand, low_stock_threshold) VALUES (1, 1, '大米 5kg', '', '', '粮油', :price, true, :units, 5)""",
    """INSERT INTO stock_movement (product_id, kind, quantity, unit_cost, funding_org_id, actor, note,
       created_at) VALUES (1, 'purchase', :units, 39.90, 1, 'bench', '', now())""",
]


def main():
    database_url = fresh_database("points_mall_bench_flash")
    app, tokens = seed(database_url, SHOP, {"n": MEMBERS, "units": UNITS, "points": 100, "price": 50})
    env = service_env(database_url)
    body = json.dumps({"shop_id": 1, "items": [{"product_id": 1, "qty": 1}]})
    baseline = bare_baseline(env, body, tokens, CLIENTS, SECONDS)
    service = Gunicorn("wsgi:app", env)
    try:
        result = service.measured(lambda: wrk(service.url, "/api/v1/redemptions", body, tokens, CLIENTS, SECONDS,
                                              nonce_header="Idempotency-Key"))
    finally:
        service.stop()
    with app.app_context():
        from sqlalchemy import text

        from points_mall.extensions import db
        from points_mall.points import ledger

        on_hand = db.session.scalar(text("SELECT on_hand FROM product WHERE id = 1"))
        reserved = db.session.scalar(text("SELECT count(*) FROM redemption WHERE status = 'reserved'"))
        movements = db.session.scalar(text("SELECT sum(quantity) FROM stock_movement WHERE product_id = 1"))
        problems = ledger.verify()
    statuses = result["statuses"]
    ok = statuses.get(201, 0)
    out = {
        "members": MEMBERS, "connections": CLIENTS, "units": UNITS, "seconds": result["seconds"],
        "requests_per_s": result["per_s"], "p50_ms": result["p50_ms"], "p99_ms": result["p99_ms"],
        "reservations": ok, "reserved_in_db": reserved, "on_hand_after": on_hand,
        "on_hand_equals_movements": on_hand == movements,
        "oversell": max(0, reserved - UNITS) + max(0, -on_hand),
        "errors_other_than_out_of_stock": sum(v for k, v in statuses.items() if k not in (201, "out_of_stock")),
        "statuses": statuses, "ledger_verify_problems": len(problems),
        **baseline_fields(result, baseline),
    }
    write_results("flash_sale", out)


if __name__ == "__main__":
    main()
