"""Year-end settlement benchmark: the preview, the run (and a second run) and the notices for a park of
BENCH_MEMBERS members with BENCH_ENTRIES_EACH entries each, policy "clear what was earned more than 6 months
before the turn of the year".

Baseline, measured in the same run on the same database: one bare GROUP BY over the ledger computing the
same two sums per member (the least a preview or a run can read). Writes bench/results/settlement.json.
"""
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from bench.common import fresh_database, write_results  # noqa: E402
from bench.ledger import sums_from_entries, timed  # noqa: E402
from points_mall import create_app  # noqa: E402
from points_mall.extensions import db  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "20000"))
EACH = int(os.environ.get("BENCH_ENTRIES_EACH", "10"))
SH = ZoneInfo("Asia/Shanghai")


def fill(park):
    """MEMBERS members in the park's two branches; each earns EACH - 1 times across 2025 and spends once in
    December; balances and scores to match."""
    db.session.execute(text("""
        INSERT INTO member (name, phone, member_type, org_id, status, created_at)
        SELECT '党员' || g, '137' || lpad(g::text, 8, '0'), '党员', CASE WHEN g % 2 = 0 THEN :a ELSE :b END,
               'active', now()
        FROM generate_series(1, :n) g"""), {"a": park.branch_a.id, "b": park.branch_b.id, "n": MEMBERS})
    db.session.execute(text("INSERT INTO balance (member_id, spendable) SELECT id, 0 FROM member "
                            "WHERE phone LIKE '137%' ON CONFLICT DO NOTHING"))
    db.session.execute(text("""
        INSERT INTO ledger_entry (member_id, kind, dimension, year, delta_score, delta_spendable, idempotency_key,
                                  reason, occurred_at, created_at)
        SELECT m.id, 'award', 'service', 2025, 5, 5, 'bulk:' || m.id || ':' || k, '',
               make_timestamptz(2025, 1 + (k % 11), 10, 10, 0, 0, 'Asia/Shanghai'), now()
        FROM member m, generate_series(1, :k) k WHERE m.phone LIKE '137%'"""), {"k": EACH - 1})
    db.session.execute(text("""
        INSERT INTO ledger_entry (member_id, kind, year, delta_score, delta_spendable, idempotency_key, reason,
                                  occurred_at, created_at)
        SELECT m.id, 'redeem', 2025, 0, -7, 'bulk-spend:' || m.id, '',
               make_timestamptz(2025, 12, 1, 10, 0, 0, 'Asia/Shanghai'), now()
        FROM member m WHERE m.phone LIKE '137%'"""))
    sums_from_entries()


def main():
    DB = fresh_database("points_mall_settle_bench")
    app = create_app({"SQLALCHEMY_DATABASE_URI": DB, "REDIS_URL": None, "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        from flask_migrate import upgrade

        from points_mall.points import ledger
        from points_mall.year import settlement
        from points_mall.people.access import SYSTEM
        from points_mall.year.lapse import turn_of_year
        from tests.park import Park

        upgrade()
        park = Park.build()
        fill(park)
        settlement.set_policy(SYSTEM, park.root.id, "clear_older", 6, 30)
        entries = db.session.scalar(text("SELECT count(*) FROM ledger_entry"))
        members = db.session.scalar(text("SELECT count(*) FROM member"))

        preview_s, page = timed(lambda: settlement.preview(SYSTEM, 2025, lapsing_only=True))
        baseline_s, _ = timed(lambda: db.session.execute(text("""
            SELECT member_id, sum(CASE WHEN delta_spendable > 0 AND occurred_at < :cut THEN delta_spendable ELSE 0 END),
                   sum(CASE WHEN delta_spendable < 0 AND occurred_at < :turn THEN -delta_spendable ELSE 0 END)
            FROM ledger_entry GROUP BY member_id"""), {
            "cut": datetime(2025, 7, 1, tzinfo=SH), "turn": turn_of_year(2025)}).all())
        start = time.perf_counter()
        first = settlement.settle_year(SYSTEM, 2025, trigger="cli")
        run_s = time.perf_counter() - start
        start = time.perf_counter()
        second = settlement.settle_year(SYSTEM, 2025, trigger="cli")
        rerun_s = time.perf_counter() - start
        start = time.perf_counter()
        told = settlement.send_notices(now=datetime(2026, 12, 20, tzinfo=SH))
        notices_s = time.perf_counter() - start
        start = time.perf_counter()
        again = settlement.send_notices(now=datetime(2026, 12, 21, tzinfo=SH))
        notices_again_s = time.perf_counter() - start
        problems = ledger.verify()
        result = {
            "members": members, "entries": entries,
            "preview_s": round(preview_s, 3), "preview_lapse": page["lapse"], "preview_lapsing": page["lapsing_members"],
            "baseline_group_by_s": round(baseline_s, 3), "preview_over_baseline": round(preview_s / baseline_s, 1),
            "run_s": round(run_s, 2), "run_members_per_s": round(members / run_s),
            "run_expired": first.members_expired, "run_points": first.points_expired,
            "rerun_s": round(rerun_s, 2), "rerun_expired": second.members_expired,
            "notices_s": round(notices_s, 2), "notices_sent": told, "notices_again_s": round(notices_again_s, 2),
            "notices_again_sent": again, "ledger_verify_problems": len(problems),
        }
    write_results("settlement", result)


if __name__ == "__main__":
    main()
