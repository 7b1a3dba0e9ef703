"""The public account's callback: signatures, plain and encrypted messages, check-in by scene."""
import hashlib
import time

import xmltodict
from wechatpy.crypto import WeChatCrypto

from points_mall.notify.wechat_inbound import checkin_scene

from .conftest import WX_CONFIG
from .helpers import make_activity


def signed(timestamp="1700000000", nonce="n0nce"):
    token = WX_CONFIG["WECHAT_OA_TOKEN"]
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce}


def event_xml(openid, event, key="", content=None, at=None):
    at = at or int(time.time())
    body = f"<ToUserName>gh_park</ToUserName><FromUserName>{openid}</FromUserName><CreateTime>{at}"
    if content is not None:
        return f"<xml>{body}</CreateTime><MsgType>text</MsgType><Content>{content}</Content><MsgId>1</MsgId></xml>"
    return f"<xml>{body}</CreateTime><MsgType>event</MsgType><Event>{event}</Event><EventKey>{key}</EventKey></xml>"


def post(client, xml, **params):
    return client.post("/wechat/callback", query_string=signed() | params, data=xml.encode(),
                       content_type="application/xml")


def reply_text(response):
    return xmltodict.parse(response.data)["xml"]["Content"]


def test_the_server_url_is_verified_by_signature(wx_app):
    client = wx_app.test_client()
    ok = client.get("/wechat/callback", query_string=signed() | {"echostr": "hello"})
    assert ok.status_code == 200 and ok.data == b"hello"
    bad = client.get("/wechat/callback", query_string=signed() | {"signature": "0" * 40, "echostr": "hello"})
    assert bad.status_code == 403


def test_a_forged_message_gets_403_and_changes_nothing(wx_app, park, fake, sql):
    fake.followers["oa-zhang"] = "u-zhang"
    sql("UPDATE member SET unionid = 'u-zhang' WHERE id = :m", m=park.members_a[1].id)
    r = wx_app.test_client().post("/wechat/callback", query_string=signed() | {"signature": "f" * 40},
                                  data=event_xml("oa-zhang", "subscribe").encode())
    assert r.status_code == 403
    assert sql("SELECT count(*) FROM member WHERE oa_openid IS NOT NULL") == 0


def test_a_follower_is_matched_by_unionid_and_asks_for_points(wx_app, park, fake, client, sql):
    m = park.members_a[1]
    fake.followers["oa-zhang"] = "u-zhang"
    sql("UPDATE member SET unionid = 'u-zhang' WHERE id = :m", m=m.id)
    welcome = post(wx_app.test_client(), event_xml("oa-zhang", "subscribe"))
    assert "欢迎关注" in reply_text(welcome)
    assert sql("SELECT oa_openid FROM member WHERE id = :m", m=m.id) == "oa-zhang"
    client.post("/api/v1/awards", json={"member_ids": [m.id], "rule_code": "service.volunteer"},
                headers=park.auth("org_a"))
    points = reply_text(post(wx_app.test_client(), event_xml("oa-zhang", None, content="积分")))
    assert points.startswith(f"{m.name}同志：超市积分5分") and "排名第1名" in points
    stranger = reply_text(post(wx_app.test_client(), event_xml("oa-nobody", None, content="积分")))
    assert "绑定" in stranger
    other = reply_text(post(wx_app.test_client(), event_xml("oa-zhang", None, content="你好")))
    assert "发送“积分”" in other
    post(wx_app.test_client(), event_xml("oa-zhang", "unsubscribe"))
    assert sql("SELECT oa_openid FROM member WHERE id = :m", m=m.id) is None


def test_scanning_a_checkin_scene_checks_the_follower_in(wx_app, park, fake, client, sql):
    m = park.members_a[1]
    sql("UPDATE member SET oa_openid = 'oa-zhang' WHERE id = :m", m=m.id)
    a = make_activity(client, park)
    with wx_app.test_request_context():
        scene = checkin_scene(a["id"])
    at = int(time.time())
    answer = reply_text(post(wx_app.test_client(), event_xml("oa-zhang", "SCAN", scene, at=at)))
    assert answer.startswith("签到成功：七一主题党日，获得2分")
    redelivered = reply_text(post(wx_app.test_client(), event_xml("oa-zhang", "SCAN", scene, at=at)))
    assert redelivered == answer  # WeChat resends a message it got no answer to: same answer
    again = reply_text(post(wx_app.test_client(), event_xml("oa-zhang", "SCAN", scene, at=at + 5)))
    assert again == "您已签到"
    new_follower = reply_text(post(wx_app.test_client(), event_xml("oa-zhang", "subscribe", "qrscene_" + scene,
                                                                   at=at + 9)))
    assert new_follower == "您已签到"
    assert sql("SELECT count(*) FROM checkin") == 1
    assert sql("SELECT method FROM scan_attempt ORDER BY id LIMIT 1") == "scan"


def test_encrypted_mode_round_trip(wx_app, park, sql):
    m = park.members_a[1]
    sql("UPDATE member SET oa_openid = 'oa-zhang' WHERE id = :m", m=m.id)
    crypto = WeChatCrypto(WX_CONFIG["WECHAT_OA_TOKEN"], WX_CONFIG["WECHAT_OA_AES_KEY"], WX_CONFIG["WECHAT_OA_APPID"])
    timestamp, nonce = str(int(time.time())), "abc123"
    encrypted = crypto.encrypt_message(event_xml("oa-zhang", None, content="积分"), nonce, timestamp)
    msg_signature = xmltodict.parse(encrypted)["xml"]["MsgSignature"]
    r = wx_app.test_client().post("/wechat/callback", data=encrypted.encode(), query_string=signed(timestamp, nonce) | {
        "encrypt_type": "aes", "msg_signature": msg_signature})
    assert r.status_code == 200
    reply = xmltodict.parse(r.data)["xml"]
    plain = crypto.decrypt_message(r.data, reply["MsgSignature"], reply["TimeStamp"], reply["Nonce"])
    assert "超市积分0分" in xmltodict.parse(plain)["xml"]["Content"]
    tampered = wx_app.test_client().post("/wechat/callback", data=encrypted.encode(),
                                         query_string=signed(timestamp, nonce) | {"encrypt_type": "aes",
                                                                                  "msg_signature": "0" * 40})
    assert tampered.status_code == 403
