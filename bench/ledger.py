"""Ledger benchmark: awards/s through the service layer, and ledger-verify over 1,000,000 entries.

Baselines, measured in the same run on the same database:
- awards: a bare INSERT of one ledger-shaped row and a commit per award (the least an award can cost);
- a theme Party day (one award for 200 members): one bare INSERT ... SELECT of 200 rows and a commit;
- verify: one full scan summing the entries table (the least a verify can read).
Writes bench/results/ledger.json.
"""
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from points_mall import create_app  # noqa: E402
from points_mall.extensions import db  # noqa: E402

DB = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/points_mall_bench")
AWARDS = int(os.environ.get("BENCH_AWARDS", "2000"))
DAY_MEMBERS = int(os.environ.get("BENCH_DAY_MEMBERS", "200"))  # a theme Party day: one award for all of them
DAYS = int(os.environ.get("BENCH_DAYS", "50"))
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "1000000"))


def fresh_database():
    name = DB.rsplit("/", 1)[1]
    with psycopg.connect(DB.replace("postgresql+psycopg", "postgresql").rsplit("/", 1)[0] + "/postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup(app):
    from flask_migrate import upgrade

    from tests.park import Park

    upgrade()
    return Park.build(per_branch=50)


def bench_awards(app, park):
    from points_mall.points import awards
    from points_mall.people.access import load_actor

    actor = load_actor("staff", 2)  # org_a
    ids = [m.id for m in park.members_a]
    start = time.perf_counter()
    for i in range(AWARDS):
        awards.propose(actor, [ids[i % len(ids)]], "service.volunteer", "bench")
    service = AWARDS / (time.perf_counter() - start)

    start = time.perf_counter()
    for i in range(AWARDS):
        db.session.execute(text(
            "INSERT INTO ledger_entry (member_id, kind, year, delta_score, delta_spendable, idempotency_key, reason,"
            " occurred_at, created_at) VALUES (:m, 'adjust', 2026, 0, 0, :k, '', now(), now())"),
            {"m": ids[i % len(ids)], "k": f"baseline:{i}"})
        db.session.commit()
    baseline = AWARDS / (time.perf_counter() - start)
    db.session.execute(text("DELETE FROM ledger_entry WHERE idempotency_key LIKE 'baseline:%'"))
    db.session.commit()
    return service, baseline


def bench_theme_days(park):
    """A theme Party day of DAY_MEMBERS members is one award (one request); baseline: the same number
    of ledger-shaped rows written by one bare INSERT ... SELECT and a commit."""
    from points_mall.points import awards
    from points_mall.people.access import load_actor

    db.session.execute(text("""
        INSERT INTO member (name, phone, member_type, org_id, status, created_at)
        SELECT '党员' || g, '137' || lpad(g::text, 8, '0'), '党员', :org, 'active', now()
        FROM generate_series(1, :n) g"""), {"org": park.branch_a.id, "n": DAY_MEMBERS})
    db.session.execute(text("INSERT INTO balance (member_id, spendable) SELECT id, 0 FROM member "
                            "WHERE phone LIKE '137%' ON CONFLICT DO NOTHING"))
    db.session.commit()
    ids = [r[0] for r in db.session.execute(text("SELECT id FROM member WHERE phone LIKE '137%' ORDER BY id"))]
    actor = load_actor("staff", 2)  # org_a
    start = time.perf_counter()
    for _ in range(DAYS):
        award = awards.propose(actor, ids, "service.volunteer", "主题党日")
        assert award.status == "applied"
    service = (time.perf_counter() - start) / DAYS

    start = time.perf_counter()
    for day in range(DAYS):
        db.session.execute(text(
            "INSERT INTO ledger_entry (member_id, kind, year, delta_score, delta_spendable, idempotency_key, reason,"
            " occurred_at, created_at) SELECT m, 'adjust', 2026, 0, 0, 'baseline:' || :d || ':' || m, '', now(), now()"
            " FROM unnest(CAST(:ids AS integer[])) m"), {"ids": ids, "d": day})
        db.session.commit()
    baseline = (time.perf_counter() - start) / DAYS
    db.session.execute(text("DELETE FROM ledger_entry WHERE idempotency_key LIKE 'baseline:%'"))
    db.session.commit()
    return service, baseline


def fill_entries(park):
    """Bulk-load entries (with matching balances and scores) until the table holds ENTRIES rows."""
    have = db.session.scalar(text("SELECT count(*) FROM ledger_entry"))
    ids = [m.id for m in park.members_a + park.members_b]
    db.session.execute(text("""
        INSERT INTO ledger_entry (member_id, kind, dimension, year, delta_score, delta_spendable, idempotency_key,
                                  reason, occurred_at, created_at)
        SELECT (:ids)[1 + g % cardinality(:ids)], 'award', 'study', 2026, 1, 1, 'bulk:' || g, '', now(), now()
        FROM generate_series(1, :n) g"""), {"ids": ids, "n": ENTRIES - have})
    sums_from_entries()


def sums_from_entries():
    """Balances and yearly scores summed from the entries bulk-loaded beside the service (what
    ledger-verify checks), committed, then ANALYZE."""
    db.session.execute(text("""
        UPDATE balance b SET spendable = s.total FROM (
            SELECT member_id, sum(delta_spendable) total FROM ledger_entry GROUP BY member_id) s
        WHERE b.member_id = s.member_id"""))
    db.session.execute(text("DELETE FROM score"))
    db.session.execute(text("""
        INSERT INTO score (member_id, year, dimension, score)
        SELECT member_id, year, dimension, sum(delta_score) FROM ledger_entry
        WHERE delta_score <> 0 GROUP BY member_id, year, dimension"""))
    db.session.commit()
    db.session.execute(text("ANALYZE"))


def timed(fn, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    fresh_database()
    app = create_app({"SQLALCHEMY_DATABASE_URI": DB, "REDIS_URL": None, "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        park = setup(app)
        service, baseline = bench_awards(app, park)
        day_s, day_baseline_s = bench_theme_days(park)
        fill_entries(park)
        from points_mall.points import ledger

        verify_s, problems = timed(ledger.verify)
        scan_s, _ = timed(lambda: db.session.execute(text("SELECT sum(delta_spendable) FROM ledger_entry")).scalar())
        entries = db.session.scalar(text("SELECT count(*) FROM ledger_entry"))
    result = {
        "awards_per_s": round(service, 1),
        "baseline_bare_insert_per_s": round(baseline, 1),
        "awards_ratio_to_baseline": round(service / baseline, 3),
        "theme_day_members": DAY_MEMBERS,
        "theme_day_award_ms": round(day_s * 1000, 1),
        "theme_day_postings_per_s": round(DAY_MEMBERS / day_s, 1),
        "baseline_bare_insert_select_ms": round(day_baseline_s * 1000, 1),
        "theme_day_ratio_to_baseline": round(day_baseline_s / day_s, 3),
        "verify_entries": entries,
        "verify_seconds": round(verify_s, 3),
        "verify_problems": len(problems),
        "baseline_full_scan_seconds": round(scan_s, 3),
        "verify_ratio_to_scan": round(verify_s / scan_s, 2),
    }
    from bench.common import write_results

    write_results("ledger", result)


if __name__ == "__main__":
    main()
