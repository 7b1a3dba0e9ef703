"""Check-in benchmark: gunicorn + PostgreSQL + Redis, 20,000 members, first-time check-ins from
64 concurrent clients; a bare Flask endpoint served the same way is the baseline.
Writes bench/results/checkin.json."""
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (Gunicorn, bare_baseline, baseline_fields, closed_loop, fresh_database,  # noqa: E402
                          seed, service_env, write_results)

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "20000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "64"))


# One activity open for check-in now, awarding a theme-day rule.
ACTIVITY = [
    "INSERT INTO balance (member_id, spendable) SELECT id, 0 FROM member",
    """INSERT INTO rule (id, code, name, dimension, points, needs_approval, active)
       VALUES (1, 'study.theme_day', '参加主题党日活动', 'study', 3, false, true)""",
    """INSERT INTO activity (id, org_id, kind, title, description, place, starts_at, ends_at, checkin_opens_at,
       checkin_closes_at, checked_in, open_to_volunteers, rule_id, status, created_by, created_at)
       VALUES (1, 1, 'theme_day', '主题党日', '', '', now(), now() + interval '3 hours', now() - interval '1 hour',
               now() + interval '3 hours', 0, false, 1, 'published', 'bench', now())""",
]


def main():
    database_url = fresh_database("points_mall_bench_checkin")
    app, tokens = seed(database_url, ACTIVITY, {"n": MEMBERS})
    env = service_env(database_url)

    baseline = bare_baseline(env, {"payload": "x" * 60}, MEMBERS, CLIENTS)

    service = Gunicorn("wsgi:app", env)
    try:
        from points_mall.services import codes

        shown = {"until": 0.0, "payload": ""}

        def screen_payload():
            """What the organizer's screen shows now (refreshed like the display page does)."""
            if time.time() >= shown["until"]:
                with app.test_request_context():
                    code = codes.current("a", 1)
                shown.update(payload=code["payload"], until=time.time() + min(5, code["expires_in"]))
            return shown["payload"]

        def checkin(i):
            payload = screen_payload()
            return ("POST", f"{service.url}/api/v1/checkins",
                    {"json": {"payload": payload, "nonce": f"bench-{i:08d}"},
                     "headers": {"Authorization": f"Bearer {tokens[i]}"}})

        started = time.perf_counter()
        result = closed_loop(checkin, MEMBERS, CLIENTS)
        result["seconds"] = round(time.perf_counter() - started, 1)
    finally:
        service.stop()

    with app.app_context():
        from sqlalchemy import text

        from points_mall.extensions import db
        from points_mall.services import ledger

        checkins = db.session.scalar(text("SELECT count(*) FROM checkin"))
        problems = ledger.verify()
    out = {
        "members": MEMBERS, "clients": CLIENTS,
        "checkins_per_s": result["per_s"], "checkin_p50_ms": result["p50_ms"], "checkin_p99_ms": result["p99_ms"],
        "checkin_statuses": result["statuses"], "checkins_stored": checkins, "ledger_verify_problems": len(problems),
        **baseline_fields(result, baseline),
    }
    write_results("checkin", out)


if __name__ == "__main__":
    main()
