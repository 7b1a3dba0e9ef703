"""The API behind the members' web pages: web OAuth log-in and binding, wx.config signed with the
jsapi ticket, the scan receipt that outlives the log-in, goods with limits left, the described ledger."""
from datetime import timedelta

from points_mall.activities import codes
from points_mall.common.clock import utcnow
from points_mall.wechat.jsapi import signature

from .helpers import bind_by_sms, make_activity, nonce


def test_the_jsapi_signature_matches_wechats_published_example():
    ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
    assert signature(ticket, "Wm3WZYTPz0wzccnW", 1414587457,
                     "http://mp.weixin.qq.com?params=value") == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
    # The #fragment is not part of the signed address.
    assert signature(ticket, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value#/x") == \
        "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


def test_one_jsapi_ticket_is_fetched_and_shared_by_every_worker(wx_app, park, fake):
    from .conftest import make_wx_app

    url = "https://pm.example.cn/m/checkin?a=1&t=x"
    first = wx_app.test_client().get("/api/v1/wechat/jsapi-config", query_string={"url": url},
                                     headers=park.auth(park.members_a[0]))
    assert first.status_code == 200, first.get_json()
    config = first.get_json()
    assert config["appId"] == "wx-oa"
    assert config["signature"] == signature("TICKET-1", config["nonceStr"], config["timestamp"], url)
    other = make_wx_app(fake).test_client().get("/api/v1/wechat/jsapi-config", query_string={"url": url},
                                                headers=park.auth(park.members_a[1])).get_json()
    assert other["signature"] == signature("TICKET-1", other["nonceStr"], other["timestamp"], url)
    assert len(fake.calls("/cgi-bin/ticket/getticket")) == 1
    assert wx_app.test_client().get("/api/v1/wechat/jsapi-config", query_string={"url": url},
                                    headers=park.auth("org_a")).status_code == 403


def test_web_oauth_binds_the_public_account_openid_and_logs_in_next_time(client, park):
    r = client.get("/api/v1/auth/web-authorize", query_string={"next": "/m/checkin?a=1", "state": "s1",
                                                               "hint": "web-abc"})
    url = r.get_json()["url"]
    assert "/m/login?next=%2Fm%2Fcheckin%3Fa%3D1" in url and "code=dev%3Aweb-abc" in url and "state=s1" in url
    assert "next=%2Fm%2F&" in client.get("/api/v1/auth/web-authorize",
                                         query_string={"next": "https://evil.example/"}).get_json()["url"]
    first = client.post("/api/v1/auth/web-login", json={"code": "dev:web-abc"}).get_json()
    assert first["needs_binding"] is True
    m = park.members_a[2]
    bound = bind_by_sms(client, first["token"], m.phone)
    assert bound.status_code == 200, bound.get_json()
    again = client.post("/api/v1/auth/web-login", json={"code": "dev:web-abc"}).get_json()
    assert again["needs_binding"] is False and again["member"]["id"] == m.id


def test_web_oauth_through_wechatpy_finds_the_member_by_openid(wx_app, park, sql, fake):
    """snsapi_base answers an openid and no unionid, so the member is found by the public account's openid
    (known once they followed or bound); a unionid alone does not find them."""
    m = park.members_a[3]
    sql("UPDATE member SET unionid = 'u-web9' WHERE id = :m", m=m.id)
    answer = wx_app.test_client().post("/api/v1/auth/web-login", json={"code": "web9"}).get_json()
    assert answer["needs_binding"] is True and answer["member"] is None
    sql("UPDATE member SET oa_openid = 'oa-web9' WHERE id = :m", m=m.id)
    answer = wx_app.test_client().post("/api/v1/auth/web-login", json={"code": "web9"}).get_json()
    assert answer["needs_binding"] is False and answer["member"]["id"] == m.id
    url = wx_app.test_client().get("/api/v1/auth/web-authorize", query_string={"next": "/m/"}).get_json()["url"]
    assert url.startswith("https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx-oa&redirect_uri=")
    assert "scope=snsapi_base" in url and url.endswith("#wechat_redirect")


def test_a_visitor_of_the_snapshot_page_is_not_a_user_and_is_told_what_to_do(wx_app, park, sql, fake):
    """A page shared to Moments opens as a snapshot (快照页): WeChat's web OAuth answers is_snapshotuser=1
    with an openid that is no real user's, so nobody is logged in or bound by it."""
    r = wx_app.test_client().post("/api/v1/auth/web-login", json={"code": "snap1"})
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "snapshot_user" and "使用完整服务" in r.get_json()["error"]["message"]
    assert sql("SELECT count(*) FROM member WHERE oa_openid IS NOT NULL") == 0


def scan_link(client, activity_id, at=None):
    """Open the code's link as WeChat's scanner would; returns the redirect target's query."""
    from urllib.parse import parse_qs, urlsplit

    code = codes.current("a", activity_id, at)
    r = client.get(code["payload"].split("127.0.0.1:5000", 1)[-1] if "://" in code["payload"] else code["payload"])
    assert r.status_code == 302 and r.headers["Location"].startswith("/m/checkin?")
    return {k: v[0] for k, v in parse_qs(urlsplit(r.headers["Location"]).query).items()}


def test_a_scan_receipt_keeps_the_code_valid_through_a_slow_log_in(app, client, park, sql):
    from points_mall.accounts import web_login

    a = make_activity(client, park)
    m = park.members_a[1]
    with app.test_request_context():
        landed = scan_link(client, a["id"])
    assert "r" in landed and landed["t"]
    # Scanned three minutes ago, when that code was on the screen; the member then logged in and bound.
    scanned = utcnow() - timedelta(minutes=3)
    with app.test_request_context():
        token = codes.current("a", a["id"], scanned)["payload"].rsplit("=", 1)[1]
        receipt = web_login.issue_receipt(a["id"], token, "browser-1", scanned)
    payload = f"/q/a/{a['id']}?t={token}"
    scan = {"payload": payload, "receipt": receipt}
    refused = client.post("/api/v1/checkins/web", json=scan | {"nonce": nonce()}, headers=park.auth(m))
    assert refused.get_json()["error"]["code"] == "code_expired"  # this browser did not scan it
    client.set_cookie("pm_scan", "browser-1", path="/api/v1/checkins")
    bare = client.post("/api/v1/checkins/web", json={"payload": payload, "nonce": nonce()}, headers=park.auth(m))
    assert bare.get_json()["error"]["code"] == "code_expired"  # no receipt: checked now
    r = client.post("/api/v1/checkins/web", json=scan | {"nonce": nonce()}, headers=park.auth(m))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["points"] == 2 and r.get_json()["spendable"] == 2
    assert sql("SELECT count(*) FROM scan_attempt WHERE member_id = :m AND reason = 'code_expired'", m=m.id) == 2


def test_a_stale_link_gets_no_receipt_and_the_check_in_says_scan_the_newest_code(app, client, park):
    a = make_activity(client, park)
    with app.test_request_context():
        old = codes.current("a", a["id"], utcnow() - timedelta(minutes=3))["payload"].rsplit("=", 1)[1]
    r = client.get(f"/q/a/{a['id']}?t={old}")
    assert r.status_code == 302 and "r=" not in r.headers["Location"]
    r = client.post("/api/v1/checkins/web", json={"payload": f"/q/a/{a['id']}?t={old}", "nonce": nonce()},
                    headers=park.auth(park.members_a[1]))
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "code_expired"
    assert "最新" in r.get_json()["error"]["message"]


def test_a_forged_or_old_receipt_is_ignored(app, client, park):
    from points_mall.accounts import web_login

    a = make_activity(client, park)
    with app.test_request_context():
        landed = scan_link(client, a["id"])
        payload = f"/q/a/{a['id']}?t={landed['t']}"
        browser = client.get_cookie("pm_scan", path="/api/v1/checkins").value
        assert web_login.scanned_at(payload, landed["r"], browser) is not None
        assert web_login.scanned_at(payload, landed["r"], "another-browser") is None
        assert web_login.scanned_at(payload, "1." + "0" * 32, browser) is None
        seconds = int((utcnow() - timedelta(minutes=11)).timestamp())
        old = f"{seconds}.{web_login._receipt_mac(a['id'], landed['t'], seconds, browser)}"
        assert web_login.scanned_at(payload, old, browser) is None


def test_the_member_sees_their_shops_and_what_their_limits_still_allow(client, park, shop):
    m = park.members_a[1]
    shops = client.get("/api/v1/me/shops", headers=park.auth(m)).get_json()
    assert [s["id"] for s in shops] == [shop.shop_id]  # the other shop belongs to branch B
    client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id, "items": [
        {"product_id": shop.products["大米5kg"], "qty": 1}]}, headers=park.auth(m) | {"Idempotency-Key": "k1"})
    goods = {p["name"]: p for p in client.get("/api/v1/me/products", query_string={"shop_id": shop.shop_id},
                                               headers=park.auth(m)).get_json()}
    assert goods["大米5kg"]["limit_left"] == 1 and goods["大米5kg"]["limit_period_name"] == "本月"
    assert goods["毛巾"]["limit_left"] is None and goods["大米5kg"]["on_hand"] == 19
    assert client.get("/api/v1/me/products", query_string={"shop_id": shop.shop_id},
                      headers=park.auth("keeper")).status_code == 403


def test_the_ledger_says_what_each_entry_was_for_and_who_gave_it(client, park, shop):
    m = park.members_a[1]
    a = make_activity(client, park, title="党课：学习党章")
    with client.application.test_request_context():
        payload = codes.current("a", a["id"])["payload"]
    assert client.post("/api/v1/checkins", json={"payload": payload, "nonce": nonce()},
                       headers=park.auth(m)).status_code == 200
    entries = client.get("/api/v1/me/ledger", headers=park.auth(m)).get_json()["entries"]
    assert entries[0]["reason"] == "党课：学习党章" and entries[0]["given_by"] == "本人扫码"
    assert entries[0]["rule_name"] == "study.meeting"
    assert entries[-1]["given_by"] == "系统"
    order = client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id, "items": [
        {"product_id": shop.products["毛巾"], "qty": 1}]}, headers=park.auth(m) | {"Idempotency-Key": "g1"}).get_json()
    client.post(f"/api/v1/redemptions/{order['id']}/cancel", headers=park.auth(m))
    refund, redeem = client.get("/api/v1/me/ledger", headers=park.auth(m)).get_json()["entries"][:2]
    assert (redeem["kind"], redeem["given_by"]) == ("redeem", "本人兑换")
    assert (refund["kind"], refund["given_by"]) == ("refund", "积分超市")


def test_my_activities_show_my_part_checked_in_on_leave_or_absent(client, park, sql):
    m = park.members_a[1]
    now = utcnow()
    here = make_activity(client, park, title="支部党员大会")
    gone = make_activity(client, park, title="党小组会", kind="group_meeting",
                         starts_at=(now - timedelta(days=2)).isoformat(), ends_at=(now - timedelta(days=2, hours=-1)).isoformat())
    with client.application.test_request_context():
        payload = codes.current("a", here["id"])["payload"]
    client.post("/api/v1/checkins", json={"payload": payload, "nonce": nonce()}, headers=park.auth(m))
    leave = client.post(f"/api/v1/activities/{here['id']}/leave", json={"reason": "出差"}, headers=park.auth(
        park.members_a[2]))
    assert leave.status_code in (200, 201), leave.get_json()
    client.post(f"/api/v1/leave/{leave.get_json()['id']}/approve", headers=park.auth("org_a"))
    mine = {a["title"]: a for a in client.get("/api/v1/me/activities", headers=park.auth(m)).get_json()}
    assert mine["支部党员大会"]["outcome"] == "present" and mine["支部党员大会"]["points"] == 2
    assert mine["党小组会"]["outcome"] == "absent" and mine["党小组会"]["checked_in_at"] is None
    other = client.get(f"/api/v1/me/activities/{here['id']}", headers=park.auth(park.members_a[2])).get_json()
    assert other["outcome"] == "on_leave" and other["leave"] == {"id": leave.get_json()["id"], "reason": "出差",
                                                                 "status": "approved"}
    assert client.get(f"/api/v1/me/activities/{here['id']}", headers=park.auth(park.members_b[0])).status_code == 404
    assert gone["id"]


def test_on_the_console_gateway_a_dev_code_logs_in_the_member_it_names_on_the_web_pages_too(client, park, sql):
    m = park.members_a[4]
    sql("UPDATE member SET openid = 'demo-member' WHERE id = :m", m=m.id)
    answer = client.post("/api/v1/auth/web-login", json={"code": "dev:demo-member"}).get_json()
    assert answer["needs_binding"] is False and answer["member"]["id"] == m.id
