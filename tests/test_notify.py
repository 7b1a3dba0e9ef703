"""Notifications through the real wechatpy client against the fake WeChat server: channels,
token expiry shared by two workers, WeChat down for a while and for good, 43101, the inbox; the
typed template keys, client_msg_id, non-followers (43004), the daily cap, what is never pushed."""
import threading
import time

import pytest

from points_mall.extensions import db
from points_mall.notify import delivery

from .conftest import make_wx_app
from .test_callback import encrypted


def award(client, park, member):
    r = client.post("/api/v1/awards", json={"member_ids": [member.id], "rule_code": "service.volunteer"},
                    headers=park.auth("org_a"))
    assert r.status_code == 201


def deliver(app):
    with app.app_context():
        result = delivery.deliver_due()
        db.session.remove()
        return result


def statuses(sql):
    return [tuple(r) for r in sql("SELECT status, channel, attempts FROM notification ORDER BY id")]


def test_a_follower_gets_a_template_message(client, park, wx_app, fake, sql):
    m = park.members_a[1]
    sql("UPDATE member SET oa_openid = 'oa-zhang' WHERE id = :m", m=m.id)
    award(client, park, m)
    assert deliver(wx_app) == {"sent": 1, "retry": 0, "dead": 0}
    [send] = fake.sends()
    assert send["path"] == "/cgi-bin/message/template/send"
    assert send["body"]["touser"] == "oa-zhang" and send["body"]["template_id"] == "TPL-OA-POINTS"
    assert send["body"]["data"]["thing2"]["value"] == "service.volunteer：获…"  # a thing is at most 20
    assert statuses(sql) == [("sent", "template", 1)]
    assert sql("SELECT outcome FROM delivery_attempt") == "sent"


def test_one_accepted_subscription_is_one_subscribe_message_then_the_inbox(client, park, wx_app, fake, sql):
    m = park.members_a[1]
    sql("UPDATE member SET openid = 'o-mini' WHERE id = :m", m=m.id)
    r = client.post("/api/v1/me/subscriptions", json={"template_ids": ["TPL-MP-POINTS"]}, headers=park.auth(m))
    assert r.get_json()["remaining"] == {"TPL-MP-POINTS": 1}
    award(client, park, m)
    award(client, park, m)
    deliver(wx_app)
    [send] = fake.sends()
    assert send["path"] == "/cgi-bin/message/subscribe/send" and send["body"]["touser"] == "o-mini"
    assert statuses(sql) == [("sent", "subscribe", 1), ("sent", "inbox", 1)]
    assert sql("SELECT remaining FROM subscription_consent") == 0
    inbox = client.get("/api/v1/me/messages", headers=park.auth(m)).get_json()
    assert inbox["unread"] == 2 and len(inbox["messages"]) == 2


def test_an_expired_token_is_refreshed_once_for_two_workers(client, park, fake, app, sql):
    first, second = make_wx_app(fake), make_wx_app(fake)
    people = park.members_a[1:3]
    for i, m in enumerate(people):
        sql("UPDATE member SET oa_openid = :o WHERE id = :m", o=f"oa-{i}", m=m.id)
    award(client, park, people[0])
    deliver(first)  # the first token is fetched and used
    assert fake.tokens_issued == 1
    for m in people:
        award(client, park, m)
    fake.expire_tokens()
    ids = [r[0] for r in sql("SELECT id FROM notification WHERE status = 'pending' ORDER BY id")]
    barrier = threading.Barrier(2)

    def work(worker_app, notification_id):
        with worker_app.app_context():
            barrier.wait()
            delivery.deliver(notification_id)
            db.session.remove()

    threads = [threading.Thread(target=work, args=(a, i)) for a, i in zip((first, second), ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert fake.tokens_issued == 2  # one refresh, shared
    assert [s[0] for s in statuses(sql)] == ["sent", "sent", "sent"]


def test_wechat_down_for_a_while_is_retried_until_it_is_back(client, park, wx_app, fake, sql):
    m = park.members_a[1]
    sql("UPDATE member SET oa_openid = 'oa-zhang' WHERE id = :m", m=m.id)
    award(client, park, m)
    fake.down = True
    assert deliver(wx_app)["retry"] == 1
    assert deliver(wx_app)["retry"] == 1
    assert statuses(sql) == [("pending", "template", 2)]
    fake.down = False
    assert deliver(wx_app)["sent"] == 1
    assert [r[0] for r in sql("SELECT outcome FROM delivery_attempt ORDER BY id")] == ["retry", "retry", "sent"]


def test_the_retry_waits_longer_each_time(client, park, wx_app, fake, sql):
    wx_app.config["OUTBOX_BACKOFF_BASE"] = 10
    m = park.members_a[1]
    sql("UPDATE member SET oa_openid = 'oa-zhang' WHERE id = :m", m=m.id)
    award(client, park, m)
    fake.down = True
    deliver(wx_app)
    first = sql("SELECT extract(epoch FROM next_attempt_at - now()) FROM notification")
    assert 5 < first <= 10
    assert deliver(wx_app) == {"sent": 0, "retry": 0, "dead": 0}  # not due yet
    sql("UPDATE notification SET next_attempt_at = now()")
    deliver(wx_app)
    second = sql("SELECT extract(epoch FROM next_attempt_at - now()) FROM notification")
    assert 15 < second <= 20


def test_wechat_down_for_good_ends_dead_and_the_inbox_still_has_it(client, park, wx_app, fake, sql):
    m = park.members_a[1]
    sql("UPDATE member SET oa_openid = 'oa-zhang' WHERE id = :m", m=m.id)
    award(client, park, m)
    fake.down = True
    for _ in range(6):
        deliver(wx_app)
    assert statuses(sql) == [("dead", "template", 4)]  # OUTBOX_MAX_ATTEMPTS
    assert sql("SELECT count(*) FROM delivery_attempt") == 4
    inbox = client.get("/api/v1/me/messages", headers=park.auth(m)).get_json()
    assert [x["title"] for x in inbox["messages"]] == ["积分获得"]
    view = client.get("/api/v1/admin/outbox", headers=park.auth("admin")).get_json()
    assert view["counts"]["dead"] == 1 and view["dead"][0]["last_error"] == "HTTP 500"
    assert len(view["dead"][0]["history"]) == 4
    assert client.get("/api/v1/admin/outbox", headers=park.auth("org_a")).status_code == 403
    fake.down = False
    again = client.post(f"/api/v1/admin/outbox/{view['dead'][0]['id']}/resend", headers=park.auth("admin"))
    assert again.status_code == 200 and again.get_json()["status"] == "pending"
    deliver(wx_app)
    assert statuses(sql) == [("sent", "template", 1)]
    twice = client.post(f"/api/v1/admin/outbox/{view['dead'][0]['id']}/resend", headers=park.auth("admin"))
    assert twice.status_code == 409


def test_43101_stops_retrying_and_drops_the_consent(client, park, wx_app, fake, sql):
    m = park.members_a[1]
    sql("UPDATE member SET openid = 'o-mini' WHERE id = :m", m=m.id)
    client.post("/api/v1/me/subscriptions", json={"template_ids": ["TPL-MP-POINTS", "TPL-MP-POINTS"]},
                headers=park.auth(m))
    award(client, park, m)
    fake.fail("/cgi-bin/message/subscribe/send", 43101)
    assert deliver(wx_app)["dead"] == 1
    assert sql("SELECT remaining FROM subscription_consent") == 0
    assert sql("SELECT count(*) FROM delivery_attempt") == 1
    award(client, park, m)
    deliver(wx_app)
    assert statuses(sql)[-1] == ("sent", "inbox", 1)


def test_the_inbox_marks_read_and_keeps_to_its_member(client, park, sql):
    m, other = park.members_a[1], park.members_a[2]
    award(client, park, m)
    award(client, park, m)
    inbox = client.get("/api/v1/me/messages?limit=1", headers=park.auth(m)).get_json()
    assert inbox["unread"] == 2 and inbox["next_cursor"] is not None
    first = inbox["messages"][0]["id"]
    assert client.post(f"/api/v1/me/messages/{first}/read", headers=park.auth(other)).status_code == 404
    assert client.post(f"/api/v1/me/messages/{first}/read", headers=park.auth(m)).get_json() == {"changed": 1}
    assert client.post("/api/v1/me/messages/read-all", headers=park.auth(m)).get_json() == {"changed": 1}
    assert client.get("/api/v1/me/messages", headers=park.auth(m)).get_json()["unread"] == 0
    bad = client.post("/api/v1/me/subscriptions", json={"template_ids": []}, headers=park.auth(m))
    assert bad.status_code == 422


def test_rate_limited_or_busy_wechat_is_retried_and_a_bad_token_refreshed_once(client, park, wx_app, fake, sql):
    m = park.members_a[1]
    sql("UPDATE member SET oa_openid = 'oa-zhang' WHERE id = :m", m=m.id)
    award(client, park, m)
    fake.fail("/cgi-bin/message/template/send", 45009)
    assert deliver(wx_app)["retry"] == 1
    fake.fail("/cgi-bin/message/template/send", -1)
    assert deliver(wx_app)["retry"] == 1
    tokens = fake.tokens_issued
    fake.fail("/cgi-bin/message/template/send", 40001)
    assert deliver(wx_app)["sent"] == 1  # refreshed and retried within the same attempt
    assert fake.tokens_issued == tokens + 1
    fake.fail("/cgi-bin/message/template/send", 40001, times=2)
    award(client, park, m)
    assert deliver(wx_app)["retry"] == 1  # a second bad token in a row: no loop, try later
    assert [r[0] for r in sql("SELECT outcome FROM delivery_attempt ORDER BY id")] == ["retry", "retry", "sent",
                                                                                        "retry"]


def test_a_bad_openid_is_dead_at_once(client, park, wx_app, fake, sql):
    m = park.members_a[1]
    sql("UPDATE member SET oa_openid = 'oa-gone' WHERE id = :m", m=m.id)
    award(client, park, m)
    fake.fail("/cgi-bin/message/template/send", 40003)
    assert deliver(wx_app)["dead"] == 1
    assert sql("SELECT last_error FROM notification").startswith("40003")


def test_public_account_qr_and_web_oauth_through_wechatpy(wx_app, client, park, fake):
    from .helpers import make_activity

    a = make_activity(client, park)
    r = wx_app.test_client().get(f"/api/v1/activities/{a['id']}/oa-qr", headers=park.auth("org_a"))
    assert r.status_code == 200 and r.get_json()["ticket"].startswith(f"ticket-ci:{a['id']}:")
    assert r.get_json()["expire_seconds"] == 60
    # Another branch's activity is not theirs to see.
    assert wx_app.test_client().get(f"/api/v1/activities/{a['id']}/oa-qr",
                                    headers=park.auth("org_b")).status_code == 404
    with wx_app.app_context():
        from points_mall.wechat import gateway

        session = gateway().oauth_session("web123")
    assert (session.openid, session.unionid) == ("oa-web123", None)  # snsapi_base gives no unionid


def test_the_member_sees_the_pickup_code_as_a_qr(client, park, shop):
    m = park.members_a[1]
    order = client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id, "items": [
        {"product_id": shop.products["毛巾"], "qty": 1}]}, headers=park.auth(m) | {"Idempotency-Key": "q"}).get_json()
    mine = client.get(f"/api/v1/redemptions/{order['id']}", headers=park.auth(m)).get_json()
    assert mine["pickup_qr_svg"].startswith("<svg") and mine["pickup_code"] == order["pickup_code"]
    assert client.get(f"/api/v1/redemptions/{order['id']}", headers=park.auth(park.members_a[2])).status_code == 404


SEND = "/cgi-bin/message/template/send"


def follow(sql, member, oa_openid="oa-zhang"):
    sql("UPDATE member SET oa_openid = :o WHERE id = :m", o=oa_openid, m=member.id)


def test_a_template_message_has_typed_keys_cut_to_their_rules_the_members_page_and_a_client_msg_id(
        client, park, wx_app, fake, sql):
    m = park.members_a[1]
    follow(sql, m)
    award(client, park, m)
    assert deliver(wx_app)["sent"] == 1
    [send] = fake.sends()
    body = send["body"]
    assert set(body["data"]) == {"thing1", "thing2", "time3"}  # no first/keyword1/remark: WeChat retired them
    assert all(len(v["value"]) <= 20 for v in body["data"].values())
    note = sql("SELECT id FROM notification")
    assert body["url"] == f"{wx_app.config['PUBLIC_BASE_URL']}/m/points"
    assert body["client_msg_id"] == f"pm-notification-{note}"
    assert fake.delivered == [body]


def test_a_value_wechat_refuses_is_47003_and_dead_and_the_inbox_still_has_it(client, park, wx_app, fake, sql):
    wx_app.config["WECHAT_TEMPLATES"] = {"points_changed": {"oa": {"id": "TPL-OA-POINTS", "fields": {
        "thing1": "title", "thing2": "body", "thing9": "time"}}}}  # a key the template does not have
    m = park.members_a[1]
    follow(sql, m)
    award(client, park, m)
    assert deliver(wx_app)["dead"] == 1
    assert sql("SELECT last_error FROM notification").startswith("47003")
    assert fake.delivered == []
    assert client.get("/api/v1/me/messages", headers=park.auth(m)).get_json()["unread"] == 1


@pytest.mark.parametrize("templates, names", [
    ({"points_changed": {"oa": "TPL-OA-POINTS"}}, "WECHAT_TEMPLATES.points_changed.oa"),
    ({"points_changed": {"oa": {"id": "T", "fields": {"keyword1": "body"}}}},
     "WECHAT_TEMPLATES.points_changed.oa.fields.keyword1"),
    ({"points_changed": {"oa": {"id": "T", "fields": {"thing1": "remark"}}}},
     "WECHAT_TEMPLATES.points_changed.oa.fields.thing1"),
    ({"points_changed": {"sms": {"id": "T", "fields": {"thing1": "body"}}}}, "WECHAT_TEMPLATES.points_changed.sms"),
])
def test_templates_wechat_would_refuse_stop_the_start_naming_the_key(app, templates, names):
    from points_mall import create_app
    from points_mall.config import TestConfig
    from points_mall.notify.templates import TemplateConfigError

    class Bad(TestConfig):
        WECHAT_TEMPLATES = templates

    with pytest.raises(TemplateConfigError, match=names.replace(".", r"\.")):
        create_app(Bad)


def test_values_are_cut_to_each_key_types_rule():
    from points_mall.notify.templates import fit

    assert fit("thing", "第一季度主题党日志愿服务活动积分已到账请查收") == "第一季度主题党日志愿服务活动积分已到账…"
    assert len(fit("thing", "x" * 40)) == 20
    assert fit("phrase", "已通过 ok") == "已通过"
    assert fit("character_string", "取货码 AB12-9") == "取货码AB12-9"[3:]
    assert fit("amount", "获得12.5分") == "12.5"
    assert fit("number", "共 30 人") == "30"


def wait_answered(fake, path, count):
    deadline = time.time() + 10
    while time.time() < deadline:
        if len([r for r in fake.calls(path) if "answered" in r]) >= count:
            return True
        time.sleep(0.05)
    return False


def test_a_retry_repeats_the_client_msg_id_so_wechat_delivers_the_message_once(client, park, wx_app, fake, sql):
    m = park.members_a[1]
    follow(sql, m)
    award(client, park, m)
    fake.fail(SEND, "timeout")  # WeChat takes the message but answers after our timeout
    assert deliver(wx_app)["retry"] == 1
    assert deliver(wx_app)["sent"] == 1
    assert wait_answered(fake, SEND, 2)
    calls = fake.calls(SEND)
    assert len(calls) == 2 and calls[0]["body"]["client_msg_id"] == calls[1]["body"]["client_msg_id"]
    assert len(fake.delivered) == 1  # the member's phone buzzed once


def test_a_member_who_does_not_follow_gets_the_inbox_not_a_dead_letter_and_staff_see_them(
        client, park, wx_app, fake, sql):
    m = park.members_a[1]
    follow(sql, m, "oa-web-only")  # logged in by web OAuth, never followed the account
    fake.not_following.add("oa-web-only")
    award(client, park, m)
    assert deliver(wx_app) == {"sent": 1, "retry": 0, "dead": 0}
    assert statuses(sql) == [("sent", "inbox", 1)]
    assert [tuple(r) for r in sql("SELECT channel, outcome FROM delivery_attempt ORDER BY id")] == [
        ("template", "not_following"), ("inbox", "sent")]
    view = client.get("/api/v1/admin/outbox", headers=park.auth("admin")).get_json()
    assert view["counts"]["dead"] == 0
    assert [(u["member_id"], u["name"]) for u in view["unreachable"]] == [(m.id, m.name)]
    award(client, park, m)
    deliver(wx_app)
    assert len(fake.calls(SEND)) == 1  # not asked again: known not to follow
    assert client.get("/api/v1/me/messages", headers=park.auth(m)).get_json()["unread"] == 2


def test_a_non_follower_who_accepted_a_subscribe_message_gets_that_instead(client, park, wx_app, fake, sql):
    m = park.members_a[1]
    follow(sql, m, "oa-web-only")
    sql("UPDATE member SET openid = 'o-mini' WHERE id = :m", m=m.id)
    fake.not_following.add("oa-web-only")
    client.post("/api/v1/me/subscriptions", json={"template_ids": ["TPL-MP-POINTS"]}, headers=park.auth(m))
    award(client, park, m)
    assert deliver(wx_app)["sent"] == 1
    assert statuses(sql) == [("sent", "subscribe", 1)]
    assert [d["touser"] for d in fake.delivered] == ["o-mini"]
    assert sql("SELECT remaining FROM subscription_consent") == 0


def test_sends_are_counted_per_day_and_held_back_at_the_daily_cap(client, park, wx_app, fake, sql):
    wx_app.config["WECHAT_DAILY_SEND_CAP"] = 2
    people = park.members_a[1:4]
    for i, m in enumerate(people):
        follow(sql, m, f"oa-{i}")
        award(client, park, m)
    assert deliver(wx_app) == {"sent": 2, "retry": 0, "dead": 0, "held": 1}
    assert len(fake.delivered) == 2
    [(attempts, wait)] = sql("SELECT attempts, extract(epoch FROM next_attempt_at - now()) FROM notification "
                             "WHERE status = 'pending'")
    assert attempts == 0 and 0 < wait <= 24 * 3600  # at the next local midnight, not counted as an attempt
    assert deliver(wx_app) == {"sent": 0, "retry": 0, "dead": 0}
    view = client.get("/api/v1/admin/outbox", headers=park.auth("admin")).get_json()
    assert view["sent_today"]["template"] == 2 and view["daily_cap"] == 100_000  # the test app's own config


def test_a_check_in_is_told_in_the_inbox_only(client, park, wx_app, fake, sql):
    from .helpers import make_activity, nonce

    m = park.members_a[1]
    follow(sql, m)
    a = make_activity(client, park)
    payload = client.get(f"/api/v1/activities/{a['id']}/qr", headers=park.auth("org_a")).get_json()["payload"]
    r = client.post("/api/v1/checkins", json={"payload": payload, "nonce": nonce()}, headers=park.auth(m))
    assert r.status_code in (200, 201), r.get_json()
    deliver(wx_app)
    assert fake.sends() == []
    assert statuses(sql)[-1] == ("sent", "inbox", 1)
    assert client.get("/api/v1/me/messages", headers=park.auth(m)).get_json()["messages"][0]["title"] == "签到成功"


def test_a_new_activity_for_everyone_goes_to_the_inbox_and_to_those_who_subscribed(client, park, wx_app, fake, sql):
    from .helpers import make_activity

    follower, subscriber = park.members_a[1], park.members_a[2]
    follow(sql, follower)
    sql("UPDATE member SET openid = 'o-mini' WHERE id = :m", m=subscriber.id)
    client.post("/api/v1/me/subscriptions", json={"template_ids": ["TPL-MP-ACTIVITY"]}, headers=park.auth(subscriber))
    make_activity(client, park)
    deliver(wx_app)
    assert [(s["path"], s["body"]["touser"]) for s in fake.sends()] == [("/cgi-bin/message/subscribe/send", "o-mini")]
    assert sql("SELECT count(*) FROM notification WHERE event = 'activity_published' AND status = 'sent'") == \
        sql("SELECT count(*) FROM notification WHERE event = 'activity_published'")


def signed_now(xml):
    """The request WeChat sends the server URL in safe mode, as the test account is configured."""
    query, body = encrypted(xml)
    return {"query_string": query, "data": body, "content_type": "application/xml"}


def consent_event(openid, event, items):
    tag = "SubscribeMsgPopupEvent" if event == "subscribe_msg_popup_event" else "SubscribeMsgChangeEvent"
    listed = "".join(f"<List><TemplateId>{t}</TemplateId><SubscribeStatusString>{s}</SubscribeStatusString>"
                     f"<PopupScene>0</PopupScene></List>" for t, s in items)
    return (f"<xml><ToUserName>gh_park</ToUserName><FromUserName>{openid}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType>event</MsgType><Event>{event}</Event>"
            f"<{tag}>{listed}</{tag}></xml>")


def test_wechat_tells_us_what_the_member_accepted_one_acceptance_one_message(park, wx_app, sql):
    m = park.members_a[1]
    sql("UPDATE member SET openid = 'o-mini' WHERE id = :m", m=m.id)
    web = wx_app.test_client()
    popup = consent_event("o-mini", "subscribe_msg_popup_event",
                          [("TPL-MP-POINTS", "accept"), ("TPL-MP-ORDER", "reject")])
    assert web.post("/wechat/callback", **signed_now(popup)).status_code == 200
    assert web.post("/wechat/callback", **signed_now(popup)).status_code == 200
    assert [tuple(r) for r in sql("SELECT template_id, remaining FROM subscription_consent")] == [("TPL-MP-POINTS", 2)]
    off = consent_event("o-mini", "subscribe_msg_change_event", [("TPL-MP-POINTS", "reject")])
    assert web.post("/wechat/callback", **signed_now(off)).status_code == 200
    assert sql("SELECT remaining FROM subscription_consent") == 0
    stranger = consent_event("o-nobody", "subscribe_msg_popup_event", [("TPL-MP-POINTS", "accept")])
    assert web.post("/wechat/callback", **signed_now(stranger)).status_code == 200
    assert sql("SELECT count(*) FROM subscription_consent") == 1


def test_a_non_follower_who_follows_the_account_gets_template_messages_again(client, park, wx_app, fake, sql):
    m = park.members_a[1]
    follow(sql, m, "oa-web-only")
    fake.not_following.add("oa-web-only")
    award(client, park, m)
    deliver(wx_app)
    assert fake.delivered == []
    fake.not_following.discard("oa-web-only")  # the member follows the account: WeChat tells the server URL
    follows = (f"<xml><ToUserName>gh_park</ToUserName><FromUserName>oa-web-only</FromUserName>"
               f"<CreateTime>{int(time.time())}</CreateTime><MsgType>event</MsgType><Event>subscribe</Event>"
               f"<EventKey></EventKey></xml>")
    assert wx_app.test_client().post("/wechat/callback", **signed_now(follows)).status_code == 200
    view = client.get("/api/v1/admin/outbox", headers=park.auth("admin")).get_json()
    assert view["unreachable"] == []
    award(client, park, m)
    deliver(wx_app)
    assert [d["touser"] for d in fake.delivered] == ["oa-web-only"]
