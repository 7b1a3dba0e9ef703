"""Notifications through the real wechatpy client against the fake WeChat server: channels,
token expiry shared by two workers, WeChat down for a while and for good, 43101, the inbox."""
import threading

from points_mall.extensions import db
from points_mall.notify import delivery

from .conftest import make_wx_app


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
    assert "获得5分" in send["body"]["data"]["keyword1"]["value"]
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
    assert (session.openid, session.unionid) == ("oa-web123", "u-web123")


def test_the_member_sees_the_pickup_code_as_a_qr(client, park, shop):
    m = park.members_a[1]
    order = client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id, "items": [
        {"product_id": shop.products["毛巾"], "qty": 1}]}, headers=park.auth(m) | {"Idempotency-Key": "q"}).get_json()
    mine = client.get(f"/api/v1/redemptions/{order['id']}", headers=park.auth(m)).get_json()
    assert mine["pickup_qr_svg"].startswith("<svg") and mine["pickup_code"] == order["pickup_code"]
    assert client.get(f"/api/v1/redemptions/{order['id']}", headers=park.auth(park.members_a[2])).status_code == 404
