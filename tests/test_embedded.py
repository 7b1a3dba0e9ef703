"""The embedded default: SQLite, no Redis, built by the same migrations, seeded with the demo park."""
import pytest

from points_mall import create_app


@pytest.fixture
def embedded(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pm.sqlite3'}", "REDIS_URL": None,
                      "RATELIMIT_STORAGE_URI": "memory://", "SECRET_KEY": "embedded-test-secret-key-0123456789"})
    return app


def test_the_demo_runs_on_sqlite_without_redis(embedded):
    runner = embedded.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "admin-demo-2026" in seeded.output
    assert "already present" in runner.invoke(args=["seed-demo"]).output
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0

    client = embedded.test_client()
    login = client.post("/api/v1/auth/wechat-login", json={"code": "dev:demo-member"}).get_json()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {login['token']}"}).get_json()
    assert me["spendable"] > 0 and me["score_by_dimension"]["study"] > 0
    staff = client.post("/api/v1/auth/staff-login", json={"username": "huayou", "password": "organizer-demo-2026"})
    token = staff.get_json()["token"]
    members = client.get("/api/v1/admin/members", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert members and all(m["org_id"] == members[0]["org_id"] for m in members)
    award = client.post("/api/v1/awards", json={"member_ids": [members[0]["id"]], "rule_code": "service.volunteer"},
                        headers={"Authorization": f"Bearer {token}"})
    assert award.status_code == 201
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0
