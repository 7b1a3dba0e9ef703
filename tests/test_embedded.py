"""The embedded default, as `make run` starts it: SQLite, no Redis, the migrations, the demo park,
and a real server answering HTTP."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def flask(env, *args, **kw):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "points_mall", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_demo_runs_on_sqlite_without_redis(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'pm.sqlite3'}"
    assert flask(env, "db", "upgrade").returncode == 0
    seeded = flask(env, "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "admin-demo-2026" in seeded.stdout
    assert "already present" in flask(env, "seed-demo").stdout
    assert flask(env, "ledger-verify").returncode == 0

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "flask", "--app", "points_mall", "run", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a loaded machine takes a while to import the app
        while True:
            assert server.poll() is None, "the server exited"
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
        admin = requests.post(base + "/api/v1/auth/staff-login",
                              json={"username": "admin", "password": "admin-demo-2026"}).json()
        report = requests.get(base + "/api/v1/reports/mall?from=2000-01-01&to=2100-01-01&org_id=1",
                              headers={"Authorization": f"Bearer {admin['token']}"}).json()
        assert report["redeemers"] > 30 and report["headline"].startswith(f"{report['redeemers']}人兑换物品，价值")
        assert {f["name"] for f in report["by_funding_source"]} >= {"高新区企业社区综合党委"}
    finally:
        server.terminate()
        server.wait(10)
    assert flask(env, "ledger-verify").returncode == 0
