"""The embedded default, as `make run` starts it: no DATABASE_URL, no Redis; PostgreSQL from its wheel
started by the first command and reused by the next, the migrations, the demo park, a real server
answering HTTP (a secretary paging the archive through the whole ledger among it), and nothing left running
once it is stopped."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]


def flask(env, *args, **kw):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "points_mall", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postmaster(pgdata):
    """The pid of the server running from PGDATA, or None."""
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text().split()[0])
    return pid if psutil.pid_exists(pid) else None


def alive(pids):
    def running(pid):
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    return [pid for pid in pids if running(pid)]


def test_the_demo_runs_on_the_embedded_postgresql_without_redis(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL"))}
    pgdata = tmp_path / "pg"  # never the developer's instance/pg
    env["EMBEDDED_PG_DIR"] = str(pgdata)
    try:
        demo_runs(env, pgdata)
    finally:
        pid = postmaster(pgdata)
        server = [pid, *(p.pid for p in psutil.Process(pid).children(recursive=True))] if pid else []
        stopped = flask(env, "embedded-db", "stop")
        left = alive(server)
        for pid in left:  # a failed stop must not leave a server behind the test
            psutil.Process(pid).kill()
    assert stopped.returncode == 0 and "stopped" in stopped.stdout, stopped.stderr
    assert server and not left, "PostgreSQL processes outlived the stop"
    assert postmaster(pgdata) is None


def demo_runs(env, pgdata):
    upgraded = flask(env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    server = postmaster(pgdata)
    assert server, "the first command started no server"
    seeded = flask(env, "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "admin-demo-2026" in seeded.stdout  # seeding again is test_newcomer's
    assert postmaster(pgdata) == server, "each command must reuse the running server, not start its own"

    port = free_port()
    web = subprocess.Popen([sys.executable, "-m", "flask", "--app", "points_mall", "run", "--port", str(port)],
                           cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a loaded machine takes a while to import the app
        while True:
            assert web.poll() is None, "the server exited"
            try:
                requests.get(base + "/healthz", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.2)
        login = requests.post(base + "/api/v1/auth/wechat-login", json={"code": "dev:demo-member"}).json()
        me = requests.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {login['token']}"}).json()
        assert me["spendable"] > 0 and me["score_by_dimension"]["study"] > 0
        staff = requests.post(base + "/api/v1/auth/staff-login",
                              json={"username": "huayou", "password": "organizer-demo-2026"}).json()
        auth = {"Authorization": f"Bearer {staff['token']}"}
        members = requests.get(base + "/api/v1/admin/members", headers=auth).json()
        assert members and all(m["org_id"] == members[0]["org_id"] for m in members)
        award = requests.post(base + "/api/v1/awards", headers=auth,
                              json={"member_ids": [members[0]["id"]], "rule_code": "service.volunteer"})
        assert award.status_code == 201
        the_archive_pages_through_the_whole_ledger(base, auth)
        admin = requests.post(base + "/api/v1/auth/staff-login",
                              json={"username": "admin", "password": "admin-demo-2026"}).json()
        report = requests.get(base + "/api/v1/reports/mall?from=2000-01-01&to=2100-01-01&org_id=1",
                              headers={"Authorization": f"Bearer {admin['token']}"}).json()
        assert report["redeemers"] > 30 and report["headline"].startswith(f"{report['redeemers']}人兑换物品，价值")
        assert {f["name"] for f in report["by_funding_source"]} >= {"高新区企业社区综合党委"}
    finally:
        web.terminate()
        web.wait(10)
    assert flask(env, "ledger-verify").returncode == 0
    assert postmaster(pgdata) == server


def the_archive_pages_through_the_whole_ledger(base, auth):
    """The secretary's archive on the embedded default: search, a member's page, every ledger page once, export."""
    def get(path, **params):
        return requests.get(base + path, params=params, headers=auth)

    found = get("/api/v1/archive/members")
    assert found.status_code == 200 and found.json(), found.text
    first = found.json()[0]
    assert get("/api/v1/archive/members", name=first["name"][1:]).json()
    assert get("/api/v1/archive/members", phone="0000").status_code == 200
    page = get(f"/api/v1/archive/members/{first['id']}")
    assert page.status_code == 200 and "attendance" in page.json(), page.text
    seen, cursor = [], None
    while True:
        answer = get("/api/v1/archive/ledger", limit=25, **({"cursor": cursor} if cursor else {}))
        assert answer.status_code == 200, answer.text
        seen += [e["id"] for e in answer.json()["entries"]]
        cursor = answer.json()["next_cursor"]
        if not cursor:
            break
    assert len(seen) > 25 and len(seen) == len(set(seen))
    assert get("/api/v1/archive/ledger", late_only="true", kind="award").status_code == 200
    assert get("/api/v1/archive/ledger/export").status_code == 200
