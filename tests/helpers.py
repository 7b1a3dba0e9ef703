"""Small helpers the tests share."""
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit, urlunsplit

import psycopg

from points_mall.config import TestConfig


def now():
    return datetime.now(timezone.utc)


def iso(dt):
    return dt.isoformat()


def make_activity(client, park, who="org_a", org=None, publish=True, **fields):
    """An activity of branch A, open for check-in now, awarding study.meeting."""
    body = {"org_id": (org or park.branch_a).id, "kind": "theme_day", "title": "七一主题党日",
            "place": "党群服务中心", "starts_at": iso(now() - timedelta(minutes=10)),
            "ends_at": iso(now() + timedelta(hours=2)), "rule_code": "study.meeting", "publish": publish}
    body.update(fields)
    r = client.post("/api/v1/activities", json=body, headers=park.auth(who))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def nonce():
    return uuid.uuid4().hex


CROWD = 65  # the connections a burst opens beyond the 5 its pool keeps (the test app's pool: 5 + 65 overflow)


@contextmanager
def one_crowd_at_a_time(wait: float = 60.0):
    """Bursts of up to 70 connections take turns across the test workers (a PostgreSQL advisory lock held
    on the server's own database), and each starts once the server has room for it, so the workers together
    stay under max_connections."""
    parts = urlsplit(TestConfig.SQLALCHEMY_DATABASE_URI.replace("postgresql+psycopg://", "postgresql://"))
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('points_mall tests: a crowd of connections'))")
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and conn.execute(
                "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity "
                "WHERE backend_type = 'client backend'").fetchone()[0] < CROWD:
            time.sleep(0.2)
        yield


def bind_by_sms(client, binding_token, phone):
    """Bind as a member would on the web pages: a code to the registered phone (the console SMS gateway
    gives it back in tests), then the code. Returns the answer to /auth/bind."""
    headers = {"Authorization": f"Bearer {binding_token}"}
    sent = client.post("/api/v1/auth/sms-codes", json={"phone": phone}, headers=headers)
    assert sent.status_code == 200, sent.get_json()
    return client.post("/api/v1/auth/bind", json={"phone": phone, "sms_code": sent.get_json()["dev_code"]},
                       headers=headers)
