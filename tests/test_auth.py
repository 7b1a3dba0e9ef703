"""Logging in: WeChat code → binding to an imported member; staff passwords; tokens that expire."""
import time

import jwt

from .helpers import bind_by_sms
from .park import PASSWORD


def login(client, code):
    return client.post("/api/v1/auth/wechat-login", json={"code": code})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_a_new_wechat_user_binds_to_their_imported_record_then_logs_straight_in(client, park, sql):
    m = park.members_a[2]
    first = login(client, "dev:wx-zhang").get_json()
    assert first["needs_binding"] is True and first["member"] is None
    bound = bind_by_sms(client, first["token"], m.phone)
    assert bound.status_code == 200, bound.get_json()
    assert bound.get_json()["member"]["id"] == m.id
    assert client.get("/api/v1/me", headers=bearer(bound.get_json()["token"])).status_code == 200
    again = login(client, "dev:wx-zhang").get_json()
    assert again["needs_binding"] is False and again["member"]["id"] == m.id
    assert sql("SELECT openid FROM member WHERE id = :m", m=m.id) == "wx-zhang"


def test_a_wrong_guess_at_binding_reveals_nothing_and_binds_nothing(client, park, sql):
    m = park.members_a[2]
    token = login(client, "dev:wx-guess").get_json()["token"]
    registered = client.post("/api/v1/auth/sms-codes", json={"phone": m.phone}, headers=bearer(token))
    unknown = client.post("/api/v1/auth/sms-codes", json={"phone": "13712345678"}, headers=bearer(token))
    assert registered.status_code == unknown.status_code == 200
    assert registered.get_json()["expires_in"] == unknown.get_json()["expires_in"]
    code = registered.get_json()["dev_code"]
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    answers = [client.post("/api/v1/auth/bind", json=body, headers=bearer(token)) for body in (
        {"phone": m.phone, "sms_code": wrong},
        {"phone": "13712345678", "sms_code": code},
        {"binding_code": "ABCD-EFGH"},
        {"phone_code": "not-a-phone-code"},
        {"phone_code": "dev:13712345678"},
    )]
    assert {a.status_code for a in answers} == {400}
    assert all(a.get_json() == answers[0].get_json() for a in answers)
    assert answers[0].get_json()["error"]["code"] == "binding_failed"
    assert sql("SELECT count(*) FROM member WHERE openid IS NOT NULL") == 0
    assert sql("SELECT count(*) FROM audit_entry WHERE action = 'bind'") == 5


def test_a_typed_name_and_phone_bind_nobody(client, park, sql):
    m = park.members_a[2]
    token = login(client, "dev:wx-colleague").get_json()["token"]
    r = client.post("/api/v1/auth/bind", json={"name": m.name, "phone": m.phone}, headers=bearer(token))
    assert r.status_code == 422
    assert sql("SELECT count(*) FROM member WHERE openid IS NOT NULL") == 0


def test_binding_is_rate_limited(client, park, app):
    token = login(client, "dev:wx-brute").get_json()["token"]
    app.config["BIND_RATE_LIMIT"] = "3/minute"
    try:
        answers = [client.post("/api/v1/auth/bind", json={"phone": f"1371234567{i}", "sms_code": "123456"},
                               headers=bearer(token)) for i in range(5)]
    finally:
        app.config["BIND_RATE_LIMIT"] = "1000/minute"
    assert [a.status_code for a in answers] == [400, 400, 400, 429, 429]
    assert answers[-1].get_json()["error"]["code"] == "rate_limited"


def test_a_member_already_bound_to_another_wechat_cannot_be_taken_over(client, park, sql):
    m = park.members_a[2]
    t1 = login(client, "dev:wx-one").get_json()["token"]
    assert bind_by_sms(client, t1, m.phone).status_code == 200
    t2 = login(client, "dev:wx-two").get_json()["token"]
    r = bind_by_sms(client, t2, m.phone)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_bound"
    r = client.post("/api/v1/auth/bind", json={"phone_code": f"dev:{m.phone}"}, headers=bearer(t2))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_bound"
    assert sql("SELECT openid FROM member WHERE id = :m", m=m.id) == "wx-one"


def test_a_binding_token_cannot_read_member_pages_and_a_member_token_cannot_bind(client, park):
    token = login(client, "dev:wx-x").get_json()["token"]
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    m = park.members_a[1]
    r = client.post("/api/v1/auth/bind", json={"phone_code": f"dev:{m.phone}"}, headers=park.auth(m))
    assert r.status_code == 401
    assert client.post("/api/v1/auth/sms-codes", json={"phone": m.phone}, headers=park.auth(m)).status_code == 401


def test_a_bad_login_code_is_refused(client, park):
    r = login(client, "not-a-dev-code")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_login_code"
    assert login(client, "").status_code == 422


def test_staff_log_in_with_a_password_and_see_their_roles(client, park):
    r = client.post("/api/v1/auth/staff-login", json={"username": "org_a", "password": PASSWORD})
    assert r.status_code == 200
    assert r.get_json()["roles"] == ["organizer"]
    rules = client.get("/api/v1/rules", headers=bearer(r.get_json()["token"]))
    assert rules.status_code == 200 and len(rules.get_json()) == 4


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client, park):
    wrong = client.post("/api/v1/auth/staff-login", json={"username": "org_a", "password": "nope-nope"})
    unknown = client.post("/api/v1/auth/staff-login", json={"username": "nobody", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def test_wrong_staff_passwords_are_limited_per_username_and_address(client, park, app):
    """The guesser's address waits; the same username from other addresses (the owner's) does not."""
    from .park import PASSWORD

    def attempt(address, password="wrong-pass"):
        return client.post("/api/v1/auth/staff-login", json={"username": "org_a", "password": password},
                           environ_base={"REMOTE_ADDR": address}).status_code

    app.config["STAFF_LOGIN_FAILURE_LIMIT"] = "3/minute"
    try:
        guesser = [attempt("10.0.0.66") for _ in range(5)]
        elsewhere = [attempt(f"10.0.0.{i}") for i in range(3)]
        owner = attempt("10.0.0.5", PASSWORD)
    finally:
        app.config["STAFF_LOGIN_FAILURE_LIMIT"] = "1000/minute"
    assert guesser == [401, 401, 401, 429, 429]
    assert elsewhere == [401, 401, 401]
    assert owner == 200


def test_tokens_expire(client, park, app):
    m = park.members_a[1]
    now = int(time.time())
    expired = jwt.encode({"sub": str(m.id), "kind": "member", "iat": now - 100, "exp": now - 1},
                         app.config["SECRET_KEY"], algorithm="HS256")
    r = client.get("/api/v1/me", headers=bearer(expired))
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "token_expired"


def test_a_token_signed_with_another_key_is_refused(client, park):
    forged = jwt.encode({"sub": "1", "kind": "staff", "exp": int(time.time()) + 60}, "another-key-of-enough-length-123",
                        algorithm="HS256")
    r = client.get("/api/v1/rules", headers=bearer(forged))
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "invalid_token"


def test_pages_need_a_token_and_the_right_kind_of_account(client, park):
    assert client.get("/api/v1/me").get_json()["error"]["code"] == "unauthorized"
    r = client.get("/api/v1/me", headers=park.auth("org_a"))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "members_only"


def test_me_shows_the_score_of_the_year_asked(client, park):
    m = park.members_a[1]
    client.post("/api/v1/awards", json={"member_ids": [m.id], "rule_code": "service.volunteer"},
                headers=park.auth("org_a"))
    assert client.get("/api/v1/me?year=2001", headers=park.auth(m)).get_json()["score"] == 0
    bad = client.get("/api/v1/me?year=abc", headers=park.auth(m))
    assert bad.status_code == 422 and bad.get_json()["error"]["message"]


def test_a_switched_off_staff_account_loses_access_at_once(client, park, sql):
    assert client.get("/api/v1/rules", headers=park.auth("org_a")).status_code == 200
    sql("UPDATE staff_user SET active = false WHERE username = 'org_a'")
    r = client.get("/api/v1/rules", headers=park.auth("org_a"))
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "account_disabled"
    login = client.post("/api/v1/auth/staff-login", json={"username": "org_a", "password": PASSWORD})
    assert login.status_code == 401
