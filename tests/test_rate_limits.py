"""Rate limits as deployed: the real defaults from Config, a hall full of members behind one address,
one member hammering, and proxies trusted only when configured."""
import logging
import time

import pytest

from points_mall import create_app
from points_mall.config import Config, TestConfig
from points_mall.extensions import db
from points_mall.people.members import add_member

from .helpers import make_activity, nonce

LIMITS = ("LOGIN_RATE_LIMIT", "STAFF_LOGIN_FAILURE_LIMIT", "BIND_RATE_LIMIT", "SMS_PHONE_RATE_LIMIT", "SMS_ADDRESS_RATE_LIMIT", "LOGIN_ADDRESS_RATE_LIMIT", "CHECKIN_RATE_LIMIT",
          "CODE_RATE_LIMIT", "LOOKUP_RATE_LIMIT")


def production_app(**overrides):
    """Another app on the test database and Redis, with the limits production runs with
    (not TestConfig's 1000/minute)."""
    config = type("ProductionLimits", (TestConfig,), {name: getattr(Config, name) for name in LIMITS} | overrides)
    return create_app(config)


@pytest.fixture
def prod(app):
    return production_app()


def hall_members(app, park, count):
    """Members of branch A who have already bound their WeChat (openid hall-N)."""
    from points_mall.people.models import Org

    with app.app_context():
        branch = db.session.get(Org, park.branch_a.id)
        for i in range(count):
            member = add_member(f"王{i}芳", f"1370000{i:04d}", "党员", branch)
            member.openid = f"hall-{i}"
        db.session.commit()
        db.session.remove()


def login(client, openid, **headers):
    return client.post("/api/v1/auth/wechat-login", json={"code": f"dev:{openid}"}, headers=headers)


def screen_code(client, park, activity_id):
    r = client.get(f"/api/v1/activities/{activity_id}/qr", headers=park.auth("org_a"))
    assert r.status_code == 200, r.get_json()
    return r.get_json()["payload"]


def check_in(client, token, payload):
    return client.post("/api/v1/checkins", json={"payload": payload, "nonce": nonce()},
                       headers={"Authorization": f"Bearer {token}"})


def refused_by_rate_limit(response):
    return response.status_code == 429 and response.get_json()["error"]["code"] == "rate_limited"


def test_a_hall_of_200_members_behind_one_wifi_address_all_log_in_and_check_in(prod, park, sql):
    hall_members(prod, park, 200)
    client = prod.test_client()
    activity = make_activity(client, park)
    started = time.monotonic()
    for i in range(200):
        if i % 25 == 0:  # the screen's code turns every 30 s; members scan the one showing
            payload = screen_code(client, park, activity["id"])
        r = login(client, f"hall-{i}")
        assert r.status_code == 200, (i, r.get_json())
        assert r.get_json()["needs_binding"] is False
        r = check_in(client, r.get_json()["token"], payload)
        assert r.status_code == 200, (i, r.get_json())
    assert sql("SELECT count(*) FROM checkin WHERE activity_id = :a", a=activity["id"]) == 200
    assert time.monotonic() - started < 60, "the hall must come in within one window of the limits"


def test_one_member_hammering_check_in_is_stopped_and_the_hall_is_not(prod, park, sql):
    hall_members(prod, park, 2)
    client = prod.test_client()
    activity = make_activity(client, park)
    payload = screen_code(client, park, activity["id"])
    token = login(client, "hall-0").get_json()["token"]
    answers = [check_in(client, token, payload) for _ in range(31)]
    assert answers[0].status_code == 200
    assert all(a.status_code == 409 for a in answers[1:30])
    assert refused_by_rate_limit(answers[30])
    # A refused request never reached the service: no attempt stored for it.
    assert sql("SELECT count(*) FROM scan_attempt") == 30
    neighbour = login(client, "hall-1").get_json()["token"]
    assert check_in(client, neighbour, payload).status_code == 200


def test_one_member_hammering_login_is_stopped_and_the_hall_is_not(prod, park):
    hall_members(prod, park, 2)
    client = prod.test_client()
    answers = [login(client, "hall-0") for _ in range(11)]
    assert all(a.status_code == 200 for a in answers[:10])
    assert refused_by_rate_limit(answers[10])
    assert login(client, "hall-1").status_code == 200


def test_made_up_login_codes_from_one_client_are_stopped(prod):
    client = prod.test_client()
    answers = [client.post("/api/v1/auth/wechat-login", json={"code": f"made-up-{i}"}) for i in range(11)]
    assert all(a.get_json()["error"]["code"] == "invalid_login_code" for a in answers[:10])
    assert refused_by_rate_limit(answers[10])


def test_binding_attempts_are_limited_per_wechat_user(prod, park):
    client = prod.test_client()
    tokens = [login(client, f"stranger-{i}").get_json()["token"] for i in range(2)]

    def guess(token):
        return client.post("/api/v1/auth/bind", json={"phone": "13812345678", "sms_code": "123456"},
                           headers={"Authorization": f"Bearer {token}"})

    answers = [guess(tokens[0]) for _ in range(6)]
    assert all(a.get_json()["error"]["code"] == "binding_failed" for a in answers[:5])
    assert refused_by_rate_limit(answers[5])
    assert guess(tokens[1]).get_json()["error"]["code"] == "binding_failed"


def test_staff_login_is_limited_per_username(prod, park):
    client = prod.test_client()
    answers = [client.post("/api/v1/auth/staff-login", json={"username": "org_a", "password": "wrong"})
               for _ in range(11)]
    assert all(a.get_json()["error"]["code"] == "bad_credentials" for a in answers[:10])
    assert refused_by_rate_limit(answers[10])
    from .park import PASSWORD

    other = client.post("/api/v1/auth/staff-login", json={"username": "org_b", "password": PASSWORD})
    assert other.status_code == 200, other.get_json()


def staff_login(client, username, password, address):
    return client.post("/api/v1/auth/staff-login", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_a_stranger_guessing_the_admins_password_does_not_lock_the_admin_out(prod, park):
    from .park import PASSWORD

    client = prod.test_client()
    guesses = [staff_login(client, "admin", f"guess-{i}", "203.0.113.66") for i in range(60)]
    assert all(g.get_json()["error"]["code"] == "bad_credentials" for g in guesses[:10])
    assert all(refused_by_rate_limit(g) for g in guesses[10:])
    assert 0 < int(guesses[-1].headers["Retry-After"]) <= 61
    owner = staff_login(client, "admin", PASSWORD, "10.0.0.5")  # the admin, at their own desk
    assert owner.status_code == 200, owner.get_json()
    # The stranger's address still waits, even with the right password: it is not even checked.
    assert refused_by_rate_limit(staff_login(client, "admin", PASSWORD, "203.0.113.66"))


def test_a_success_forgets_the_owners_own_mistakes(prod, park):
    from .park import PASSWORD

    client = prod.test_client()
    for _ in range(2):
        typos = [staff_login(client, "org_a", "typo", "10.0.0.5") for _ in range(9)]
        assert all(t.get_json()["error"]["code"] == "bad_credentials" for t in typos)
        assert staff_login(client, "org_a", PASSWORD, "10.0.0.5").status_code == 200


def test_the_guesser_waits_longer_the_longer_they_guess(app, park):
    client = production_app(STAFF_LOGIN_FAILURE_LIMIT="2/second;4/hour").test_client()
    first = [staff_login(client, "org_b", "guess", "203.0.113.7") for _ in range(3)]
    assert [r.status_code for r in first] == [401, 401, 429]
    assert int(first[2].headers["Retry-After"]) <= 2
    time.sleep(1.1)
    second = [staff_login(client, "org_b", "guess", "203.0.113.7") for _ in range(3)]
    assert [r.status_code for r in second] == [401, 401, 429]
    assert int(second[2].headers["Retry-After"]) > 3000


@pytest.mark.parametrize("body", [[1], "org_a", 3, None, {"username": ["a"], "password": 1}, {"username": None}])
@pytest.mark.parametrize("path", ["/api/v1/auth/staff-login", "/api/v1/auth/wechat-login", "/api/v1/auth/bind"])
def test_any_json_body_on_a_login_is_refused_without_a_server_error(client, path, body):
    r = client.post(path, json=body)
    assert 400 <= r.status_code < 500, r.get_json()
    assert r.get_json()["error"]["code"]


def test_behind_one_proxy_each_forwarded_address_has_its_own_limit(app, park):
    proxied = production_app(PROXY_COUNT=1, LOGIN_ADDRESS_RATE_LIMIT="3/minute")
    client = proxied.test_client()
    first = [login(client, f"a-{i}", **{"X-Forwarded-For": "10.1.0.7"}) for i in range(4)]
    assert all(a.status_code == 200 for a in first[:3]) and refused_by_rate_limit(first[3])
    other = login(client, "b-0", **{"X-Forwarded-For": "10.2.0.9"})
    assert other.status_code == 200, other.get_json()


def test_without_a_trusted_proxy_a_forged_forwarded_address_is_ignored(app, park):
    direct = production_app(PROXY_COUNT=0, LOGIN_ADDRESS_RATE_LIMIT="3/minute")
    client = direct.test_client()
    answers = [login(client, f"c-{i}", **{"X-Forwarded-For": f"10.3.0.{i}"}) for i in range(4)]
    assert all(a.status_code == 200 for a in answers[:3])
    assert refused_by_rate_limit(answers[3])


def test_behind_a_proxy_links_use_the_forwarded_scheme_and_host(app, park):
    proxied = production_app(PROXY_COUNT=1)
    client = proxied.test_client()
    activity = make_activity(client, park)
    r = client.get(f"/api/v1/activities/{activity['id']}/qr", headers={
        **park.auth("org_a"), "X-Forwarded-For": "10.1.0.7", "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "points.example.org"})
    assert r.get_json()["png_url"].startswith("https://points.example.org/q/a/")


def test_a_client_over_its_address_limit_never_makes_the_service_call_wechat(app, caplog):
    client = production_app(LOGIN_ADDRESS_RATE_LIMIT="2/minute;100/hour").test_client()
    caplog.set_level(logging.INFO, logger="points_mall.wechat.console")
    answers = [login(client, f"d-{i}") for i in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 429, 429]
    resolved = [r.getMessage() for r in caplog.records if r.getMessage().startswith("console login as")]
    assert resolved == ["console login as d-0", "console login as d-1"]


def test_with_redis_down_logins_and_check_ins_still_work_and_are_still_limited(app, client, park):
    """Redis unreachable (restarting, a network split): members still log in and check in, staff still
    log in, and hammering is still refused, counted in the process's memory until Redis is back."""
    down = production_app(REDIS_URL="redis://127.0.0.1:1/0")
    hall_members(app, park, 1)
    a = make_activity(client, park)
    payload = screen_code(client, park, a["id"])
    other = down.test_client()
    member = login(other, "hall-0")
    assert member.status_code == 200, member.get_json()
    checked = check_in(other, member.get_json()["token"], payload)
    assert checked.status_code == 200, checked.get_json()
    assert checked.get_json()["points"] > 0

    answers = [other.post("/api/v1/auth/staff-login", json={"username": "org_a", "password": "wrong"})
               for _ in range(11)]
    assert [a.status_code for a in answers[:10]] == [401] * 10
    assert refused_by_rate_limit(answers[10])
    from .park import PASSWORD

    assert other.post("/api/v1/auth/staff-login", json={"username": "org_b", "password": PASSWORD}).status_code == 200


def _ask_sms(client, token, phone):
    return client.post("/api/v1/auth/sms-codes", json={"phone": phone}, headers={"Authorization": f"Bearer {token}"})


def test_sms_codes_are_limited_per_phone(prod, park):
    client = prod.test_client()
    tokens = [login(client, f"texter-{i}").get_json()["token"] for i in range(3)]
    phone = park.members_a[1].phone
    assert _ask_sms(client, tokens[0], phone).status_code == 200
    assert refused_by_rate_limit(_ask_sms(client, tokens[1], phone))  # another WeChat, the same phone
    assert _ask_sms(client, tokens[2], park.members_a[2].phone).status_code == 200


def test_sms_codes_are_limited_per_address(app, park):
    client = production_app(SMS_ADDRESS_RATE_LIMIT="3/hour").test_client()
    tokens = [login(client, f"spammer-{i}").get_json()["token"] for i in range(4)]
    answers = [_ask_sms(client, token, f"1371234560{i}") for i, token in enumerate(tokens)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert refused_by_rate_limit(answers[3])
