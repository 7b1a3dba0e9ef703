"""Check-in benchmark: gunicorn + PostgreSQL + Redis, 20,000 members, first-time check-ins from
64 concurrent clients; a bare Flask endpoint served the same way is the baseline.
Writes bench/results/checkin.json."""
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, SECRET, Gunicorn, closed_loop, fresh_database, service_env  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "20000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "64"))


def seed(database_url: str):
    """Schema by the migrations, then members in bulk, one activity open now, and their tokens."""
    from sqlalchemy import text

    from points_mall import create_app
    from points_mall.extensions import db
    from points_mall.services.auth import issue_token

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": None, "SECRET_KEY": SECRET,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.session.execute(text("INSERT INTO org (id, name, kind, path) VALUES (1, '综合党委', 'committee', '/1/')"))
        db.session.execute(text("""INSERT INTO member (id, name, phone, member_type, org_id, status, created_at)
            SELECT g, '党员' || g, '13' || lpad(g::text, 9, '0'), '党员', 1, 'active', now()
            FROM generate_series(1, :n) g"""), {"n": MEMBERS})
        db.session.execute(text("INSERT INTO balance (member_id, spendable) SELECT id, 0 FROM member"))
        db.session.execute(text("""INSERT INTO rule (id, code, name, dimension, points, needs_approval, active)
            VALUES (1, 'study.theme_day', '参加主题党日活动', 'study', 3, false, true)"""))
        db.session.execute(text("""INSERT INTO activity (id, org_id, kind, title, description, place, starts_at,
            ends_at, checkin_opens_at, checkin_closes_at, checked_in, open_to_volunteers, rule_id, status,
            created_by, created_at) VALUES (1, 1, 'theme_day', '主题党日', '', '', now(), now() + interval '3 hours',
            now() - interval '1 hour', now() + interval '3 hours', 0, false, 1, 'published', 'bench', now())"""))
        db.session.execute(text("SELECT setval('member_id_seq', :n)"), {"n": MEMBERS})
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        tokens = [issue_token("member", str(i), 3600) for i in range(1, MEMBERS + 1)]
    return app, tokens


def main():
    database_url = fresh_database("points_mall_bench_checkin")
    app, tokens = seed(database_url)
    env = service_env(database_url)

    bare = Gunicorn("bench.bare:app", env)
    try:
        closed_loop(lambda i: ("POST", f"{bare.url}/bare", {"json": {"payload": "x" * 60}}), 500, CLIENTS)  # warm up
        baseline = closed_loop(lambda i: ("POST", f"{bare.url}/bare", {"json": {"payload": "x" * 60}}),
                               MEMBERS, CLIENTS)
    finally:
        bare.stop()

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
        "baseline_per_s": baseline["per_s"], "baseline_p50_ms": baseline["p50_ms"],
        "baseline_p99_ms": baseline["p99_ms"],
        "ratio_to_baseline": round(result["per_s"] / baseline["per_s"], 3),
    }
    for key, value in out.items():
        print(f"{key:24} {value}")
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "checkin.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
