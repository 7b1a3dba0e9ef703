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
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.checkin import ACTIVITY  # noqa: E402
from bench.cluster import Haproxy, OutboxWorker, measured, settle, start_instances  # noqa: E402
from bench.common import Gunicorn, fresh_database, seed, service_env, write_results  # noqa: E402
from bench.flash_sale import SHOP  # noqa: E402
from bench.load import CONNECTIONS, cpu_seconds, wrk  # noqa: E402
from bench.notify import FakeWechatProcess  # noqa: E402
from bench.outbox_checks import (drain, forget_wechat_token, order_burst, outbox_check,  # noqa: E402
                                 stop_workers)

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CHECKIN_MEMBERS = int(os.environ.get("BENCH_MEMBERS", "20000"))
FLASH_MEMBERS = 1000  # per layout, as in bench/flash_sale.py
UNITS = int(os.environ.get("BENCH_UNITS", "100"))
WARM = 3  # seconds of warm-up for an instance started cold
STARTED = time.perf_counter()
LAYOUTS = ("one_instance", "one_instance_behind_haproxy", "two_instances_behind_haproxy")
# Template ids the fake WeChat knows (tests/fake_wechat.py), with their typed keys.
_POINTS = {"id": "TPL-OA-POINTS", "fields": {"thing1": "title", "thing2": "body", "time3": "time"}}
TEMPLATES = {"points_changed": {"oa": _POINTS}, "redemption_reserved": {"oa": _POINTS}}
FOLLOWERS = "UPDATE member SET oa_openid = 'oa-' || id"  # every member follows the public account

def step(what: str) -> None:
    print(f"[{time.perf_counter() - STARTED:5.0f} s] {what}", flush=True)


def summary(result: dict) -> dict:
    keep = ("per_s", "p50_ms", "p90_ms", "p99_ms", "requests", "statuses", "wrapped", "socket_errors", "timeouts")
    return {k: v for k, v in result.items() if k in keep or k.endswith("_cpu_ms_per_request") or k.startswith("machine")}


def three_layouts(env: dict, instances: list[Gunicorn], path: str, body, tokens: dict, warm,
                  nonce_header: str = ""):
    """The service in layouts (a), (b), (c) (see the module's docstring) on its two started instances
    (the second waits idle until (c)), body(layout) the request body of each; stops the instances and
    returns the three results and the two outbox workers, still running, so the outbox can be watched
    draining."""
    results, workers, proxies, serving = {}, [], [], []

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
        workers.append(OutboxWorker(env).ready())
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
        "WECHAT_OA_APPID": "wx-oa", "WECHAT_OA_SECRET": "s", "WECHAT_OA_TOKEN": "t",
        "WECHAT_MP_APPID": "wx-mp", "WECHAT_MP_SECRET": "s",
        "WECHAT_TEMPLATES": json.dumps(TEMPLATES), "FLASK_APP": "points_mall",
        "WECHAT_DAILY_SEND_CAP": str(10**9)}  # the day's count lives in Redis across runs: no cap in a bench


def seed_while_starting(database_url: str, env: dict, statements: list[str], params: dict):
    """bench/common.seed while the service's two instances start (they load the app meanwhile and ask
    the database nothing until a load begins): the app, the tokens and the instances."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1)
    starting = pool.submit(start_instances, "wsgi:app", env)
    try:
        app, tokens = seed(database_url, statements, params)
    except BaseException:
        pool.shutdown()
        for instance in starting.result() if starting.exception() is None else []:
            instance.stop()
        raise
    pool.shutdown()
    return app, tokens, starting.result()


def guarded(instances: list[Gunicorn], run):
    """run(), stopping the instances if it fails (they are otherwise stopped by three_layouts)."""
    try:
        return run()
    except BaseException:
        for instance in instances:
            instance.stop()
        raise


def slices(tokens: list[str], parts: dict[str, float]) -> dict[str, list[str]]:
    """Consecutive slices of the tokens, sized by fraction: each load its own members."""
    out, start = {}, 0
    for name, share in parts.items():
        end = start + int(len(tokens) * share)
        out[name] = tokens[start:end]
        start = end
    return out


def checkin_section(fake: FakeWechatProcess, bare_instances: list[Gunicorn]) -> dict:
    from points_mall.activities import codes

    step("check-in: seeding")
    database_url = fresh_database("points_mall_bench_scale_checkin")
    env = service_and_worker_env(database_url, fake)
    app, tokens, instances = seed_while_starting(database_url, env, ACTIVITY + [FOLLOWERS], {"n": CHECKIN_MEMBERS})
    forget_wechat_token()

    def fresh_body(_layout=None):
        """The organizer's screen now (valid for this code step and the next, >= 30 s): read when each
        load starts."""
        with app.test_request_context():
            return json.dumps({"payload": codes.current("a", 1)["payload"], "nonce": "{nonce}"})

    baseline = guarded(instances, lambda: bare(bare_instances, fresh_body(), tokens, LAYOUTS))

    parts = slices(tokens, {"warm_first": 0.05, "one_instance": 0.3, "one_instance_behind_haproxy": 0.3,
                            "warm_second": 0.05, "two_instances_behind_haproxy": 0.3})
    warm_up = Counter()  # warm-ups may come round to a member again: "already"

    def warm(instance, name):
        warm_up.update(wrk(instance.url, "/api/v1/checkins", fresh_body(), parts[name], CONNECTIONS, WARM,
                            quiet=True)["statuses"])

    results, workers = three_layouts(env, instances, "/api/v1/checkins", fresh_body, parts, warm)
    try:
        step("check-in: the outbox drains, invariants")
        drained = drain(app, workers)
        invariants = checkin_invariants(app, results, warm_up) | {
            "outbox_drained_s_after_load": drained, **{f"outbox_{k}": v for k, v in outbox_check(app, fake).items()}}
        step("two workers: order burst; then one")
        order = order_burst(app, fake, workers, "顺序检查（两个）")
        workers[1].stop()
        single = order_burst(app, fake, workers[:1], "顺序检查（一个）")  # the control: the same with one
    finally:
        stop_workers(workers)
    return {"members": CHECKIN_MEMBERS, **{k: summary(v) for k, v in results.items()},
            "baseline_bare": baseline, "ratios": ratios(results, baseline), "invariants": invariants,
            "two_workers_order_burst": order, "one_worker_order_burst": single}


def checkin_invariants(app, results: dict, warm_up: Counter) -> dict:
    """What bench/checkin.py checks, over every load: each answered check-in stored, once, with its scan
    attempt and its ledger entry; `ledger-verify` clean; no answer but 200 in the measured loads."""
    from sqlalchemy import text

    from points_mall.extensions import db
    from points_mall.points import ledger

    answered = sum((Counter(r["statuses"]) for r in results.values()), Counter())
    ok = answered.get(200, 0) + warm_up.get(200, 0)
    with app.app_context():
        stored = db.session.scalar(text("SELECT count(*) FROM checkin"))
        once = db.session.scalar(text("SELECT count(DISTINCT (activity_id, member_id)) FROM checkin"))
        attempts = db.session.scalar(text("SELECT count(*) FROM scan_attempt"))
        entries = db.session.scalar(text("SELECT count(*) FROM ledger_entry"))
        problems = ledger.verify()
    return {"answered_ok": ok, "checkins_stored": stored, "answered_but_not_stored": max(0, ok - stored),
            "checked_in_twice": stored - once, "scan_attempts_stored": attempts, "ledger_entries": entries,
            "ledger_verify_problems": len(problems),
            "answers_other_than_ok": sum(v for k, v in answered.items() if k != 200), "warm_up_answers": warm_up}


# bench/flash_sale.py's shop (product 1), and products 2 and 3 alike: one per layout; product 4 is sold
# out, for warming an instance up without buying anything.
MORE_PRODUCTS = [
    """INSERT INTO product (id, shop_id, name, description, image_url, category, points_price, active,
       on_hand, low_stock_threshold) SELECT g, 1, '大米 5kg（' || g || '）', '', '', '粮油', :price, true,
       CASE WHEN g = 4 THEN 0 ELSE :units END, 5 FROM generate_series(2, 4) g""",
    """INSERT INTO stock_movement (product_id, kind, quantity, unit_cost, funding_org_id, actor, note,
       created_at) SELECT g, 'purchase', :units, 39.90, 1, 'bench', '', now() FROM generate_series(2, 3) g""",
]


def flash_section(fake: FakeWechatProcess, bare_instances: list[Gunicorn]) -> dict:
    step("flash sale: seeding")
    database_url = fresh_database("points_mall_bench_scale_flash")
    env = service_and_worker_env(database_url, fake)
    app, tokens, instances = seed_while_starting(database_url, env, SHOP + MORE_PRODUCTS + [FOLLOWERS], {
        "n": 3 * FLASH_MEMBERS, "units": UNITS, "points": 100, "price": 50})
    forget_wechat_token()
    product = dict(zip(LAYOUTS, (1, 2, 3)))
    bodies = {k: json.dumps({"shop_id": 1, "items": [{"product_id": p, "qty": 1}]}) for k, p in product.items()}
    sold_out = json.dumps({"shop_id": 1, "items": [{"product_id": 4, "qty": 1}]})
    members = {k: tokens[i * FLASH_MEMBERS:(i + 1) * FLASH_MEMBERS] for i, k in enumerate(LAYOUTS)}
    baseline = guarded(instances, lambda: bare(bare_instances, bodies["one_instance"], tokens))

    def warm(instance, _):
        wrk(instance.url, "/api/v1/redemptions", sold_out, tokens, CONNECTIONS, WARM, "Idempotency-Key", quiet=True)

    results, workers = three_layouts(env, instances, "/api/v1/redemptions", bodies.get, members, warm,
                                     "Idempotency-Key")
    try:
        step("flash sale: the outbox drains, invariants")
        drained = drain(app, workers)
        notifications = outbox_check(app, fake)
    finally:
        stop_workers(workers)
    invariants = flash_invariants(app, product, results) | {
        "outbox_drained_s_after_load": drained, **{f"outbox_{k}": v for k, v in notifications.items()}}
    return {"members_per_layout": FLASH_MEMBERS, "units_per_layout": UNITS,
            **{k: summary(v) for k, v in results.items()}, "baseline_bare": baseline,
            "ratios": ratios(results, baseline), "invariants": invariants}


def flash_invariants(app, product: dict, results: dict) -> dict:
    """What bench/flash_sale.py checks, for each layout's product; and the sale's own pace."""
    from sqlalchemy import text

    from points_mall.extensions import db
    from points_mall.points import ledger

    out = {}
    with app.app_context():
        for layout, p in product.items():
            on_hand = db.session.scalar(text("SELECT on_hand FROM product WHERE id = :p"), {"p": p})
            reserved, span = db.session.execute(text("""SELECT coalesce(sum(l.quantity), 0),
                extract(epoch FROM max(r.created_at) - min(r.created_at)) FROM redemption_line l
                JOIN redemption r ON r.id = l.redemption_id WHERE l.product_id = :p AND r.status = 'reserved'"""),
                {"p": p}).one()
            movements = db.session.scalar(text("SELECT sum(quantity) FROM stock_movement WHERE product_id = :p"),
                                          {"p": p})
            statuses = results[layout]["statuses"]
            out[layout] = {
                "reservations_answered": statuses.get(201, 0), "reserved_in_db": reserved, "on_hand_after": on_hand,
                # the first reservation to the last: the sale's own pace, whatever the answers after it cost
                "first_to_last_reservation_s": round(float(span or 0), 2),
                "reservations_per_s": round(reserved / float(span), 1) if span else None,
                "on_hand_equals_movements": on_hand == movements, "oversell": max(0, reserved - UNITS) + max(0, -on_hand),
                "errors_other_than_out_of_stock": sum(v for k, v in statuses.items() if k not in (201, "out_of_stock"))}
        out["ledger_verify_problems"] = len(ledger.verify())
    return out


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
