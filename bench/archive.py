"""The points archive (积分档案) at park scale: 100,000 members, 10 million ledger entries over two years.

Seeds its own PostgreSQL database with SQL (generate_series, not the ORM): a 1+3+N org tree whose
branches hold 200 to 2,000 members (some with party groups), members, 25 rules, entries with the
balances and yearly scores they add up to (ledger-verify's invariant), reversals, late corrections,
declarations, meetings and check-ins. Then measures, server-side (time around the app handling the
request in-process through Flask's test client with a staff token), p50 and p99 of:
member search by name and by phone, the filtered ledger's first and a deep page, one member's archive
page, and the score sheet of one branch for a year (when that endpoint exists) — against a baseline
request through the same client and token that runs a bare SELECT 1.

Writes bench/results/archive.json. BENCH_KEEP=1 keeps the database (points_mall_bench_archive);
BENCH_REUSE=1 measures such a kept database again without seeding; BENCH_MEMBERS / BENCH_ENTRIES scale it
down for a quick look; BENCH_REPS sets the repetitions.
"""
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import write_results  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
NAME = "points_mall_bench_archive"
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "100000"))
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "10000000"))
REPS = int(os.environ.get("BENCH_REPS", "200"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
YEAR = 2026
START = "2025-01-01 00:00+08"  # two years of entries: 2025 and 2026 up to the seeding's "now"
SPAN_DAYS = 690

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红建文辉力成峰宇浩凯健俊帆鹏林斌波宁欣晨阳晓丹雪琳颖佳嘉思博新海国庆春志东"
RULES = [  # code, name, dimension, points
    ("study.meeting", "参加三会一课", "study", 2), ("study.lecture", "听党课", "study", 3),
    ("study.online", "线上学习", "study", 1), ("study.exam", "知识测试", "study", 5),
    ("study.theme_day", "主题党日", "study", 3), ("service.volunteer", "志愿服务", "service", 5),
    ("service.community", "社区服务", "service", 4), ("service.blood", "无偿献血", "service", 10),
    ("service.poverty", "结对帮扶", "service", 6), ("service.culture", "文体活动", "service", 2),
    ("performance.pioneer", "党员先锋岗", "performance", 10), ("performance.award", "岗位获奖", "performance", 8),
    ("performance.project", "攻关项目", "performance", 6), ("performance.proposal", "合理化建议", "performance", 3),
    ("performance.mentor", "师带徒", "performance", 4), ("morality.lecture", "道德讲堂", "morality", 2),
    ("morality.good_deed", "好人好事", "morality", 5), ("morality.family", "文明家庭", "morality", 6),
    ("morality.neighbour", "邻里互助", "morality", 3), ("morality.filial", "孝老爱亲", "morality", 4),
    ("integrity.study", "廉洁教育", "integrity", 2), ("integrity.pledge", "廉洁承诺", "integrity", 1),
    ("integrity.absent", "无故缺席", "integrity", -3), ("integrity.late", "迟到早退", "integrity", -1),
    ("integrity.violation", "违反纪律", "integrity", -5),
]


def connect(db: str = NAME, autocommit: bool = True):
    return psycopg.connect(f"{PG}/{db}", autocommit=autocommit)


def step(label: str, conn, sql: str, params=None) -> None:
    started = time.perf_counter()
    conn.execute(sql, params)
    print(f"  {label:<34} {time.perf_counter() - started:6.1f} s", flush=True)


def org_tree(members: int) -> list[tuple]:
    """(id, parent_id, name, kind, path, members placed directly) for a 1+3+N park: company branches of
    200 to 2,000 members, every third with two party groups holding part of its members."""
    orgs = [(1, None, "高新区企业社区综合党委", "committee", "/1/", 0)]
    industries = ["石油装备产业党总支", "石油加工产业党总支", "电子信息产业党总支"]
    for i, name in enumerate(industries):
        orgs.append((2 + i, 1, name, "general_branch", f"/1/{2 + i}/", 0))
    sizes, left, n = [], members, 0
    while left > 0:
        size = min(left, 200 + (n * 617) % 1801)  # 200 .. 2,000, spread
        sizes.append(size)
        left -= size
        n += 1
    next_id = 5
    for n, size in enumerate(sizes):
        parent = 2 + n % 3
        branch = next_id
        next_id += 1
        path = f"/1/{parent}/{branch}/"
        if n % 3 == 0 and size >= 300:
            group_size = size // 6
            orgs.append((branch, parent, f"第{n + 1}企业党支部", "branch", path, size - 2 * group_size))
            for g in (1, 2):
                orgs.append((next_id, branch, f"第{n + 1}支部第{g}党小组", "group", f"{path}{next_id}/", group_size))
                next_id += 1
        else:
            orgs.append((branch, parent, f"第{n + 1}企业党支部", "branch", path, size))
    return orgs


def seed() -> dict:
    """A fresh database at park scale; returns what the measurements need."""
    with connect("postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{NAME}"')
    app = make_app()
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
    orgs = org_tree(MEMBERS)
    print(f"seeding {MEMBERS:,} members in {len(orgs)} organisations, {ENTRIES:,} entries", flush=True)
    started = time.perf_counter()
    with connect() as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO org (id, parent_id, name, kind, path, active) VALUES (%s, %s, %s, %s, %s, true)",
                            [o[:5] for o in orgs])
            cur.executemany("INSERT INTO rule (id, code, name, dimension, points, needs_approval, active, declarable,"
                            " version) VALUES (%s, %s, %s, %s, %s, false, true, %s, 1)",
                            [(i + 1, *r, r[2] in ("performance", "morality")) for i, r in enumerate(RULES)])
            cur.executemany("INSERT INTO rule_version (rule_id, version, name, points, needs_approval, declarable,"
                            " created_at) VALUES (%s, 1, %s, %s, false, false, now())",
                            [(i + 1, r[1], r[3]) for i, r in enumerate(RULES)])
        conn.execute("SELECT setval('org_id_seq', (SELECT max(id) FROM org))")
        conn.execute("SELECT setval('rule_id_seq', (SELECT max(id) FROM rule))")
        # Member numbers lo..hi of each organisation.
        step("slots", conn, "CREATE TEMP TABLE slot AS SELECT org_id, lo, hi FROM (VALUES "
             + ",".join(f"({o[0]}, {lo}, {lo + o[5] - 1})" for o, lo in _ranges(orgs)) + ") v(org_id, lo, hi)")
        step("members", conn, f"""
            INSERT INTO member (id, name, phone, member_type, org_id, status, joined_on, created_at)
            SELECT g,
                   substr(%(s)s, 1 + g %% {len(SURNAMES)}, 1) || substr(%(c)s, 1 + (g / 7) %% {len(GIVEN)}, 1)
                     || CASE WHEN g %% 3 = 0 THEN '' ELSE substr(%(c)s, 1 + (g / 13) %% {len(GIVEN)}, 1) END,
                   '1' || (3 + g %% 7)::text || lpad(g::text, 9, '0'),
                   CASE WHEN g %% 20 = 0 THEN '预备党员' WHEN g %% 50 = 1 THEN '群众志愿者' ELSE '党员' END,
                   s.org_id, CASE WHEN g %% 200 = 0 THEN 'inactive' ELSE 'active' END,
                   date '1990-01-01' + (g %% 12000), now()
            FROM generate_series(1, {MEMBERS}) g JOIN slot s ON g BETWEEN s.lo AND s.hi""",
             {"s": SURNAMES, "c": GIVEN})
        conn.execute("SELECT setval('member_id_seq', (SELECT max(id) FROM member))")
        step("memberships", conn, "INSERT INTO membership (member_id, org_id) SELECT id, org_id FROM member")
        _entries(conn)
        step("balances", conn, """
            INSERT INTO balance (member_id, spendable)
            SELECT m.id, coalesce(e.s, 0) FROM member m
            LEFT JOIN (SELECT member_id, sum(delta_spendable) s FROM ledger_entry GROUP BY member_id) e
              ON e.member_id = m.id""")
        step("scores", conn, """
            INSERT INTO score (member_id, year, dimension, score)
            SELECT member_id, year, dimension, sum(delta_score) FROM ledger_entry
            WHERE delta_score <> 0 GROUP BY member_id, year, dimension""")
        _activities(conn)
        step("declarations", conn, f"""
            INSERT INTO declaration (member_id, org_id, rule_id, occurred_on, title, description, photos, status, note,
                                     created_at, updated_at)
            SELECT m.id, m.org_id, 11 + g % 10, date '{YEAR}-01-01' + (m.id + g * 37) % 300, '申报事项' || g, '', '[]',
                   (ARRAY['submitted','approved','approved','rejected','returned'])[1 + (m.id + g) % 5], '', now(), now()
            FROM member m, generate_series(1, 2) g WHERE m.id % 5 = 0""")
        # What autovacuum does to a table that has settled: statistics and the visibility map (index-only scans).
        step("vacuum analyze", conn, "VACUUM ANALYZE")
    seconds = round(time.perf_counter() - started)
    print(f"seeded in {seconds} s", flush=True)
    return {"orgs": orgs, "seed_seconds": seconds}


def _ranges(orgs):
    lo = 1
    for o in orgs:
        if o[5]:
            yield o, lo
            lo += o[5]


def _entries(conn) -> None:
    """ENTRIES entries spread evenly over the two years, each member taking every MEMBERS-th one:
    76 % awards under 22 rules, 15 % redemptions, 4 % deductions, refunds, adjustments (a tenth of them
    late corrections), 1 % reversals. Loaded without the secondary indexes, rebuilt after (as a restore)."""
    constraints, indexes = drop_ledger_indexes(conn)
    assert MEMBERS % 100 == 0, "BENCH_MEMBERS must be a multiple of 100"
    parallel("ledger entries", [(lo, hi) for lo, hi in _halves(ENTRIES)], entries_sql(MEMBERS, ENTRIES))
    conn.execute("SELECT setval('ledger_entry_id_seq', (SELECT max(id) FROM ledger_entry))")
    for name, definition in constraints:
        step(f"constraint {name}", conn, f'ALTER TABLE ledger_entry ADD CONSTRAINT "{name}" {definition}')
    for name, definition in indexes:
        step(f"index {name}", conn, definition)


def drop_ledger_indexes(conn) -> tuple[list, list]:
    """The ledger's unique constraints and secondary indexes, dropped for a bulk load: (name, definition)
    of each, to be made again after it."""
    indexes = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ledger_entry'"
                           " AND indexname NOT IN (SELECT conname FROM pg_constraint"
                           " WHERE conrelid = 'ledger_entry'::regclass)").fetchall()
    constraints = conn.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                               " WHERE conrelid = 'ledger_entry'::regclass AND contype = 'u'").fetchall()
    for name, _ in constraints:
        conn.execute(f'ALTER TABLE ledger_entry DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.execute(f'DROP INDEX IF EXISTS "{name}"')
    return constraints, indexes


def entries_sql(members: int, entries: int) -> str:
    """The INSERT of ledger entries {lo} to {hi} (str.format them in), spread evenly over SPAN_DAYS from
    START. Entry g is member 1 + g % members's j-th (j = g / members), so members interleave as in life;
    its kind k = (7j + 3g) % 100 runs through every value over a member's 100 entries. A reversal (k = 99)
    undoes the same member's entry before it (g - members, whose k is 92: an award)."""
    step_seconds = SPAN_DAYS * 86400 / entries
    return f"""
        WITH e AS (
          SELECT g, 1 + g % {members} AS member_id, k, j,
                 timestamptz '{START}' + make_interval(secs => (g - 1) * {step_seconds} + (g * 7) % 1800) AS at,
                 CASE WHEN k = 99 AND g >= {members} THEN 'reversal' WHEN k < 70 OR k >= 92 THEN 'award'
                      WHEN k < 85 THEN 'redeem' WHEN k < 89 THEN 'deduct' WHEN k < 91 THEN 'refund'
                      ELSE 'adjust' END AS kind
          FROM (SELECT g, (g / {members}) AS j, ((g / {members}) * 7 + g * 3) % 100 AS k
                FROM generate_series({{lo}}::bigint, {{hi}}) g) s),
        f AS (
          SELECT e.*, CASE kind WHEN 'award' THEN 1 + (g * 13) % 22 WHEN 'reversal' THEN 1 + ((g - {members}) * 13) % 22
                                WHEN 'deduct' THEN 23 + g % 3 WHEN 'adjust' THEN 6 END AS rule_id FROM e)
        INSERT INTO ledger_entry (id, member_id, kind, dimension, year, delta_score, delta_spendable, rule_id,
                                  rule_version, source_type, source_id, idempotency_key, actor, reason, occurred_at,
                                  created_at, reverses_id, late_correction)
        SELECT g, member_id, kind, r.dimension, extract(year FROM at AT TIME ZONE 'Asia/Shanghai')::int,
               CASE kind WHEN 'adjust' THEN 5 WHEN 'reversal' THEN -r.points ELSE coalesce(r.points, 0) END,
               CASE kind WHEN 'adjust' THEN 5 WHEN 'reversal' THEN -r.points WHEN 'redeem' THEN -5
                         WHEN 'refund' THEN 5 ELSE r.points END,
               f.rule_id, CASE WHEN f.rule_id IS NULL THEN NULL ELSE 1 END,
               CASE WHEN kind IN ('redeem', 'refund') THEN 'redemption' ELSE 'award' END, NULL,
               'bench:' || g, CASE WHEN kind IN ('redeem', 'refund') THEN 'member:' || member_id
                                   ELSE 'staff:' || (1 + g % 2) END,
               coalesce(r.name, CASE kind WHEN 'redeem' THEN '兑换' WHEN 'refund' THEN '退还' ELSE '调整' END),
               at, at + interval '3 minutes', CASE WHEN kind = 'reversal' THEN g - {members} END,
               kind = 'adjust' AND j % 10 = 3
        FROM f LEFT JOIN rule r ON r.id = f.rule_id"""


def _halves(n: int):
    half = n // 2
    return [(1, half), (half + 1, n)]


def parallel(label: str, ranges, template: str) -> None:
    """One statement over parts of the range at once, a connection each (the machine has two cores)."""
    from concurrent.futures import ThreadPoolExecutor

    def run(bounds):
        with connect() as conn:
            conn.execute("SET session_replication_role = replica")
            conn.execute(template.format(lo=bounds[0], hi=bounds[1]))

    started = time.perf_counter()
    with ThreadPoolExecutor(len(ranges)) as pool:
        list(pool.map(run, ranges))
    print(f"  {label:<34} {time.perf_counter() - started:6.1f} s", flush=True)


def _activities(conn) -> None:
    """Six meetings a year in every branch, held; 70 % of members check in, one in ten asks leave."""
    step("activities", conn, f"""
        INSERT INTO activity (org_id, kind, title, description, place, starts_at, ends_at, checkin_opens_at,
                              checkin_closes_at, checked_in, open_to_volunteers, status, created_by, created_at)
        SELECT o.id, 'branch_meeting', '支部党员大会' || y || '-' || n, '', '', t, t + interval '2 hours', t, t,
               0, false, 'published', 'staff:1', now()
        FROM org o, generate_series(2025, {YEAR}) y, generate_series(1, 6) n,
             LATERAL (SELECT make_timestamptz(y, 2 * n - 1, 10, 9, 0, 0, 'Asia/Shanghai') AS t) tt
        WHERE o.kind = 'branch' AND t < now()""")
    step("check-ins", conn, """
        INSERT INTO checkin (activity_id, member_id, method, scanned_at, recorded_at, late_upload, points)
        SELECT a.id, m.id, 'scan', a.starts_at, a.starts_at, false, 2
        FROM activity a JOIN org o ON o.id = a.org_id JOIN org mo ON mo.path LIKE o.path || '%'
        JOIN member m ON m.org_id = mo.id WHERE (m.id + a.id) % 10 < 7""")
    step("leave", conn, """
        INSERT INTO leave_request (activity_id, member_id, reason, status, created_at)
        SELECT a.id, m.id, '出差', 'approved', a.starts_at - interval '1 day'
        FROM activity a JOIN org o ON o.id = a.org_id JOIN org mo ON mo.path LIKE o.path || '%'
        JOIN member m ON m.org_id = mo.id WHERE (m.id + a.id) % 10 = 7""")


def make_app():
    from points_mall import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": f"{PG.replace('postgresql://', 'postgresql+psycopg://')}/{NAME}",
                       "REDIS_URL": None, "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_ENABLED": False,
                       "TESTING": True})  # no in-process job thread polling the database meanwhile


def timed(client, cases: dict, reps: int) -> dict[str, list[float]]:
    """Each case reps times, in turns (one of each, then again), so that a busy moment of the machine
    falls on the baseline as much as on the rest; each answered once first to warm caches and plans."""
    times = {label: [] for label in cases}
    for label, (url, headers) in cases.items():
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, (url, answer.status_code, answer.get_data(as_text=True)[:300])
    for _ in range(reps):
        for label, (url, headers) in cases.items():
            started = time.perf_counter()
            answer = client.get(url, headers=headers)
            times[label].append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, url
    return times


def figures(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"p50_ms": round(statistics.median(ordered), 2),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2)}


def measure(info: dict) -> dict:
    from flask import jsonify
    from sqlalchemy import text

    from points_mall.extensions import db
    from points_mall.people.models import Grant, StaffUser
    from points_mall.common.security import current_actor
    from points_mall.accounts.auth import issue_token

    app = make_app()

    @app.get("/bench/select-1")
    def select_one():
        """The baseline: the same token read, the same actor and grants loaded, one SELECT 1."""
        current_actor()
        return jsonify({"one": db.session.execute(text("SELECT 1")).scalar_one()})

    branches = [o for o in info["orgs"] if o[3] == "branch"]
    big = max(branches, key=lambda o: sum(x[5] for x in info["orgs"] if x[4].startswith(o[4])))
    with app.app_context():
        db.session.execute(text("DELETE FROM \"grant\" WHERE staff_id IN (SELECT id FROM staff_user WHERE username LIKE 'bench-%')"))
        db.session.execute(text("DELETE FROM staff_user WHERE username LIKE 'bench-%'"))
        admin = StaffUser(username="bench-admin", password_hash="-", display_name="党委管理员")
        secretary = StaffUser(username="bench-secretary", password_hash="-", display_name="支部书记")
        db.session.add_all([admin, secretary])
        db.session.flush()
        db.session.add_all([Grant(staff_id=admin.id, role="admin"),
                            Grant(staff_id=secretary.id, role="organizer", org_id=big[0])])
        db.session.commit()
        tokens = {"admin": issue_token("staff", str(admin.id), 3600 * 6),
                  "organizer": issue_token("staff", str(secretary.id), 3600 * 6)}
        member_id, phone, name = db.session.execute(text(
            "SELECT id, phone, name FROM member WHERE org_id = :o ORDER BY id LIMIT 1 OFFSET 7"), {"o": big[0]}).one()
        has_sheet = any(r.rule == "/api/v1/score-sheets" for r in app.url_map.iter_rules())
        deep = deep_cursor(app, tokens["admin"])
    client = app.test_client()
    admin_h = {"Authorization": f"Bearer {tokens['admin']}"}
    org_h = {"Authorization": f"Bearer {tokens['organizer']}"}
    cases = {
        "baseline_select_1": ("/bench/select-1", admin_h),
        "member_search_by_name": (f"/api/v1/archive/members?name={name[1:]}", admin_h),
        "member_search_by_name_in_branch": (f"/api/v1/archive/members?name={name[:1]}", org_h),
        "member_search_by_phone": (f"/api/v1/archive/members?phone={phone}", admin_h),
        "member_search_by_phone_last4": (f"/api/v1/archive/members?phone={phone[-4:]}", admin_h),
        "ledger_first_page": ("/api/v1/archive/ledger", admin_h),
        "ledger_first_page_branch": ("/api/v1/archive/ledger", org_h),
        "ledger_branch_rule_period": (f"/api/v1/archive/ledger?rule_id=6&from={YEAR}-03-01&to={YEAR}-03-31", org_h),
        "ledger_branch_dimension": ("/api/v1/archive/ledger?dimension=morality", org_h),
        "ledger_deep_page": (f"/api/v1/archive/ledger?cursor={deep}", admin_h),
        "ledger_late_corrections": ("/api/v1/archive/ledger?late_only=true", admin_h),
        "ledger_one_member": (f"/api/v1/archive/ledger?member_id={member_id}", org_h),
        "member_archive_page": (f"/api/v1/archive/members/{member_id}?year={YEAR}", org_h),
    }
    if has_sheet:
        cases["score_sheet_branch_year"] = (f"/api/v1/score-sheets?org_id={big[0]}&period=year&start={YEAR}-01-01", org_h)
    out = {"members": MEMBERS, "entries": ENTRIES, "seed_seconds": info.get("seed_seconds"), "repetitions": REPS,
           "branch_members": big[5] + sum(
        x[5] for x in info["orgs"] if x[4].startswith(big[4]) and x[0] != big[0])}
    for label, times in timed(client, cases, REPS).items():
        out[label] = figures(times)
    if not has_sheet:
        out["score_sheet_branch_year"] = "not measured: GET /api/v1/score-sheets is not there yet"
    base = out["baseline_select_1"]["p50_ms"]
    out["ratio_p50_to_baseline"] = {k: round(v["p50_ms"] / base, 1) for k, v in out.items()
                                    if isinstance(v, dict) and "p50_ms" in v and k != "baseline_select_1"}
    out["plans"] = explain(app, member_id, big, deep)
    return out


def deep_cursor(app, token: str) -> str:
    """The cursor of a page about a year back (some 5 million entries down)."""
    from points_mall.points.models import LedgerEntry
    from points_mall.year.archive import encode_cursor
    from points_mall.extensions import db

    entry = db.session.get(LedgerEntry, ENTRIES // 2)
    return encode_cursor(entry.occurred_at, entry.id)


def explain(app, member_id: int, branch, deep: str) -> dict:
    """EXPLAIN ANALYZE of the ledger's statements as the service builds them (one line each: the plan's
    top nodes and the time), so a regression in the plans shows in the results."""
    from sqlalchemy.dialects import postgresql

    from points_mall.extensions import db
    from points_mall.year import archive
    from points_mall.people.access import GrantScope, Actor

    admin = Actor("staff", 0, (GrantScope("admin", None),))
    organizer = Actor("staff", 0, (GrantScope("organizer", branch[4]),))
    plans = {}
    with app.app_context():
        conds, scope = archive._ledger_filters(organizer)
        statements = {
            "ledger_first_page": archive._ledger_query(admin).limit(51),
            "ledger_first_page_branch": archive.page_ids_statement(conds, scope, 51),
            "ledger_branch_rule_period": archive._ledger_query(organizer, rule_id=6).limit(51),
            "ledger_one_member": archive._ledger_query(admin, member_id=member_id).limit(51),
        }
        db.session.execute(db.text("SET LOCAL jit = off"))  # as services/archive.ledger_page does
        for label, stmt in statements.items():
            sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
            rows = db.session.execute(db.text("EXPLAIN (ANALYZE, COSTS OFF) " + sql)).scalars().all()
            plans[label] = [r.strip() for r in rows if "Index" in r or "Scan" in r or "Execution" in r][:8]
        db.session.rollback()
    return plans


def main() -> None:
    with connect("postgres") as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (NAME,)).fetchone()
    # BENCH_REUSE=1 measures a database kept by an earlier BENCH_KEEP=1 run (same BENCH_MEMBERS).
    info = {"orgs": org_tree(MEMBERS)} if exists and os.environ.get("BENCH_REUSE") == "1" else seed()
    try:
        out = measure(info)
        write_results("archive", out)
    finally:
        if not KEEP:
            with connect("postgres") as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
