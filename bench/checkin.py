"""Check-in benchmark: gunicorn + PostgreSQL + Redis, 20,000 members, first-time check-ins from
64 wrk connections (each request another member, a fresh nonce) for BENCH_SECONDS; a bare Flask
endpoint served the same way, driven the same way in the same run, is the baseline.
Writes bench/results/checkin.json."""
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (Gunicorn, bare_baseline, baseline_fields, fresh_database, seed,  # noqa: E402
                          service_env, write_results)
from bench.load import CONNECTIONS, SECONDS, Profile, wrk  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "20000"))
CLIENTS = CONNECTIONS


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


WARM_UP = min(2000, MEMBERS // 10)  # the last members' tokens warm the service up; the run uses the rest


def main():
    database_url = fresh_database("points_mall_bench_checkin")
    app, tokens = seed(database_url, ACTIVITY, {"n": MEMBERS})
    env = service_env(database_url)
    from points_mall.activities import codes

    def body():
        """What the organizer's screen shows now: valid for the current and the next code step (>= 30 s)."""
        with app.test_request_context():
            payload = codes.current("a", 1)["payload"]
        return json.dumps({"payload": payload, "nonce": "{nonce}"})

    baseline = bare_baseline(env, body(), tokens, CLIENTS, SECONDS)
    service = Gunicorn("wsgi:app", env)
    try:
        wrk(service.url, "/api/v1/checkins", body(), tokens[-WARM_UP:], CLIENTS, 3, quiet=True)
        with Profile(service.proc.pid, SECONDS):
            result = service.measured(
                lambda: wrk(service.url, "/api/v1/checkins", body(), tokens[:-WARM_UP], CLIENTS, SECONDS))
    finally:
        service.stop()

    with app.app_context():
        from sqlalchemy import text

        from points_mall.extensions import db
        from points_mall.points import ledger

        checkins = db.session.scalar(text("SELECT count(*) FROM checkin"))
        attempts = db.session.scalar(text("SELECT count(*) FROM scan_attempt"))
        problems = ledger.verify()
    out = {
        "members": MEMBERS, "connections": CLIENTS, "seconds": result["seconds"],
        "checkins_per_s": result["per_s"], "checkin_p50_ms": result["p50_ms"], "checkin_p99_ms": result["p99_ms"],
        "checkin_statuses": result["statuses"], "tokens_reused": result["wrapped"],
        "checkins_stored": checkins, "scan_attempts_stored": attempts, "ledger_verify_problems": len(problems),
        **baseline_fields(result, baseline),
    }
    write_results("checkin", out)


if __name__ == "__main__":
    main()
