"""Notification benchmark: one worker delivering through the real wechatpy client to the local
fake WeChat server. A burst of 10,000 events lands in the outbox at once; the worker drains it.
Reports messages delivered per second, the outbox lag (event → sent) p50/p99/max, and the
ratio to a baseline of bare HTTP sends to the same fake server in the same run.
Writes bench/results/notify.json."""
import os
import statistics
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SECRET, fresh_database, write_results  # noqa: E402
from tests.fake_wechat import FakeWechat  # noqa: E402

EVENTS = int(os.environ.get("BENCH_EVENTS", "10000"))
MEMBERS = 1000


def main():
    from sqlalchemy import text

    from points_mall import create_app
    from points_mall.extensions import db
    from points_mall.services import delivery

    fake = FakeWechat().start()
    database_url = fresh_database("points_mall_bench_notify")
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": os.environ.get("BENCH_REDIS_URL",
                                                                            "redis://127.0.0.1:6379/13"),
        "SECRET_KEY": SECRET, "WECHAT_GATEWAY": "wechatpy", "WECHAT_API_BASE_URL": fake.base_url,
        "WECHAT_OA_APPID": "wx-oa", "WECHAT_OA_SECRET": "s", "WECHAT_MP_APPID": "wx-mp", "WECHAT_MP_SECRET": "s",
        "WECHAT_TEMPLATES": {"points_changed": {"oa": "TPL-OA-POINTS"}}})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        app.extensions["pm_redis"].delete("pm:wechat:wx-oa_access_token", "pm:wechat:wx-oa_access_token_expires_at")
        db.session.execute(text("INSERT INTO org (id, name, kind, path) VALUES (1, '综合党委', 'committee', '/1/')"))
        db.session.execute(text("""INSERT INTO member (id, name, phone, member_type, org_id, status, created_at,
            oa_openid) SELECT g, '党员' || g, '13' || lpad(g::text, 9, '0'), '党员', 1, 'active', now(), 'oa-' || g
            FROM generate_series(1, :n) g"""), {"n": MEMBERS})
        db.session.commit()

        session = requests.Session()
        url = f"{fake.base_url}cgi-bin/message/template/send"
        fake.valid_tokens.add("BASELINE")
        start = time.perf_counter()
        for i in range(2000):
            session.post(url, params={"access_token": "BASELINE"}, timeout=5,
                         json={"touser": f"oa-{i % MEMBERS + 1}", "template_id": "T", "data": {}}).json()
        baseline = 2000 / (time.perf_counter() - start)

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
    fake.stop()
    out = {
        "events": EVENTS, "sent": sent, "seconds": round(seconds, 1),
        "delivered_per_s": round(EVENTS / seconds, 1),
        "lag_p50_s": round(statistics.median(lags), 2), "lag_p99_s": round(lags[int(len(lags) * 0.99) - 1], 2),
        "lag_max_s": round(lags[-1], 2), "tokens_fetched": fake.tokens_issued,
        "baseline_bare_sends_per_s": round(baseline, 1),
        "ratio_to_baseline": round(EVENTS / seconds / baseline, 3),
    }
    write_results("notify", out)


if __name__ == "__main__":
    main()
