"""Shared by the HTTP benchmarks: a fresh database, gunicorn, and a closed-loop load of N clients."""
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
SECRET = "bench-secret-key-0123456789abcdef0123456789"


def fresh_database(name: str) -> str:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG.replace('postgresql://', 'postgresql+psycopg://')}/{name}"


def service_env(database_url: str) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=REDIS, SECRET_KEY=SECRET,
               CHECKIN_RATE_LIMIT="100/minute", CODE_RATE_LIMIT="100/minute", LOGIN_RATE_LIMIT="100000/minute")
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn serving `target`, the same way for the service and the baseline."""

    def __init__(self, target: str, env: dict, workers: int = int(os.environ.get("BENCH_WORKERS", "2")),
                 threads: int = int(os.environ.get("BENCH_THREADS", "4"))):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", target, "-b", f"127.0.0.1:{self.port}", "-w", str(workers),
             "-k", "gthread", "--threads", str(threads), "--log-level", "warning"],
            cwd=ROOT, env=env)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)


def closed_loop(make_request, total: int, clients: int) -> dict:
    """`clients` threads, each sending its share of `total` requests back to back."""
    latencies, statuses = [], {}
    lock = threading.Lock()
    counter = iter(range(total))

    def client():
        session = requests.Session()
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            method, url, kwargs = make_request(i)
            start = time.perf_counter()
            r = session.request(method, url, timeout=30, **kwargs)
            elapsed = time.perf_counter() - start
            code = r.json().get("error", {}).get("code", r.status_code) if r.status_code >= 400 else r.status_code
            with lock:
                latencies.append(elapsed)
                statuses[code] = statuses.get(code, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    latencies.sort()
    return {"requests": total, "per_s": round(total / wall, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1), "statuses": statuses}


def write_results(name: str, out: dict) -> None:
    """Print the figures and keep them in bench/results/NAME.json."""
    width = max(len(k) for k in out) + 2
    for key, value in out.items():
        print(f"{key:{width}} {value}")
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / f"{name}.json").write_text(json.dumps(out, indent=2) + "\n")


def bare_baseline(env: dict, body: dict, total: int, clients: int) -> dict:
    """The same load against a bare Flask endpoint served by gunicorn the same way."""
    bare = Gunicorn("bench.bare:app", env)
    try:
        closed_loop(lambda i: ("POST", f"{bare.url}/bare", {"json": body}), min(total, 500), clients)  # warm-up
        return closed_loop(lambda i: ("POST", f"{bare.url}/bare", {"json": body}), total, clients)
    finally:
        bare.stop()


def baseline_fields(result: dict, baseline: dict) -> dict:
    return {"baseline_per_s": baseline["per_s"], "baseline_p50_ms": baseline["p50_ms"],
            "baseline_p99_ms": baseline["p99_ms"], "ratio_to_baseline": round(result["per_s"] / baseline["per_s"], 3)}


SEED_MEMBERS = [
    "INSERT INTO org (id, name, kind, path) VALUES (1, '综合党委', 'committee', '/1/')",
    """INSERT INTO member (id, name, phone, member_type, org_id, status, created_at)
       SELECT g, '党员' || g, '13' || lpad(g::text, 9, '0'), '党员', 1, 'active', now()
       FROM generate_series(1, :n) g""",
]


def bench_app(database_url: str):
    """The service's app on the benchmark database, schema built by the migrations."""
    from flask_migrate import upgrade

    from points_mall import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": None, "SECRET_KEY": SECRET,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        upgrade()
    return app


def seed(database_url: str, statements: list[str], params: dict):
    """The schema, the members (SEED_MEMBERS) and what `statements` add; the app and a token per member."""
    from sqlalchemy import text

    from points_mall.extensions import db
    from points_mall.services.auth import issue_token

    app = bench_app(database_url)
    with app.app_context():
        for statement in SEED_MEMBERS + statements + ["SELECT setval('member_id_seq', :n)"]:
            db.session.execute(text(statement), params)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        tokens = [issue_token("member", str(i), 3600) for i in range(1, params["n"] + 1)]
    return app, tokens
