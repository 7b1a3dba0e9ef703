"""The processes of bench/scale_out.py and their CPU: haproxy in front of gunicorn instances, the
outbox workers, and CPU seconds read from /proc (a process, its children, the whole machine)."""
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, Gunicorn, free_port
from bench.load import cpu_seconds

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
