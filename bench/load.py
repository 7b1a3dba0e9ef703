"""The load generator of the HTTP benchmarks: wrk (C, event loop), so that the baseline it drives
is the server's ceiling and not the client's. bench/requests.lua gives every request its own member
token and a fresh nonce; the tokens are written here, beforehand, to a file the script reads."""
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

SCRIPT = Path(__file__).with_name("requests.lua")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", os.environ.get("BENCH_CLIENTS", "64")))
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
THREADS = int(os.environ.get("BENCH_WRK_THREADS", "2"))


def wrk(base_url: str, path: str, body: str, tokens: list[str], connections: int = CONNECTIONS,
        seconds: float = SECONDS, nonce_header: str = "", quiet: bool = False) -> dict:
    """POST `body` ("{nonce}" filled in per request) to base_url + path for `seconds` from
    `connections` kept-alive connections, a different token each request. Returns per_s, p50_ms,
    p90_ms, p99_ms (wrk's latency distribution), statuses (HTTP status or error code) and wrapped
    (requests that reused a token because the file ran out)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (scripts/bench-deps)")
    threads = max(1, min(THREADS, connections))
    with tempfile.NamedTemporaryFile("w", suffix=".tokens", delete=False) as f:
        f.write("\n".join(tokens) + "\n")
    try:
        run = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
             "--timeout", "30s", "--latency", "-s", str(SCRIPT), base_url,
             "--", f.name, str(threads), path, body, nonce_header, str(time.time_ns())],
            capture_output=True, text=True, check=True)
    finally:
        os.unlink(f.name)
    if not quiet:
        print("\n".join(line for line in run.stdout.splitlines() if not line.startswith("WRK_JSON")))
    line = next(line for line in run.stdout.splitlines() if line.startswith("WRK_JSON "))
    out = json.loads(line[len("WRK_JSON "):])
    out["statuses"] = {int(k) if k.isdigit() else k: v for k, v in out["statuses"].items()}
    out["per_s"] = round(out["requests"] / out["seconds"], 1)
    for key in ("p50_ms", "p90_ms", "p99_ms", "max_ms"):
        out[key] = round(out[key], 1)
    return out


class Profile:
    """BENCH_PROFILE=FILE: py-spy (pip install py-spy) samples the service's gunicorn workers while
    the measured run lasts and writes a collapsed-stack file (flamegraph input); a no-op otherwise."""

    def __init__(self, pid: int, seconds: float):
        self.path = os.environ.get("BENCH_PROFILE")
        self.proc = None
        if self.path:
            self.proc = subprocess.Popen(["py-spy", "record", "--subprocesses", *(["--idle"] if os.environ.get("BENCH_PROFILE_IDLE") else []), "-r", "200",
                                          "-d", str(max(1, round(seconds))), "-f", "raw", "-o", self.path,
                                          "-p", str(pid)], stdout=subprocess.DEVNULL)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc is not None:
            self.proc.wait(120)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process's children: gunicorn's workers."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except FileNotFoundError:
            pass
    return total / tick
