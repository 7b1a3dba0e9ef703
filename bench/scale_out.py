"""Scale-out benchmark (issue 12, part 7): the check-in and flash-sale loads of bench/checkin.py and
bench/flash_sale.py, on the same seeded databases, in three layouts on one PostgreSQL and one Redis:

  (a) one app instance (gunicorn, BENCH_WORKERS x BENCH_THREADS) driven directly, one outbox worker;
  (b) haproxy in front of that instance: what the proxy itself costs;
  (c) haproxy (leastconn, kept-alive backend connections, `option forwardfor`) in front of two
      instances of the same size, two outbox workers (`flask --app points_mall worker`) running.

Each layout gets members of its own (first-time check-ins; the flash sale a product of its own with
BENCH_UNITS units and 1,000 members rushing it). Notifications go through the real wechatpy client to
the local fake WeChat (bench/notify.py), which keeps what it received in order; after the loads the
outbox must drain with nothing pending or dead, no message sent twice and each member's messages
in the order they were written. A burst of many messages per member then puts that order to the
test with two workers claiming at once. The baseline is the bare Flask endpoint (bench/bare.py)
behind the same haproxy in front of two instances, in the same run; the check-in section also
measures it directly and behind the proxy with one instance. CPU per request comes from /proc:
the instances' gunicorn workers, haproxy, the outbox workers, and the whole machine.
Writes bench/results/scale_out.json."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.checkin import ACTIVITY  # noqa: E402
from bench.common import (REDIS, ROOT, Gunicorn, free_port, fresh_database, seed, service_env,  # noqa: E402
                          write_results)
from bench.flash_sale import SHOP  # noqa: E402
from bench.load import CONNECTIONS, cpu_seconds, wrk  # noqa: E402
from bench.notify import FakeWechatProcess  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CHECKIN_MEMBERS = int(os.environ.get("BENCH_MEMBERS", "20000"))
FLASH_MEMBERS = 1000  # per layout, as in bench/flash_sale.py
UNITS = int(os.environ.get("BENCH_UNITS", "100"))
ORDER_MEMBERS = int(os.environ.get("BENCH_ORDER_MEMBERS", "100"))
ORDER_EACH = int(os.environ.get("BENCH_ORDER_EACH", "20"))
WARM = 3  # seconds of warm-up for an instance started cold
STARTED = time.perf_counter()
LAYOUTS = ("one_instance", "one_instance_behind_haproxy", "two_instances_behind_haproxy")
TEMPLATES = {"points_changed": {"oa": "TPL-POINTS"}, "redemption_reserved": {"oa": "TPL-REDEEM"}}
FOLLOWERS = "UPDATE member SET oa_openid = 'oa-' || id"  # every member follows the public account

HAPROXY = """global
    maxconn 4096
defaults
    mode http
    option http-keep-alive
    option forwardfor
    http-reuse safe
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 10s
frontend bench
    bind 127.0.0.1:{port}
    default_backend app
backend app
    balance leastconn
{servers}
"""


class Haproxy:
    """haproxy in the foreground, a child of this process; its config lives in a temporary directory."""

    def __init__(self, backends: list[Gunicorn]):
        self.dir = tempfile.TemporaryDirectory(prefix="bench-haproxy-")
        self.port = free_port()
        config = Path(self.dir.name) / "haproxy.cfg"
        config.write_text(HAPROXY.format(port=self.port, servers="\n".join(
            f"    server app{i} 127.0.0.1:{b.port}" for i, b in enumerate(backends, 1))))
        self.proc = subprocess.Popen(["haproxy", "-db", "-f", str(config)], cwd=self.dir.name)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("haproxy did not start")
                time.sleep(0.05)
        raise RuntimeError("haproxy did not start")

    def cpu(self) -> float:
        return process_cpu(self.proc.pid)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)
        self.dir.cleanup()


class OutboxWorker:
    """`flask --app points_mall worker`: the RQ worker with its scheduler, as production runs it."""

    def __init__(self, env: dict):
        self.log = tempfile.NamedTemporaryFile(prefix="bench-worker-", suffix=".log")
        self.proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "points_mall", "worker"],
                                     cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def ready(self, timeout: float = 120) -> "OutboxWorker":
        """Wait until it listens on its queue, so its start-up is not counted in a load's figures."""
        end = time.monotonic() + timeout
        while b"Listening on" not in Path(self.log.name).read_bytes():
            if self.proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError(f"the outbox worker did not start:\n{self.stop()}")
            time.sleep(0.2)
        return self

    def cpu(self) -> float:
        """Its own CPU and its work-horses' (one forked per job: those ended and the one running)."""
        if self.proc.poll() is not None:
            raise RuntimeError(f"an outbox worker stopped (exit {self.proc.returncode}):\n{self.stop()}")
        return process_cpu(self.proc.pid, reaped=True) + cpu_seconds(self.proc.pid)

    def stop(self) -> str:
        """Stop it (RQ finishes the job in hand first) and return the end of its log."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if not self.log.closed:
            self.tail = Path(self.log.name).read_bytes().decode(errors="replace")[-2000:]
            self.log.close()
        return self.tail


def start_instances(target: str, env: dict, n: int = 2) -> list[Gunicorn]:
    """n gunicorn instances of `target`, started side by side (each waits until its workers answer)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(Gunicorn, target, env) for _ in range(n)]
    started = [f.result() for f in futures if f.exception() is None]
    if len(started) < n:
        for instance in started:
            instance.stop()
        raise next(f.exception() for f in futures if f.exception() is not None)
    return started


def step(what: str) -> None:
    print(f"[{time.perf_counter() - STARTED:5.0f} s] {what}", flush=True)


def settle(meter, timeout: float = 15) -> None:
    """Wait until the processes `meter` counts (CPU seconds so far) go quiet: the instances have
    answered what was still queued when wrk stopped, a worker has started, so that one step's
    leftovers do not run into the next load's figures."""
    end, last = time.monotonic() + timeout, meter()
    while time.monotonic() < end:
        time.sleep(0.5)
        now = meter()
        if now - last < 0.02:
            return
        last = now


def process_cpu(pid: int, reaped: bool = False) -> float:
    """CPU seconds (user + system) of a process itself, all threads, and of its children reaped so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if reaped else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, every core (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / os.sysconf("SC_CLK_TCK"), sum(values) / os.sysconf("SC_CLK_TCK")


def measured(run, meters: dict) -> dict:
    """run() (a wrk load) and, meanwhile, the CPU per request of each group of processes in `meters`
    (name → a function returning CPU seconds so far) and of the whole machine."""
    before = {name: meter() for name, meter in meters.items()}
    busy0, total0 = machine_cpu()
    result = run()
    busy1, total1 = machine_cpu()
    n = max(1, result["requests"])
    for name, meter in meters.items():
        result[f"{name}_cpu_ms_per_request"] = round((meter() - before[name]) * 1000 / n, 2)
    result["machine_cpu_ms_per_request"] = round((busy1 - busy0) * 1000 / n, 2)
    result["machine_busy_pct"] = round(100 * (busy1 - busy0) / max(1e-9, total1 - total0), 1)
    return result


def summary(result: dict) -> dict:
    keep = ("per_s", "p50_ms", "p90_ms", "p99_ms", "requests", "statuses", "wrapped", "socket_errors", "timeouts")
    return {k: v for k, v in result.items() if k in keep or k.endswith("_cpu_ms_per_request") or k.startswith("machine")}


def three_layouts(env: dict, path: str, body, tokens: dict, warm, nonce_header: str = ""):
    """The service in layouts (a), (b), (c) (see the module's docstring), body(layout) the request body
    of each; returns the three results and the two outbox workers, still running, so the outbox can be
    watched draining. The second instance is started with the first and waits idle until (c)."""
    results, workers, proxies = {}, [OutboxWorker(env)], []
    instances, serving = [], []

    def everything():
        return sum(cpu_seconds(i.proc.pid) for i in instances) + sum(w.cpu() for w in workers)

    def load(url, layout):
        settle(everything)
        step(f"{path}: {layout}")
        return measured(lambda: wrk(url, path, body(layout), tokens[layout], CONNECTIONS, SECONDS, nonce_header),
                        {"app": lambda: sum(cpu_seconds(i.proc.pid) for i in serving),
                         "haproxy": lambda: sum(p.cpu() for p in proxies if p.proc.poll() is None),
                         "outbox_workers": lambda: sum(w.cpu() for w in workers)})

    try:
        instances += start_instances("wsgi:app", env)
        workers[0].ready()
        serving.append(instances[0])
        warm(instances[0], "warm_first")
        results["one_instance"] = load(instances[0].url, "one_instance")
        proxies.append(Haproxy(serving))
        results["one_instance_behind_haproxy"] = load(proxies[0].url, "one_instance_behind_haproxy")
        proxies.pop().stop()
        workers.append(OutboxWorker(env))
        serving.append(instances[1])
        warm(instances[1], "warm_second")
        workers[1].ready()
        proxies.append(Haproxy(serving))
        results["two_instances_behind_haproxy"] = load(proxies[0].url, "two_instances_behind_haproxy")
    except BaseException:
        for worker in workers:
            print(worker.stop(), file=sys.stderr)
        raise
    finally:
        for proxy in proxies:
            proxy.stop()
        for instance in instances:
            instance.stop()
    return results, workers


def bare(instances: list[Gunicorn], body: str, tokens: list[str], layouts=("two_instances_behind_haproxy",)) -> dict:
    """The bare Flask endpoint on two running instances, served and driven the same way: behind
    haproxy in front of both, and (when asked) directly and behind haproxy with one instance."""
    out, proxy, serving = {}, None, instances[:1]

    def load(url):
        settle(lambda: sum(cpu_seconds(i.proc.pid) for i in instances))
        step(f"bare baseline: {len(serving)} instance(s){' behind haproxy' if proxy else ''}")
        return summary(measured(lambda: wrk(url, "/bare", body, tokens, CONNECTIONS, SECONDS),
                                {"app": lambda: sum(cpu_seconds(i.proc.pid) for i in serving),
                                 "haproxy": lambda: proxy.cpu() if proxy else 0.0}))

    try:
        if "one_instance" in layouts:
            out["one_instance"] = load(instances[0].url)
        if "one_instance_behind_haproxy" in layouts:
            proxy = Haproxy(serving)
            out["one_instance_behind_haproxy"] = load(proxy.url)
            proxy.stop()
            proxy = None
        serving = instances
        proxy = Haproxy(serving)
        out["two_instances_behind_haproxy"] = load(proxy.url)
    finally:
        if proxy:
            proxy.stop()
    return out


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def ratios(results: dict, baseline: dict) -> dict:
    """Each layout against the baseline (bare, two instances behind haproxy) and against the bare
    endpoint in the same layout where measured; the proxy's cost; two instances against one."""
    base = baseline["two_instances_behind_haproxy"]["per_s"]
    a, b, c = (results[k]["per_s"] for k in LAYOUTS)
    out = {f"{k}_to_baseline": ratio(results[k]["per_s"], base) for k in LAYOUTS}
    out |= {f"{k}_to_bare_same_layout": ratio(results[k]["per_s"], baseline[k]["per_s"])
            for k in LAYOUTS if k in baseline}
    out |= {"behind_haproxy_to_direct": ratio(b, a), "two_instances_to_one_behind_haproxy": ratio(c, b),
            "two_instances_to_one_direct": ratio(c, a)}
    if "one_instance" in baseline:
        bare_a, bare_b, bare_c = (baseline[k]["per_s"] for k in LAYOUTS)
        out |= {"bare_behind_haproxy_to_direct": ratio(bare_b, bare_a),
                "bare_two_instances_to_one_behind_haproxy": ratio(bare_c, bare_b)}
    return out


def service_and_worker_env(database_url: str, fake: FakeWechatProcess) -> dict:
    """The bench's service settings, behind one proxy (PROXY_COUNT=1: direct requests carry no
    X-Forwarded-For and count as they come), sending through the fake WeChat."""
    return service_env(database_url) | {
        "PROXY_COUNT": "1", "WECHAT_GATEWAY": "wechatpy", "WECHAT_API_BASE_URL": fake.base_url,
        "WECHAT_OA_APPID": "wx-oa", "WECHAT_OA_SECRET": "s", "WECHAT_MP_APPID": "wx-mp", "WECHAT_MP_SECRET": "s",
        "WECHAT_TEMPLATES": json.dumps(TEMPLATES), "FLASK_APP": "points_mall"}


def forget_wechat_token() -> None:
    """The fake WeChat is new each section: a token kept in Redis from an earlier run is unknown to it."""
    import redis

    redis.Redis.from_url(REDIS).delete("pm:wechat:wx-oa_access_token", "pm:wechat:wx-oa_access_token_expires_at")


def drain(app, workers: list[OutboxWorker], timeout: float = 120) -> float:
    """Seconds until the outbox has nothing pending (the workers' scheduler ticks every 5 s)."""
    from sqlalchemy import text

    from points_mall.extensions import db

    start = time.perf_counter()
    with app.app_context():
        while db.session.scalar(text("SELECT count(*) FROM notification WHERE status = 'pending'")):
            if time.perf_counter() - start > timeout:
                break
            db.session.remove()
            time.sleep(0.5)
        db.session.remove()
    return round(time.perf_counter() - start, 1)


def outbox_check(app, fake: FakeWechatProcess) -> dict:
    """What the outbox promises with several workers (README, WeChat and notifications): every message
    ends sent (nothing pending or dead), WeChat got each one (at least once; here no worker dies, so
    exactly once) and each member got theirs in the order they were written."""
    from sqlalchemy import text

    from points_mall.extensions import db

    with app.app_context():
        status = dict(db.session.execute(text("SELECT status, count(*) FROM notification GROUP BY status")).all())
        rows = db.session.execute(text("""SELECT m.oa_openid, n.title, n.body FROM notification n
            JOIN member m ON m.id = n.member_id WHERE n.channel = 'template' ORDER BY n.id""")).all()
        attempts = db.session.scalar(text("SELECT count(*) FROM delivery_attempt"))
        notes = db.session.scalar(text("SELECT count(*) FROM notification WHERE status <> 'pending'"))
        # delivery_attempt.worker is the RQ worker process (its work-horses fork from it)
        workers = db.session.scalar(text("SELECT count(DISTINCT worker) FROM delivery_attempt"))
    expected, received = defaultdict(list), defaultdict(list)
    for touser, title, body in rows:
        expected[touser].append((title, body))
    for touser, data in fake.sends():
        received[touser].append((data["first"]["value"], data["keyword1"]["value"]))
    twice = missing = out_of_turn = 0
    for touser in expected.keys() | received.keys():
        want, got = Counter(expected[touser]), Counter(received[touser])
        twice += sum((got - want).values())
        missing += sum((want - got).values())
        out_of_turn += got == want and expected[touser] != received[touser]
    return {"notifications": sum(status.values()), "sent": status.get("sent", 0),
            "pending": status.get("pending", 0), "dead": status.get("dead", 0),
            "pushed_to_wechat": len(rows), "received_by_wechat": sum(len(v) for v in received.values()),
            "sent_twice": twice, "missing_at_wechat": missing, "members_out_of_turn": out_of_turn,
            "attempts_beyond_one": attempts - notes, "workers_that_delivered": workers}


def stop_workers(workers: list[OutboxWorker]) -> None:
    for worker in workers:
        worker.stop()


def slices(tokens: list[str], parts: dict[str, float]) -> dict[str, list[str]]:
    """Consecutive slices of the tokens, sized by fraction: each load its own members."""
    out, start = {}, 0
    for name, share in parts.items():
        end = start + int(len(tokens) * share)
        out[name] = tokens[start:end]
        start = end
    return out


def checkin_section(fake: FakeWechatProcess, bare_instances: list[Gunicorn]) -> dict:
    from sqlalchemy import text

    from points_mall.extensions import db
    from points_mall.services import codes, ledger

    step("check-in: seeding")
    database_url = fresh_database("points_mall_bench_scale_checkin")
    app, tokens = seed(database_url, ACTIVITY + [FOLLOWERS], {"n": CHECKIN_MEMBERS})
    forget_wechat_token()
    env = service_and_worker_env(database_url, fake)

    def fresh_body(_layout=None):
        """The organizer's screen now (valid for this code step and the next, >= 30 s): read when each
        load starts."""
        with app.test_request_context():
            return json.dumps({"payload": codes.current("a", 1)["payload"], "nonce": "{nonce}"})

    baseline = bare(bare_instances, fresh_body(), tokens, LAYOUTS)

    parts = slices(tokens, {"warm_first": 0.05, "one_instance": 0.3, "one_instance_behind_haproxy": 0.3,
                            "warm_second": 0.05, "two_instances_behind_haproxy": 0.3})
    answered, warm_up = Counter(), Counter()  # warm-ups may come round to a member again: "already"

    def warm(instance, name):
        warm_up.update(wrk(instance.url, "/api/v1/checkins", fresh_body(), parts[name], CONNECTIONS, WARM,
                            quiet=True)["statuses"])

    results, workers = three_layouts(env, "/api/v1/checkins", fresh_body, parts, warm)
    try:
        for result in results.values():
            answered.update(result["statuses"])
        step("check-in: the outbox drains, invariants")
        drained = drain(app, workers)
        notifications = outbox_check(app, fake)
        with app.app_context():
            stored = db.session.scalar(text("SELECT count(*) FROM checkin"))
            once = db.session.scalar(text("SELECT count(DISTINCT (activity_id, member_id)) FROM checkin"))
            attempts = db.session.scalar(text("SELECT count(*) FROM scan_attempt"))
            entries = db.session.scalar(text("SELECT count(*) FROM ledger_entry"))
            problems = ledger.verify()
        step("two workers: order burst")
        order = order_burst(app, fake, workers)
    finally:
        stop_workers(workers)
    invariants = {
        "answered_ok": answered.get(200, 0) + warm_up.get(200, 0), "checkins_stored": stored,
        "answered_but_not_stored": max(0, answered.get(200, 0) + warm_up.get(200, 0) - stored),
        "checked_in_twice": stored - once, "scan_attempts_stored": attempts,
        "ledger_entries": entries, "ledger_verify_problems": len(problems),
        "answers_other_than_ok": sum(v for k, v in answered.items() if k != 200), "warm_up_answers": warm_up,
        "outbox_drained_s_after_load": drained, **{f"outbox_{k}": v for k, v in notifications.items()},
    }
    return {"members": CHECKIN_MEMBERS, **{k: summary(v) for k, v in results.items()},
            "baseline_bare": baseline, "ratios": ratios(results, baseline), "invariants": invariants,
            "two_workers_order_burst": order}


def order_burst(app, fake: FakeWechatProcess, workers: list[OutboxWorker]) -> dict:
    """ORDER_EACH messages for each of ORDER_MEMBERS members at once ("第k条"), drained by the two
    workers both at work: each member's must reach WeChat once each and in the order written."""
    import redis
    from rq import Queue
    from sqlalchemy import text

    from points_mall.jobs import QUEUE

    from points_mall.extensions import db

    with app.app_context():
        before = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM notification"))
        db.session.execute(text("""INSERT INTO notification (member_id, event, title, body, data, status, attempts,
            next_attempt_at, created_at) SELECT 1 + (g - 1) % :m, 'points_changed', '顺序检查',
            '第' || (1 + (g - 1) / :m) || '条', '{}', 'pending', 0, now(), now()
            FROM generate_series(1, :n) g"""), {"m": ORDER_MEMBERS, "n": ORDER_MEMBERS * ORDER_EACH})
        db.session.commit()
        db.session.remove()
    cpu = [w.cpu() for w in workers]
    # One delivery job for each worker at once, as when the schedulers' ticks coincide.
    queue = Queue(QUEUE, connection=redis.Redis.from_url(REDIS))
    for _ in workers:
        queue.enqueue("points_mall.jobs.deliver_outbox")
    seconds = drain(app, workers)
    check = outbox_check(app, fake)
    with app.app_context():
        shares = sorted(db.session.scalars(text("""SELECT count(*) FROM delivery_attempt
            WHERE notification_id > :before GROUP BY worker"""), {"before": before}), reverse=True)
    return {"members": ORDER_MEMBERS, "messages_each": ORDER_EACH, "drained_s": seconds,
            "sent_by_each_worker": shares, "worker_cpu_s": [round(w.cpu() - c, 2) for w, c in zip(workers, cpu)],
            **{k: check[k] for k in ("pending", "dead", "sent_twice", "missing_at_wechat", "members_out_of_turn",
                                     "attempts_beyond_one")}}


def flash_section(fake: FakeWechatProcess, bare_instances: list[Gunicorn]) -> dict:
    from sqlalchemy import text

    from points_mall.extensions import db
    from points_mall.services import ledger

    step("flash sale: seeding")
    database_url = fresh_database("points_mall_bench_scale_flash")
    # bench/flash_sale.py's shop (product 1), and products 2 and 3 alike: one per layout; product 4 is
    # sold out, for warming an instance up without buying anything.
    more = ["""INSERT INTO product (id, shop_id, name, description, image_url, category, points_price, active,
               on_hand, low_stock_threshold) SELECT g, 1, '大米 5kg（' || g || '）', '', '', '粮油', :price, true,
               CASE WHEN g = 4 THEN 0 ELSE :units END, 5 FROM generate_series(2, 4) g""",
            """INSERT INTO stock_movement (product_id, kind, quantity, unit_cost, funding_org_id, actor, note,
               created_at) SELECT g, 'purchase', :units, 39.90, 1, 'bench', '', now() FROM generate_series(2, 3) g"""]
    app, tokens = seed(database_url, SHOP + more + [FOLLOWERS], {"n": 3 * FLASH_MEMBERS, "units": UNITS,
                                                                     "points": 100, "price": 50})
    forget_wechat_token()
    env = service_and_worker_env(database_url, fake)
    product = dict(zip(LAYOUTS, (1, 2, 3)))
    bodies = {k: json.dumps({"shop_id": 1, "items": [{"product_id": p, "qty": 1}]}) for k, p in product.items()}
    sold_out = json.dumps({"shop_id": 1, "items": [{"product_id": 4, "qty": 1}]})
    members = {k: tokens[i * FLASH_MEMBERS:(i + 1) * FLASH_MEMBERS] for i, k in enumerate(LAYOUTS)}
    baseline = bare(bare_instances, bodies["one_instance"], tokens)

    def warm(instance, _):
        wrk(instance.url, "/api/v1/redemptions", sold_out, tokens, CONNECTIONS, WARM, "Idempotency-Key", quiet=True)

    results, workers = three_layouts(env, "/api/v1/redemptions", bodies.get, members, warm, "Idempotency-Key")
    try:
        step("flash sale: the outbox drains, invariants")
        drained = drain(app, workers)
        notifications = outbox_check(app, fake)
    finally:
        stop_workers(workers)
    invariants = {}
    with app.app_context():
        for layout, p in product.items():
            on_hand = db.session.scalar(text("SELECT on_hand FROM product WHERE id = :p"), {"p": p})
            reserved = db.session.scalar(text("""SELECT coalesce(sum(l.quantity), 0) FROM redemption_line l
                JOIN redemption r ON r.id = l.redemption_id WHERE l.product_id = :p AND r.status = 'reserved'"""),
                {"p": p})
            span = db.session.scalar(text("""SELECT extract(epoch FROM max(r.created_at) - min(r.created_at))
                FROM redemption r JOIN redemption_line l ON l.redemption_id = r.id WHERE l.product_id = :p"""),
                {"p": p})
            movements = db.session.scalar(text("SELECT sum(quantity) FROM stock_movement WHERE product_id = :p"),
                                          {"p": p})
            statuses = results[layout]["statuses"]
            invariants[layout] = {
                "reservations_answered": statuses.get(201, 0), "reserved_in_db": reserved, "on_hand_after": on_hand,
                # the first reservation to the last: the sale's own pace, whatever the answers after it cost
                "first_to_last_reservation_s": round(float(span or 0), 2),
                "reservations_per_s": round(reserved / float(span), 1) if span else None,
                "on_hand_equals_movements": on_hand == movements, "oversell": max(0, reserved - UNITS) + max(0, -on_hand),
                "errors_other_than_out_of_stock": sum(v for k, v in statuses.items() if k not in (201, "out_of_stock"))}
        invariants["ledger_verify_problems"] = len(ledger.verify())
    invariants |= {"outbox_drained_s_after_load": drained, **{f"outbox_{k}": v for k, v in notifications.items()}}
    return {"members_per_layout": FLASH_MEMBERS, "units_per_layout": UNITS,
            **{k: summary(v) for k, v in results.items()}, "baseline_bare": baseline,
            "ratios": ratios(results, baseline), "invariants": invariants}


def main():
    out = {"cores": os.cpu_count(), "connections": CONNECTIONS, "seconds_per_load": SECONDS,
           "gunicorn_per_instance": f"{os.environ.get('BENCH_WORKERS', '2')} workers x "
                                    f"{os.environ.get('BENCH_THREADS', '4')} threads (gthread)",
           "proxy": subprocess.run(["haproxy", "-v"], capture_output=True, text=True).stdout.split("\n")[0][:40]
           + " leastconn, kept-alive backend connections, option forwardfor"}
    # The baseline's two instances serve both sections (the bare endpoint reads no database).
    bare_instances = start_instances("bench.bare:app", dict(os.environ))
    try:
        for instance in bare_instances:
            wrk(instance.url, "/bare", "{}", ["warm-up"] * CONNECTIONS, CONNECTIONS, WARM, quiet=True)
        for name, section in (("checkin", checkin_section), ("flash_sale", flash_section)):
            fake = FakeWechatProcess()
            try:
                out[name] = section(fake, bare_instances)
            finally:
                fake.stop()
    finally:
        for instance in bare_instances:
            instance.stop()
    out["run_seconds"] = round(time.perf_counter() - STARTED)
    write_results("scale_out", out)


if __name__ == "__main__":
    main()
