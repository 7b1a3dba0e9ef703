"""Mini-program login through the real wechatpy client, against the local fake WeChat server."""
import pytest



@pytest.fixture
def wechat_client(wx_app):
    return wx_app.test_client()


def test_login_exchanges_the_code_with_wechat_and_binds(wechat_client, fake, park):
    r = wechat_client.post("/api/v1/auth/wechat-login", json={"code": "abc123"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["needs_binding"] is True
    call = fake.calls("/sns/jscode2session")[0]["query"]
    assert call["js_code"] == "abc123" and call["appid"] == "wx-mp" and call["secret"] == "mp-secret"
    m = park.members_a[1]
    bound = wechat_client.post("/api/v1/auth/bind", json={"phone_code": f"phone-{m.phone}"},
                               headers={"Authorization": f"Bearer {r.get_json()['token']}"})
    assert bound.status_code == 200, bound.get_json()
    assert fake.calls("/wxa/business/getuserphonenumber")[0]["body"] == {"code": f"phone-{m.phone}"}
    again = wechat_client.post("/api/v1/auth/wechat-login", json={"code": "abc123"}).get_json()
    assert again["member"]["id"] == m.id


def test_an_invalid_code_is_a_clear_4xx(wechat_client, fake, park):
    r = wechat_client.post("/api/v1/auth/wechat-login", json={"code": "bad-code"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_login_code"


def test_wechat_down_is_a_503_not_a_500(wechat_client, fake, park):
    fake.fail("/sns/jscode2session", "http500")
    r = wechat_client.post("/api/v1/auth/wechat-login", json={"code": "abc"})
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "wechat_unavailable"


def test_a_hanging_wechat_times_out_instead_of_hanging_the_login(wechat_client, fake, park):
    fake.fail("/sns/jscode2session", "timeout")
    r = wechat_client.post("/api/v1/auth/wechat-login", json={"code": "abc"})
    assert r.status_code == 503


def test_a_phone_code_wechat_refuses_binds_nobody(wechat_client, fake, park, sql):
    token = wechat_client.post("/api/v1/auth/wechat-login", json={"code": "def456"}).get_json()["token"]
    r = wechat_client.post("/api/v1/auth/bind", json={"phone_code": "forged"},
                           headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "binding_failed"
    fake.fail("/wxa/business/getuserphonenumber", "http500")
    r = wechat_client.post("/api/v1/auth/bind", json={"phone_code": f"phone-{park.members_a[1].phone}"},
                           headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "wechat_unavailable"
    assert sql("SELECT count(*) FROM member WHERE openid IS NOT NULL") == 0
