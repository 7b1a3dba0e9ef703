"""Shared by the HTTP benchmarks: a fresh database, gunicorn, and wrk driving both (bench/load.py)."""
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bench.load import CONNECTIONS, SECONDS, cpu_seconds, wrk

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
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        self._wait_for_workers(workers * threads * 2)

    def _wait_for_workers(self, n: int) -> None:
        """The port opens before the workers have loaded the app (seconds on a busy machine): wait
        until n requests at once are answered, so no worker is still booting when wrk starts."""
        import urllib.error
        import urllib.request
        from concurrent.futures import ThreadPoolExecutor

        def ask(_):
            try:
                urllib.request.urlopen(f"{self.url}/bench-ready", timeout=120).close()
            except urllib.error.HTTPError:
                pass  # a 404 is an answer from a loaded app

        with ThreadPoolExecutor(n) as pool:
            list(pool.map(ask, range(n)))

    def measured(self, run) -> dict:
        """run() (a wrk load) and the workers' CPU time per request meanwhile (cpu_ms_per_request)."""
        before = cpu_seconds(self.proc.pid)
        result = run()
        result["cpu_ms_per_request"] = round((cpu_seconds(self.proc.pid) - before) * 1000 / max(1, result["requests"]), 2)
        return result

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)


def write_results(name: str, out: dict) -> None:
    """Print the figures and keep them in bench/results/NAME.json."""
    width = max(len(k) for k in out) + 2
    for key, value in out.items():
        print(f"{key:{width}} {value}")
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / f"{name}.json").write_text(json.dumps(out, indent=2) + "\n")


def bare_baseline(env: dict, body: str, tokens: list[str], connections: int = CONNECTIONS,
                  seconds: float = SECONDS) -> dict:
    """The same load against a bare Flask endpoint served by gunicorn the same way."""
    bare = Gunicorn("bench.bare:app", env)
    try:
        wrk(bare.url, "/bare", body, tokens, connections, min(3, seconds), quiet=True)  # warm-up
        return bare.measured(lambda: wrk(bare.url, "/bare", body, tokens, connections, seconds))
    finally:
        bare.stop()


def baseline_fields(result: dict, baseline: dict) -> dict:
    return {"baseline_per_s": baseline["per_s"], "baseline_p50_ms": baseline["p50_ms"],
            "baseline_p99_ms": baseline["p99_ms"], "ratio_to_baseline": round(result["per_s"] / baseline["per_s"], 3),
            "worker_cpu_ms_per_request": result.get("cpu_ms_per_request"),
            "baseline_worker_cpu_ms_per_request": baseline.get("cpu_ms_per_request")}


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
    from points_mall.accounts.auth import issue_token

    app = bench_app(database_url)
    with app.app_context():
        for statement in SEED_MEMBERS + statements + ["SELECT setval('member_id_seq', :n)"]:
            db.session.execute(text(statement), params)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        tokens = [issue_token("member", str(i), 3600) for i in range(1, params["n"] + 1)]
    return app, tokens
