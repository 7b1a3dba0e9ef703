"""The board and the archive at province size: 1,000,000 members, 100,000,000 ledger entries.

Seeds its own PostgreSQL database with SQL (generate_series, not the ORM): a province → cities → park
committees → branches tree (branches of 30 to 50 members), the members, 25 rules, the entries over two
years (kinds and reversals as bench/archive.py makes them) and the balances and yearly scores they add
up to, so `flask ledger-verify` finds nothing. Entries are loaded in chunks by two connections without
the secondary indexes and unique constraints, which are built after (as a restore would).

Then measures, server-side (time around the app handling the request in-process through Flask's test
client), p50 and p99 of: the points board's top 50 with the viewer's rank on the province, a city and a
branch board, by total and by one dimension (from Redis, the board cache); one member's ledger page
(GET /api/v1/me/ledger, newest first, a different member each time); the first build of the province
key; `flask ledger-verify` (seconds per million entries, the command's peak memory). Baselines in the
same run: a request through the same client answering SELECT 1, and a bare ZREVRANGE on Redis.

Writes bench/results/board.json. BENCH_BOARD_MEMBERS / BENCH_BOARD_ENTRIES size it (a multiple of 100
members); BENCH_KEEP=1 keeps the database (points_mall_bench_board), BENCH_REUSE=1 measures a kept one
again without seeding; BENCH_REPS sets the repetitions; BENCH_SEED_ONLY=1 stops after seeding.
"""
import os
import queue
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.archive import GIVEN, RULES, SURNAMES, drop_ledger_indexes, entries_sql  # noqa: E402
from bench.common import ROOT, SECRET, write_results  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
NAME = os.environ.get("BENCH_BOARD_DB", "points_mall_bench_board")
MEMBERS = int(os.environ.get("BENCH_BOARD_MEMBERS", "1000000"))
ENTRIES = int(os.environ.get("BENCH_BOARD_ENTRIES", "100000000"))
REPS = int(os.environ.get("BENCH_REPS", "300"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
CHUNK = 2_000_000  # entries per INSERT statement
YEAR = 2026
CITIES = ["南京市", "无锡市", "徐州市", "常州市", "苏州市", "南通市", "连云港市", "淮安市", "盐城市", "扬州市",
          "镇江市", "泰州市", "宿迁市", "省直机关"]
BRANCHES_PER_PARK = 40


def connect(db: str = NAME, autocommit: bool = True):
    return psycopg.connect(f"{PG}/{db}", autocommit=autocommit)


def step(label: str, conn, sql: str, params=None) -> None:
    started = time.perf_counter()
    conn.execute(sql, params)
    print(f"  {label:<40} {time.perf_counter() - started:7.1f} s", flush=True)


def org_tree(members: int) -> list[tuple]:
    """(id, parent_id, name, kind, path, members placed directly): one province, its cities, park
    committees of 40 branches each, branches of 30 to 50 members (the last one what is left)."""
    sizes, left, n = [], members, 0
    while left > 0:
        size = min(left, 30 + (n * 7919) % 21)
        sizes.append(size)
        left -= size
        n += 1
    parks = -(-len(sizes) // BRANCHES_PER_PARK)
    cities = CITIES[:max(1, min(len(CITIES), parks))]
    orgs = [(1, None, "省委组织部", "committee", "/1/", 0)]
    for i, name in enumerate(cities):
        orgs.append((2 + i, 1, name + "委", "committee", f"/1/{2 + i}/", 0))
    park_ids = []
    next_id = 2 + len(cities)
    for p in range(parks):
        city = 2 + p % len(cities)
        orgs.append((next_id, city, f"第{p + 1}园区综合党委", "committee", f"/1/{city}/{next_id}/", 0))
        park_ids.append((next_id, f"/1/{city}/{next_id}/"))
        next_id += 1
    for b, size in enumerate(sizes):
        park, path = park_ids[b // BRANCHES_PER_PARK]
        orgs.append((next_id, park, f"第{b + 1}党支部", "branch", f"{path}{next_id}/", size))
        next_id += 1
    return orgs


def seed() -> dict:
    """A fresh database at province size; returns what the measurements need."""
    with connect("postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{NAME}"')
    app = make_app()
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
    orgs = org_tree(MEMBERS)
    print(f"seeding {MEMBERS:,} members in {len(orgs):,} organisations, {ENTRIES:,} entries", flush=True)
    started = time.perf_counter()
    with connect() as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET work_mem = '1GB'")
        conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
        with conn.cursor() as cur:
            with cur.copy("COPY org (id, parent_id, name, kind, path, active) FROM STDIN") as copy:
                for o in orgs:
                    copy.write_row((*o[:5], True))
            cur.executemany("INSERT INTO rule (id, code, name, dimension, points, needs_approval, active, declarable,"
                            " version) VALUES (%s, %s, %s, %s, %s, false, true, %s, 1)",
                            [(i + 1, *r, r[2] in ("performance", "morality")) for i, r in enumerate(RULES)])
            cur.executemany("INSERT INTO rule_version (rule_id, version, name, points, needs_approval, declarable,"
                            " created_at) VALUES (%s, 1, %s, %s, false, false, now())",
                            [(i + 1, r[1], r[3]) for i, r in enumerate(RULES)])
            conn.execute("CREATE TEMP TABLE slot (org_id int, lo int, hi int)")
            with cur.copy("COPY slot (org_id, lo, hi) FROM STDIN") as copy:
                lo = 1
                for o in orgs:
                    if o[5]:
                        copy.write_row((o[0], lo, lo + o[5] - 1))
                        lo += o[5]
            conn.execute("CREATE INDEX ON slot (lo)")
            conn.execute("ANALYZE slot")
        conn.execute("SELECT setval('org_id_seq', (SELECT max(id) FROM org))")
        conn.execute("SELECT setval('rule_id_seq', (SELECT max(id) FROM rule))")
        step("members", conn, f"""
            INSERT INTO member (id, name, phone, member_type, org_id, status, joined_on, created_at)
            SELECT g,
                   substr(%(s)s, 1 + g %% {len(SURNAMES)}, 1) || substr(%(c)s, 1 + (g / 7) %% {len(GIVEN)}, 1)
                     || CASE WHEN g %% 3 = 0 THEN '' ELSE substr(%(c)s, 1 + (g / 13) %% {len(GIVEN)}, 1) END,
                   '1' || (3 + g %% 7)::text || lpad(g::text, 9, '0'),
                   CASE WHEN g %% 20 = 0 THEN '预备党员' ELSE '党员' END,
                   s.org_id, CASE WHEN g %% 200 = 0 THEN 'inactive' ELSE 'active' END,
                   date '1990-01-01' + (g %% 12000), now()
            FROM generate_series(1, {MEMBERS}) g,
                 LATERAL (SELECT org_id FROM slot WHERE lo <= g ORDER BY lo DESC LIMIT 1) s""",
             {"s": SURNAMES, "c": GIVEN})
        conn.execute("SELECT setval('member_id_seq', (SELECT max(id) FROM member))")
        step("memberships", conn, "INSERT INTO membership (member_id, org_id) SELECT id, org_id FROM member")
        _entries(conn)
        # One pass over the entries for both: each (member, year, dimension)'s sums.
        step("entry sums", conn, """
            CREATE UNLOGGED TABLE bench_sums AS
            SELECT member_id, year, dimension, sum(delta_score)::int AS s, sum(delta_spendable)::int AS sp
            FROM ledger_entry GROUP BY member_id, year, dimension""")
        step("balances", conn, """
            INSERT INTO balance (member_id, spendable)
            SELECT m.id, coalesce(e.s, 0) FROM member m
            LEFT JOIN (SELECT member_id, sum(sp) s FROM bench_sums GROUP BY member_id) e ON e.member_id = m.id""")
        step("scores", conn, """
            INSERT INTO score (member_id, year, dimension, score)
            SELECT member_id, year, dimension, s FROM bench_sums WHERE dimension IS NOT NULL AND s <> 0""")
        conn.execute("DROP TABLE bench_sums")
        # What autovacuum does to a table that has settled: statistics and the visibility map.
        step("vacuum analyze", conn, "VACUUM ANALYZE")
    seconds = round(time.perf_counter() - started)
    print(f"seeded in {seconds} s", flush=True)
    return {"orgs": orgs, "seed_seconds": seconds}


def _entries(conn) -> None:
    """ENTRIES entries spread evenly over the two years, member 1 + g % MEMBERS taking entry g (members
    interleave as in life): 76 % awards under 22 rules, 15 % redemptions, 4 % deductions, refunds,
    adjustments, 1 % reversals of the same member's award before. Chunks of CHUNK, two connections."""
    constraints, indexes = drop_ledger_indexes(conn)
    assert MEMBERS % 100 == 0, "BENCH_BOARD_MEMBERS must be a multiple of 100"
    template = entries_sql(MEMBERS, ENTRIES)
    chunks = [(lo, min(lo + CHUNK - 1, ENTRIES)) for lo in range(1, ENTRIES + 1, CHUNK)]
    in_parallel("ledger entries", [template.format(lo=lo, hi=hi) for lo, hi in chunks], progress=True)
    conn.execute("SELECT setval('ledger_entry_id_seq', (SELECT max(id) FROM ledger_entry))")
    in_parallel("constraints and indexes",
                [f'ALTER TABLE ledger_entry ADD CONSTRAINT "{name}" {definition}' for name, definition in constraints]
                + [definition for _, definition in indexes], progress=True)


def in_parallel(label: str, statements: list[str], progress: bool = False) -> None:
    """The statements on two connections at once (the machine has two cores), in order."""
    todo: queue.Queue = queue.Queue()
    for s in statements:
        todo.put(s)
    done, errors, lock = [0], [], threading.Lock()
    started = time.perf_counter()

    def work():
        with connect() as conn:
            conn.execute("SET session_replication_role = replica")
            conn.execute("SET maintenance_work_mem = '1GB'")
            conn.execute("SET max_parallel_maintenance_workers = 0")
            while not errors:
                try:
                    statement = todo.get_nowait()
                except queue.Empty:
                    return
                t = time.perf_counter()
                try:
                    conn.execute(statement)
                except Exception as e:  # noqa: BLE001 - stop the other worker too, then raise
                    errors.append(e)
                    raise
                with lock:
                    done[0] += 1
                    if progress:
                        what = statement.strip().split("\n")[0][:60]
                        print(f"    {done[0]}/{len(statements)} {time.perf_counter() - t:6.1f} s"
                              f" (at {time.perf_counter() - started:7.1f} s) {what}", flush=True)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    print(f"  {label:<40} {time.perf_counter() - started:7.1f} s", flush=True)


def make_app(redis_url: str | None = None):
    from points_mall import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": f"{PG.replace('postgresql://', 'postgresql+psycopg://')}/{NAME}",
                       "REDIS_URL": redis_url, "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_ENABLED": False,
                       "SECRET_KEY": SECRET, "TESTING": True})  # no in-process job thread meanwhile


def timed(client, cases: dict, reps: int) -> dict[str, list[float]]:
    """Each case reps times, in turns (one of each, then again), so a busy moment of the machine falls on
    the baseline as much as on the rest; each answered once first. A case is i -> (url, headers)."""
    times = {label: [] for label in cases}
    for label, case in cases.items():
        url, headers = case(0)
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, (url, answer.status_code, answer.get_data(as_text=True)[:300])
    for i in range(1, reps + 1):
        for label, case in cases.items():
            url, headers = case(i)
            started = time.perf_counter()
            answer = client.get(url, headers=headers)
            times[label].append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, url
    return times


def figures(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"p50_ms": round(statistics.median(ordered), 3),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3)}


def measure(info: dict) -> dict:
    from flask import jsonify
    from sqlalchemy import text

    from points_mall.extensions import db
    from points_mall.people.models import Org
    from points_mall.common.security import current_member_id
    from points_mall.board import board_cache, ranking
    from points_mall.accounts.auth import issue_token

    app = make_app(REDIS)
    redis = app.extensions["pm_redis"]
    redis.flushdb()

    @app.get("/bench/select-1")
    def select_one():
        """The baseline: the same member token read, one SELECT 1."""
        current_member_id()
        return jsonify({"one": db.session.execute(text("SELECT 1")).scalar_one()})

    orgs = info["orgs"]
    city = orgs[1]
    branch = next(o for o in orgs if o[3] == "branch" and o[4].startswith(city[4]) and o[5] >= 40)
    with app.app_context():
        lo, hi = db.session.execute(text("SELECT min(id), max(id) FROM member WHERE org_id = :o AND status = 'active'"),
                                    {"o": branch[0]}).one()
        viewers = [issue_token("member", str(m), 3600 * 6) for m in range(lo, hi + 1) if m % 200]
        rng = random.Random(7)
        readers = [(m, issue_token("member", str(m), 3600 * 6)) for m in
                   (rng.randint(1, MEMBERS // 200 - 1) * 200 + rng.randint(1, 199) for _ in range(REPS + 1))]
        out = {"members": MEMBERS, "entries": ENTRIES, "organisations": len(orgs), "seed_seconds": info.get("seed_seconds"),
               "repetitions": REPS, "year": YEAR,
               "boards": {"province": orgs[0][2], "city": city[2], "branch": branch[2],
                          "city_members": db.session.scalar(text(
                              "SELECT count(*) FROM member m JOIN org o ON o.id = m.org_id "
                              "WHERE o.path LIKE :p AND m.status = 'active'"), {"p": city[4] + "%"}),
                          "branch_members": hi - lo + 1}}
        # The first build of the province's sets (what the first reader after a loss waits for).
        province = db.session.get(Org, 1)
        for dimension in (None, "study"):
            started = time.perf_counter()
            assert board_cache.build(province, YEAR, dimension)
            out[f"first_build_province_{dimension or 'total'}_s"] = round(time.perf_counter() - started, 2)
        out["province_set_bytes"] = redis.memory_usage(board_cache.key(1, YEAR, None))
        # The SQL board, as answered without Redis (the embedded default, or while a set is built).
        client = app.extensions.pop("pm_redis")
        app.extensions["pm_redis"] = None
        for label, org_id in (("province", 1), ("city", city[0]), ("branch", branch[0])):
            started = time.perf_counter()
            sql_answer = ranking.points_board(org_id, YEAR, None, 50, lo)
            out[f"sql_board_{label}_ms"] = round((time.perf_counter() - started) * 1000, 1)
            app.extensions["pm_redis"] = client
            assert ranking.points_board(org_id, YEAR, None, 50, lo) == sql_answer, label  # Redis agrees with SQL
            app.extensions["pm_redis"] = None
        app.extensions["pm_redis"] = client
        db.session.rollback()
    key = board_cache.key(1, YEAR, None)
    bare = []
    for _ in range(REPS):
        started = time.perf_counter()
        redis.zrevrange(key, 0, 49, withscores=True)
        bare.append((time.perf_counter() - started) * 1000)
    out["baseline_zrevrange_50"] = figures(bare)

    def board_case(org_id, dimension=None):
        query = f"/api/v1/boards/points?org_id={org_id}&year={YEAR}&limit=50" + (f"&dimension={dimension}" if dimension else "")
        return lambda i: (query, {"Authorization": f"Bearer {viewers[i % len(viewers)]}"})

    cases = {
        "baseline_select_1": lambda i: ("/bench/select-1", {"Authorization": f"Bearer {viewers[i % len(viewers)]}"}),
        "board_province_total": board_case(1),
        "board_province_study": board_case(1, "study"),
        "board_city_total": board_case(city[0]),
        "board_city_service": board_case(city[0], "service"),
        "board_branch_total": board_case(branch[0]),
        "board_branch_morality": board_case(branch[0], "morality"),
        "member_ledger_first_page": lambda i: ("/api/v1/me/ledger", {"Authorization": f"Bearer {readers[i][1]}"}),
    }
    http = app.test_client()
    for label, times in timed(http, cases, REPS).items():
        out[label] = figures(times)
    base = out["baseline_select_1"]["p50_ms"]
    out["ratio_p50_to_baseline"] = {k: round(v["p50_ms"] / base, 2) for k, v in out.items()
                                    if isinstance(v, dict) and "p50_ms" in v and k != "baseline_select_1"}
    out["p99_within_5_ms"] = {k: v["p99_ms"] <= 5 for k, v in out.items()
                              if k.startswith(("board_", "member_ledger")) and isinstance(v, dict)}
    out["plans"] = explain(app, readers[0][0])
    return out


def explain(app, member_id: int) -> dict:
    """EXPLAIN ANALYZE of one member's ledger page as the service builds it, and of the build's query."""
    from sqlalchemy import select, text
    from sqlalchemy.dialects import postgresql

    from points_mall.extensions import db
    from points_mall.points.models import LedgerEntry
    from points_mall.people.models import Org
    from points_mall.board import board_cache

    plans = {}
    with app.app_context():
        statements = {
            "member_ledger_first_page": select(LedgerEntry).where(LedgerEntry.member_id == member_id)
            .order_by(LedgerEntry.id.desc()).limit(21),
            "board_build_province": (lambda b: select(b.c.id, b.c.score))(
                board_cache.scored(db.session.get(Org, 1), YEAR, None)),
        }
        for label, stmt in statements.items():
            sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
            rows = db.session.execute(text("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)).scalars().all()
            plans[label] = [r.strip() for r in rows
                            if any(w in r for w in ("Scan", "Join", "Aggregate", "Buffers", "Execution"))][:10]
        db.session.rollback()
    return plans


def verify_figures() -> dict:
    """`flask ledger-verify` over the whole ledger: its time per million entries and its peak memory."""
    env = dict(os.environ, DATABASE_URL=f"{PG.replace('postgresql://', 'postgresql+psycopg://')}/{NAME}",
               SECRET_KEY=SECRET, FLASK_APP="points_mall")
    env.pop("REDIS_URL", None)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "flask", "ledger-verify"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    return {"ledger_verify": {"ok": status == 0 and "ledger-verify: ok" in output, "output": output.strip()[-200:],
                              "seconds": round(seconds, 1),
                              "seconds_per_million_entries": round(seconds / (ENTRIES / 1e6), 2),
                              "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}}


def main() -> None:
    with connect("postgres") as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (NAME,)).fetchone()
    reuse = exists and os.environ.get("BENCH_REUSE") == "1"
    info = {"orgs": org_tree(MEMBERS)} if reuse else seed()
    if os.environ.get("BENCH_SEED_ONLY") == "1":
        return
    try:
        out = measure(info)
        write_results("board", out)  # kept before the long ledger-verify
        out.update(verify_figures())
        write_results("board", out)
    finally:
        if not KEEP:
            with connect("postgres") as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
