"""Binding a WeChat to a member on a proof: SMS codes that expire, are single-use and die after wrong
tries; binding codes (绑定码) from staff in scope or from the old WeChat; one binding under a race; the
Aliyun SMS adapter against a local fake of its HTTP API."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

from points_mall.errors import DomainError
from points_mall.sms.aliyun import AliyunSms, signature

from .helpers import bind_by_sms


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def binding_token(client, openid):
    answer = client.post("/api/v1/auth/wechat-login", json={"code": f"dev:{openid}"}).get_json()
    assert answer["needs_binding"] is True
    return answer["token"]


def sms_code(client, token, phone):
    return client.post("/api/v1/auth/sms-codes", json={"phone": phone}, headers=bearer(token)).get_json()["dev_code"]


def bind(client, token, **proof):
    return client.post("/api/v1/auth/bind", json=proof, headers=bearer(token))


def test_an_sms_code_binds_once(client, park, sql):
    m = park.members_a[1]
    token = binding_token(client, "wx-sms")
    code = sms_code(client, token, m.phone)
    assert bind(client, token, phone=m.phone, sms_code=code).status_code == 200
    other = binding_token(client, "wx-replay")
    replay = bind(client, other, phone=m.phone, sms_code=code)
    assert replay.status_code == 400 and replay.get_json()["error"]["code"] == "binding_failed"
    assert sql("SELECT openid FROM member WHERE id = :m", m=m.id) == "wx-sms"


def test_a_few_wrong_tries_kill_the_code(client, park, sql, app):
    m = park.members_a[1]
    token = binding_token(client, "wx-tries")
    code = sms_code(client, token, m.phone)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    tries = [bind(client, token, phone=m.phone, sms_code=wrong) for _ in range(app.config["SMS_CODE_TRIES"])]
    assert all(t.get_json()["error"]["code"] == "binding_failed" for t in tries)
    late = bind(client, token, phone=m.phone, sms_code=code)
    assert late.status_code == 400 and late.get_json()["error"]["code"] == "binding_failed"
    assert sql("SELECT count(*) FROM member WHERE openid IS NOT NULL") == 0


def test_an_expired_code_or_an_older_one_binds_nobody(client, park, sql):
    m = park.members_a[1]
    token = binding_token(client, "wx-late")
    old = sms_code(client, token, m.phone)
    new = sms_code(client, token, m.phone)
    if old != new:
        assert bind(client, token, phone=m.phone, sms_code=old).status_code == 400
    sql("UPDATE sms_code SET expires_at = now() - interval '1 second'")
    assert bind(client, token, phone=m.phone, sms_code=new).status_code == 400
    assert sql("SELECT count(*) FROM member WHERE openid IS NOT NULL") == 0


def test_a_switched_off_member_cannot_be_bound(client, park, sql):
    m = park.members_a[1]
    sql("UPDATE member SET status = 'inactive' WHERE id = :m", m=m.id)
    token = binding_token(client, "wx-off")
    sent = client.post("/api/v1/auth/sms-codes", json={"phone": m.phone}, headers=bearer(token)).get_json()
    assert "dev_code" not in sent
    assert bind(client, token, phone_code=f"dev:{m.phone}").get_json()["error"]["code"] == "binding_failed"


def test_the_secretary_issues_a_binding_code_that_binds_once_and_is_in_the_audit_trail(client, park, sql):
    m = park.members_a[2]
    r = client.post(f"/api/v1/admin/members/{m.id}/binding-code", headers=park.auth("org_a"))
    assert r.status_code == 201, r.get_json()
    issued = r.get_json()
    assert issued["member_id"] == m.id and len(issued["code"]) == 9
    token = binding_token(client, "wx-nophone")
    bound = bind(client, token, binding_code=issued["code"].lower().replace("-", " "))
    assert bound.status_code == 200 and bound.get_json()["member"]["id"] == m.id
    again = bind(client, binding_token(client, "wx-second"), binding_code=issued["code"])
    assert again.status_code == 400 and again.get_json()["error"]["code"] == "binding_failed"
    assert sql("SELECT openid FROM member WHERE id = :m", m=m.id) == "wx-nophone"
    actions = sql("SELECT action, actor_kind FROM audit_entry WHERE entity = 'member' AND entity_id = :m "
                  "ORDER BY id", m=m.id)
    assert [tuple(a) for a in actions] == [("member.binding_code", "staff"), ("bind", "member")]
    assert issued["code"].replace("-", "") not in json.dumps(
        sql("SELECT json_agg(after) FROM audit_entry WHERE entity_id = :m", m=m.id))


def test_only_staff_in_scope_issue_binding_codes(client, park):
    m = park.members_a[2]
    assert client.post(f"/api/v1/admin/members/{m.id}/binding-code", headers=park.auth("org_b")).status_code == 403
    assert client.post(f"/api/v1/admin/members/{m.id}/binding-code", headers=park.auth(m)).status_code == 403
    assert client.post(f"/api/v1/admin/members/{m.id}/binding-code").status_code == 401
    assert client.post("/api/v1/admin/members/999999/binding-code", headers=park.auth("admin")).status_code == 404


def test_a_newer_binding_code_replaces_the_older_and_codes_expire(client, park, sql):
    m = park.members_a[2]
    first = client.post(f"/api/v1/admin/members/{m.id}/binding-code", headers=park.auth("org_a")).get_json()
    second = client.post(f"/api/v1/admin/members/{m.id}/binding-code", headers=park.auth("org_a")).get_json()
    token = binding_token(client, "wx-new")
    assert bind(client, token, binding_code=first["code"]).status_code == 400
    sql("UPDATE binding_code SET expires_at = now() - interval '1 second'")
    assert bind(client, token, binding_code=second["code"]).status_code == 400
    assert sql("SELECT count(*) FROM member WHERE openid IS NOT NULL") == 0


def test_moving_to_a_new_wechat_needs_the_old_ones_code_or_the_organizers(client, park, sql):
    m = park.members_a[3]
    old = binding_token(client, "wx-old-phone")
    member_token = bind_by_sms(client, old, m.phone).get_json()["token"]
    new = binding_token(client, "wx-new-phone")
    refused = bind_by_sms(client, new, m.phone)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "already_bound"
    own = client.post("/api/v1/me/binding-code", headers=bearer(member_token))
    assert own.status_code == 201
    moved = bind(client, new, binding_code=own.get_json()["code"])
    assert moved.status_code == 200
    # The old WeChat's token died with the move; the new one's works.
    stale = client.get("/api/v1/me", headers=bearer(member_token))
    assert stale.status_code == 401 and stale.get_json()["error"]["code"] == "invalid_token"
    assert client.get("/api/v1/me", headers=bearer(moved.get_json()["token"])).status_code == 200
    assert sql("SELECT openid FROM member WHERE id = :m", m=m.id) == "wx-new-phone"
    third = binding_token(client, "wx-third-phone")
    code = client.post(f"/api/v1/admin/members/{m.id}/binding-code", headers=park.auth("org_a")).get_json()["code"]
    assert bind(client, third, binding_code=code).status_code == 200
    assert sql("SELECT openid FROM member WHERE id = :m", m=m.id) == "wx-third-phone"
    replaced = sql("SELECT after->>'replaced' FROM audit_entry WHERE action = 'bind' ORDER BY id DESC LIMIT 1")
    assert replaced == "wx-new-phone"


def test_a_wechat_bound_to_one_member_cannot_take_a_second(client, park, sql):
    a, b = park.members_a[1], park.members_a[2]
    token = binding_token(client, "wx-greedy")
    assert bind(client, token, phone_code=f"dev:{a.phone}").status_code == 200
    code = client.post(f"/api/v1/admin/members/{b.id}/binding-code", headers=park.auth("org_a")).get_json()["code"]
    r = bind(client, token, binding_code=code)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_bound"
    assert sql("SELECT openid FROM member WHERE id = :m", m=b.id) is None
    assert bind(client, binding_token(client, "wx-b"), binding_code=code).status_code == 200  # not spent


@pytest.mark.parametrize("proof", ["phone_code", "binding_code"])
def test_parallel_binds_of_one_member_give_one_binding(app, park, sql, proof):
    m = park.members_a[4]
    client = app.test_client()
    tokens = [binding_token(client, f"wx-race-{i}") for i in range(8)]
    if proof == "binding_code":
        code = client.post(f"/api/v1/admin/members/{m.id}/binding-code", headers=park.auth("org_a")).get_json()["code"]
    barrier, answers = threading.Barrier(len(tokens)), [None] * len(tokens)

    def attempt(i):
        body = {"phone_code": f"dev:{m.phone}"} if proof == "phone_code" else {"binding_code": code}
        barrier.wait()
        answers[i] = app.test_client().post("/api/v1/auth/bind", json=body, headers=bearer(tokens[i]))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(a.status_code for a in answers) == [200] + [400 if proof == "binding_code" else 409] * 7
    winner = next(a for a in answers if a.status_code == 200).get_json()["member"]["id"]
    assert winner == m.id
    assert sql("SELECT openid FROM member WHERE id = :m", m=m.id).startswith("wx-race-")


class FakeAliyunSms:
    """A local fake of Aliyun's dysmsapi: checks the signature and keeps what it was asked to send."""

    def __init__(self, secret):
        self.secret, self.sent, self.answer = secret, [], {"Code": "OK", "Message": "OK"}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                params = dict(parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
                signed = params.pop("Signature", "")
                ok = signed == signature(fake.secret, "POST", params)
                fake.sent.append(params | {"signed": ok})
                body = json.dumps(fake.answer if ok else {"Code": "SignatureDoesNotMatch"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.server.server_port}/"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def aliyun():
    server = FakeAliyunSms("sms-secret")
    yield server
    server.stop()


def test_through_aliyun_the_code_goes_by_sms_and_never_into_the_answer(app, park, aliyun, sql):
    from points_mall import create_app
    from points_mall.config import TestConfig

    other = create_app(TestConfig)
    other.config.update(SMS_GATEWAY="aliyun", SMS_API_BASE_URL=aliyun.base_url, SMS_ALIYUN_ACCESS_KEY_ID="key-id",
                        SMS_ALIYUN_ACCESS_KEY_SECRET="sms-secret", SMS_ALIYUN_SIGN_NAME="高新区企业社区",
                        SMS_ALIYUN_TEMPLATE_CODE="SMS_123")
    client = other.test_client()
    m = park.members_a[1]
    token = binding_token(client, "wx-aliyun")
    sent = client.post("/api/v1/auth/sms-codes", json={"phone": m.phone}, headers=bearer(token))
    assert sent.status_code == 200 and "dev_code" not in sent.get_json()
    (request,) = aliyun.sent
    assert request["signed"] and request["Action"] == "SendSms" and request["PhoneNumbers"] == m.phone
    assert request["SignName"] == "高新区企业社区" and request["TemplateCode"] == "SMS_123"
    code = json.loads(request["TemplateParam"])["code"]
    assert bind(client, token, phone=m.phone, sms_code=code).status_code == 200
    aliyun.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"}
    r = client.post("/api/v1/auth/sms-codes", json={"phone": park.members_a[2].phone},
                    headers=bearer(binding_token(client, "wx-aliyun-2")))
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "sms_unavailable"


def test_aliyun_refuses_to_send_when_the_provider_is_unreachable():
    gateway = AliyunSms("id", "secret", "签名", "SMS_1", "http://127.0.0.1:9/", 1.0)
    with pytest.raises(DomainError) as refused:
        gateway.send_code("13800000000", "123456")
    assert refused.value.code == "sms_unavailable"


def test_outside_demo_mode_the_console_gateways_stand_in_for_no_proof(app, park, sql):
    from points_mall import create_app
    from points_mall.config import TestConfig

    served = create_app(type("Served", (TestConfig,), {"TESTING": False, "DEBUG": False, "DEMO_MODE": False}))
    client = served.test_client()
    m = park.members_a[1]
    token = binding_token(client, "wx-served")
    sent = client.post("/api/v1/auth/sms-codes", json={"phone": m.phone}, headers=bearer(token))
    assert sent.status_code == 200 and "dev_code" not in sent.get_json()
    assert served.extensions["pm_sms"].sent[-1]["phone"] == m.phone  # logged for the operator, not shown
    r = bind(client, token, phone_code=f"dev:{m.phone}")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "binding_failed"
    assert sql("SELECT count(*) FROM member WHERE openid IS NOT NULL") == 0
