"""A worker killed in the middle of a delivery: the next worker delivers the message.

Delivery is at least once. The killed worker's request may already have reached WeChat, so the
next worker sends it again, with the same client_msg_id (the outbox row's): WeChat drops a repeat
within 10 minutes, so the member's phone shows it once. The inbox holds it exactly once."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from points_mall.config import TestConfig

from .conftest import WX_CONFIG
from .test_jobs import wait_for

ROOT = Path(__file__).resolve().parents[1]


def start_worker(fake):
    env = dict(os.environ, DATABASE_URL=TestConfig.SQLALCHEMY_DATABASE_URI, REDIS_URL=TestConfig.REDIS_URL,
               SECRET_KEY=TestConfig.SECRET_KEY, WECHAT_API_BASE_URL=fake.base_url, OUTBOX_LEASE="2",
               WECHAT_TIMEOUT="20", WECHAT_TEMPLATES=json.dumps(WX_CONFIG["WECHAT_TEMPLATES"]),
               **{k: str(v) for k, v in WX_CONFIG.items() if k.startswith("WECHAT_") and k not in (
                   "WECHAT_TEMPLATES", "WECHAT_TIMEOUT")})
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "points_mall", "worker"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def test_a_message_whose_worker_died_is_delivered_by_the_next(client, park, fake, sql):
    m = park.members_a[1]
    sql("UPDATE member SET oa_openid = 'oa-zhang' WHERE id = :m", m=m.id)
    client.post("/api/v1/awards", json={"member_ids": [m.id], "rule_code": "service.volunteer"},
                headers=park.auth("org_a"))
    fake.delay = 60  # WeChat takes the request and hangs
    first = start_worker(fake)
    try:
        assert wait_for(lambda: fake.calls("/cgi-bin/message/template/send"))
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its work horse, mid-delivery
        first.wait(10)
    assert sql("SELECT status FROM notification") == "pending"
    fake.delay = 0
    second = start_worker(fake)
    try:
        assert wait_for(lambda: sql("SELECT status FROM notification") == "sent", 40)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(20)
    sends = fake.calls("/cgi-bin/message/template/send")
    assert len(sends) == 2 and sends[0]["body"]["client_msg_id"] == sends[1]["body"]["client_msg_id"]
    assert len(fake.delivered) == 1  # WeChat dropped the repeat: one push on the phone
    assert sql("SELECT count(*) FROM notification WHERE member_id = :m", m=m.id) == 1  # one inbox message
    assert sql("SELECT outcome FROM delivery_attempt") == "sent"  # the killed try left no record
