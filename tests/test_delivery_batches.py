"""The outbox worker sends a batch in parallel over kept-alive connections, bounded, and each
member's messages in the order they were written — a retry holds back the ones behind it."""
from points_mall.extensions import db
from points_mall.services import delivery

SEND = "/cgi-bin/message/template/send"


def write(sql, member_id, body):
    sql("""INSERT INTO notification (member_id, event, title, body, data, status, attempts, next_attempt_at,
           created_at) VALUES (:m, 'points_changed', '积分变动', :b, '{}', 'pending', 0, now(), now())""",
        m=member_id, b=body)


def deliver(app):
    with app.app_context():
        result = delivery.deliver_due()
        db.session.remove()
        return result


def test_a_retry_holds_back_the_members_later_messages_so_they_arrive_in_order(park, wx_app, fake, sql):
    m = park.members_a[1]
    sql("UPDATE member SET oa_openid = 'oa-zhang' WHERE id = :m", m=m.id)
    for body in ("获得5分", "兑换扣除3分", "退还3分"):
        write(sql, m.id, body)
    fake.fail(SEND, 45009)  # WeChat: too many calls, try later
    assert deliver(wx_app) == {"sent": 0, "retry": 1, "dead": 0}
    assert fake.sends() == []  # the two behind the first were not sent ahead of it
    rows = sql("SELECT status, attempts FROM notification ORDER BY id")
    assert [tuple(r) for r in rows] == [("pending", 1), ("pending", 0), ("pending", 0)]
    assert sql("SELECT count(*) FROM delivery_attempt") == 1  # waiting is not an attempt

    sql("UPDATE notification SET next_attempt_at = now()")
    assert deliver(wx_app) == {"sent": 3, "retry": 0, "dead": 0}
    assert [s["body"]["data"]["keyword1"]["value"] for s in fake.sends()] == ["获得5分", "兑换扣除3分", "退还3分"]


def test_a_batch_goes_out_in_parallel_over_a_bounded_set_of_kept_alive_connections(park, wx_app, fake, sql):
    people = park.members_a + park.members_b
    for i, m in enumerate(people):
        sql("UPDATE member SET oa_openid = :o WHERE id = :m", o=f"oa-{i}", m=m.id)
        write(sql, m.id, "获得5分")
        write(sql, m.id, "获得2分")
    fake.delay = 0.02
    assert deliver(wx_app) == {"sent": 2 * len(people), "retry": 0, "dead": 0}
    limit = wx_app.config["OUTBOX_SEND_PARALLEL"]
    assert 1 < fake.most_in_flight <= limit
    connections = {s["connection"] for s in fake.sends()}
    assert len(connections) <= limit < 2 * len(people)  # connections are kept and reused, never more than the bound
    for i in range(len(people)):  # each member's two in the order written
        mine = [s["body"]["data"]["keyword1"]["value"] for s in fake.sends() if s["body"]["touser"] == f"oa-{i}"]
        assert mine == ["获得5分", "获得2分"]
    assert sql("SELECT count(*) FROM notification WHERE status = 'sent'") == 2 * len(people)
