"""Shared by the HTTP benchmarks: a fresh database, gunicorn, and a closed-loop load of N clients."""
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
