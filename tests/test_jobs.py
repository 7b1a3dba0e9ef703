"""Scheduled jobs: the RQ worker and cron scheduler on Redis, and the in-process thread of the embedded default."""
import os
import subprocess
import sys
import time
from pathlib import Path

from points_mall import jobs
from points_mall.config import TestConfig
from points_mall.mall import mall

ROOT = Path(__file__).resolve().parents[1]


def overdue_order(app, park, shop, sql, key):
    with app.app_context():
        order_id = mall.redeem(park.members_a[1].id, shop.shop_id,
                               [{"product_id": shop.products["毛巾"], "qty": 1}], key).id
    sql("UPDATE redemption SET expires_at = now() - interval '1 second' WHERE id = :o", o=order_id)
    return order_id


def wait_for(check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_the_worker_expires_and_refunds_overdue_orders_on_its_schedule(app, park, shop, sql):
    order_id = overdue_order(app, park, shop, sql, "w1")
    env = dict(os.environ, DATABASE_URL=TestConfig.SQLALCHEMY_DATABASE_URI, REDIS_URL=TestConfig.REDIS_URL,
               SECRET_KEY=TestConfig.SECRET_KEY)
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "points_mall", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: sql("SELECT status FROM redemption WHERE id = :o", o=order_id) == "expired")
    finally:
        worker.terminate()
        worker.wait(20)
    assert sql("SELECT count(*) FROM ledger_entry WHERE kind = 'refund'") == 1


def test_the_worker_refuses_to_start_without_redis():
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DATABASE_URL"] = TestConfig.SQLALCHEMY_DATABASE_URI
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "points_mall", "worker"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "REDIS_URL" in result.stderr


def test_without_redis_a_thread_in_the_process_runs_the_jobs(app, park, shop, sql):
    order_id = overdue_order(app, park, shop, sql, "i1")
    stop = jobs.start_inline(app, tick=0.2)
    try:
        assert wait_for(lambda: sql("SELECT status FROM redemption WHERE id = :o", o=order_id) == "expired", 10)
    finally:
        stop.set()
        time.sleep(0.5)
