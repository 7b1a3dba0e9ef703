"""Flash-sale benchmark: gunicorn + PostgreSQL + Redis, 1,000 members, 64 concurrent clients,
100 units of one product. Reports reservations/s, p50, p99, oversell (must be 0), errors other
than out_of_stock (must be 0), and the ratio to a bare Flask endpoint served the same way.
Writes bench/results/flash_sale.json."""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (Gunicorn, bare_baseline, baseline_fields, closed_loop, fresh_database,  # noqa: E402
                          seed, service_env, write_results)

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "1000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "64"))
UNITS = int(os.environ.get("BENCH_UNITS", "100"))


SHOP = [
    # Every member starts with 100 spendable points, recorded as an adjustment entry.
    """INSERT INTO ledger_entry (member_id, kind, year, delta_score, delta_spendable, idempotency_key,
       reason, occurred_at, created_at) SELECT id, 'adjust', 2026, 0, 100, 'seed:' || id, '', now(), now()
       FROM member""",
    "INSERT INTO balance (member_id, spendable) SELECT id, 100 FROM member",
    "INSERT INTO shop (id, name, org_id, address, opening_hours, active) VALUES (1, '积分超市', 1, '', '', true)",
    """INSERT INTO product (id, shop_id, name, description, image_url, category, points_price, active,
       on_hand, low_stock_threshold) VALUES (1, 1, '大米 5kg', '', '', '粮油', 50, true, :units, 5)""",
    """INSERT INTO stock_movement (product_id, kind, quantity, unit_cost, funding_org_id, actor, note,
       created_at) VALUES (1, 'purchase', :units, 39.90, 1, 'bench', '', now())""",
]


def main():
    database_url = fresh_database("points_mall_bench_flash")
    app, tokens = seed(database_url, SHOP, {"n": MEMBERS, "units": UNITS})
    env = service_env(database_url)
    baseline = bare_baseline(env, {"shop_id": 1}, MEMBERS, CLIENTS)
    service = Gunicorn("wsgi:app", env)
    try:
        result = closed_loop(lambda i: ("POST", f"{service.url}/api/v1/redemptions", {
            "json": {"shop_id": 1, "items": [{"product_id": 1, "qty": 1}]},
            "headers": {"Authorization": f"Bearer {tokens[i]}", "Idempotency-Key": f"flash-{i}"}}),
            MEMBERS, CLIENTS)
    finally:
        service.stop()
    with app.app_context():
        from sqlalchemy import text

        from points_mall.extensions import db
        from points_mall.services import ledger

        on_hand = db.session.scalar(text("SELECT on_hand FROM product WHERE id = 1"))
        reserved = db.session.scalar(text("SELECT count(*) FROM redemption WHERE status = 'reserved'"))
        movements = db.session.scalar(text("SELECT sum(quantity) FROM stock_movement WHERE product_id = 1"))
        problems = ledger.verify()
    statuses = result["statuses"]
    ok = statuses.get(201, 0)
    out = {
        "members": MEMBERS, "clients": CLIENTS, "units": UNITS,
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
