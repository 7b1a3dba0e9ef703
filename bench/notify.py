"""Notification benchmark: one worker delivering through the real wechatpy client to the local
fake WeChat server. A burst of 10,000 events lands in the outbox at once; the worker drains it.
Reports messages delivered per second, the outbox lag (event → sent) p50/p99/max, and the
ratio to a baseline of bare HTTP sends to the same fake server in the same run, made as many at
once as the worker makes them (OUTBOX_SEND_PARALLEL), over kept-alive connections.
Writes bench/results/notify.json."""
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SECRET, fresh_database, write_results  # noqa: E402

FAKE = """
import json, sys, time
from tests.fake_wechat import FakeWechat
fake = FakeWechat()
answer = fake.answer
def control(path, query, body):  # the bench's own calls: add a token, read how many were issued
    if path == "/fake/tokens":
        if body and body.get("add"):
            fake.valid_tokens.add(body["add"])
        return {"errcode": 0, "tokens_issued": fake.tokens_issued}
    if path == "/fake/sends":  # every send answered, in the order it arrived: [touser, data]
        return {"errcode": 0, "sends": [[r["body"].get("touser"), r["body"].get("data")] for r in list(fake.requests)
                                        if r["path"].endswith("/send") and r.get("answered")]}
    return answer(path, query, body)
fake.answer = control
fake.start()
print(fake.base_url, flush=True)
time.sleep(3600)
"""


class FakeWechatProcess:
    """The fake WeChat server in a process of its own, as WeChat is: in the bench's process its threads
    would take the interpreter's lock from the worker being measured."""

    def __init__(self):
        import subprocess

        self.process = subprocess.Popen([sys.executable, "-c", FAKE], stdout=subprocess.PIPE, text=True,
                                        cwd=Path(__file__).resolve().parents[1])
        self.base_url = self.process.stdout.readline().strip()

    def tokens_issued(self) -> int:
        return requests.post(f"{self.base_url}fake/tokens", json={}, timeout=5).json()["tokens_issued"]

    def sends(self) -> list:
        """What the fake accepted, in the order it arrived: [touser, data] each (bench/scale_out.py)."""
        return requests.post(f"{self.base_url}fake/sends", json={}, timeout=60).json()["sends"]

    def stop(self):
        self.process.kill()

EVENTS = int(os.environ.get("BENCH_EVENTS", "10000"))
MEMBERS = 1000


def main():
    from sqlalchemy import text

    from points_mall import create_app
    from points_mall.extensions import db
    from points_mall.notify import delivery

    fake = FakeWechatProcess()
    database_url = fresh_database("points_mall_bench_notify")
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": os.environ.get("BENCH_REDIS_URL",
                                                                            "redis://127.0.0.1:6379/13"),
        "SECRET_KEY": SECRET, "WECHAT_GATEWAY": "wechatpy", "WECHAT_API_BASE_URL": fake.base_url,
        "WECHAT_OA_APPID": "wx-oa", "WECHAT_OA_SECRET": "s", "WECHAT_OA_TOKEN": "t",
        "WECHAT_MP_APPID": "wx-mp", "WECHAT_MP_SECRET": "s",
        "WECHAT_TEMPLATES": {"points_changed": {"oa": {"id": "TPL-OA-POINTS", "fields": {
            "thing1": "title", "thing2": "body", "time3": "time"}}}},
        "WECHAT_DAILY_SEND_CAP": 10**9})  # the day's count lives in Redis across runs: no cap in a bench
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        app.extensions["pm_redis"].delete("pm:wechat:wx-oa_access_token", "pm:wechat:wx-oa_access_token_expires_at")
        db.session.execute(text("INSERT INTO org (id, name, kind, path) VALUES (1, '综合党委', 'committee', '/1/')"))
        db.session.execute(text("""INSERT INTO member (id, name, phone, member_type, org_id, status, created_at,
            oa_openid) SELECT g, '党员' || g, '13' || lpad(g::text, 9, '0'), '党员', 1, 'active', now(), 'oa-' || g
            FROM generate_series(1, :n) g"""), {"n": MEMBERS})
        db.session.commit()

        url = f"{fake.base_url}cgi-bin/message/template/send"
        requests.post(f"{fake.base_url}fake/tokens", json={"add": "BASELINE"}, timeout=5)
        parallel = app.config["OUTBOX_SEND_PARALLEL"]

        def bare_sends(n, session):
            for i in range(n):
                session.post(url, params={"access_token": "BASELINE"}, timeout=5,
                             json={"touser": f"oa-{i % MEMBERS + 1}", "template_id": "T", "data": {}}).json()

        # Baselines: bare sends over kept-alive connections, one at a time and as many at once as the worker.
        start = time.perf_counter()
        bare_sends(2000, requests.Session())
        baseline_serial = 2000 / (time.perf_counter() - start)
        sessions = [requests.Session() for _ in range(parallel)]
        start = time.perf_counter()
        with ThreadPoolExecutor(parallel) as pool:
            list(pool.map(lambda session: bare_sends(4000 // parallel, session), sessions))
        baseline = (4000 // parallel * parallel) / (time.perf_counter() - start)

        # The burst: 10,000 "points awarded" events committed at once.
        db.session.execute(text("""INSERT INTO notification (member_id, event, title, body, data, status, attempts,
            next_attempt_at, created_at) SELECT 1 + g % :m, 'points_changed', '积分获得', '参加志愿服务：获得5分',
            '{}', 'pending', 0, now(), now() FROM generate_series(1, :n) g"""), {"n": EVENTS, "m": MEMBERS})
        db.session.commit()
        start = time.perf_counter()
        while db.session.scalar(text("SELECT count(*) FROM notification WHERE status = 'pending'")):
            delivery.deliver_due()
            db.session.remove()
        seconds = time.perf_counter() - start
        lags = sorted(float(r[0]) for r in db.session.execute(text(
            "SELECT extract(epoch FROM sent_at - created_at) FROM notification")))
        sent = db.session.scalar(text("SELECT count(*) FROM notification WHERE status = 'sent'"))
    tokens = fake.tokens_issued()
    fake.stop()
    out = {
        "events": EVENTS, "sent": sent, "seconds": round(seconds, 1),
        "delivered_per_s": round(EVENTS / seconds, 1),
        "lag_p50_s": round(statistics.median(lags), 2), "lag_p99_s": round(lags[int(len(lags) * 0.99) - 1], 2),
        "lag_max_s": round(lags[-1], 2), "tokens_fetched": tokens,
        "send_parallel": parallel,
        "baseline_bare_sends_per_s": round(baseline, 1),
        "baseline_bare_serial_sends_per_s": round(baseline_serial, 1),
        "ratio_to_baseline": round(EVENTS / seconds / baseline, 3),
    }
    write_results("notify", out)


if __name__ == "__main__":
    main()
