"""The outbox worker sends a batch in parallel over kept-alive connections, bounded, and each
member's messages in the order they were written — a retry holds back the ones behind it."""
from points_mall.extensions import db
from points_mall.notify import delivery

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
    assert [s["body"]["data"]["thing2"]["value"] for s in fake.sends()] == ["获得5分", "兑换扣除3分", "退还3分"]


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
        mine = [s["body"]["data"]["thing2"]["value"] for s in fake.sends() if s["body"]["touser"] == f"oa-{i}"]
        assert mine == ["获得5分", "获得2分"]
    assert sql("SELECT count(*) FROM notification WHERE status = 'sent'") == 2 * len(people)


def claim(app, batch):
    with app.app_context():
        ids = delivery.claim(batch)
        db.session.remove()
        return ids


def test_a_second_worker_does_not_take_a_members_message_while_an_earlier_one_is_out_with_the_first(
        park, wx_app, sql):
    """Two workers: the first takes a member's first message; the second must not take the next one
    (it would send it alongside, and the member could read "退还" before "扣除")."""
    a, b = park.members_a[1], park.members_a[2]
    write(sql, a.id, "兑换扣除3分")
    write(sql, a.id, "退还3分")
    write(sql, b.id, "获得5分")
    first = claim(wx_app, 1)
    second = claim(wx_app, 10)
    ids = [r[0] for r in sql("SELECT id FROM notification ORDER BY id")]
    assert first == [ids[0]]
    assert second == [ids[2]]  # b's, not a's second: a's first is still out with the first worker
    sql("UPDATE notification SET status = 'sent' WHERE id = :i", i=ids[0])
    assert claim(wx_app, 10) == [ids[1]]


def test_workers_claiming_at_once_never_split_a_members_messages(park, wx_app, sql):
    """Four workers claim at once, again and again, over ten members' five messages each. Whatever a
    claim takes of a member must be the member's earliest messages not yet sent: an earlier one still
    pending and not in the same claim would be out with another worker, to be sent alongside."""
    import threading

    from sqlalchemy import text

    people = (park.members_a + park.members_b)[:10]
    for m in people:
        for n in range(5):
            write(sql, m.id, f"第{n}条")
    split, lock = [], threading.Lock()

    def worker():
        for _ in range(15):
            ids = claim(wx_app, 3)
            if not ids:
                continue
            with wx_app.app_context():
                ahead = db.session.execute(text(
                    "SELECT later.id FROM notification later JOIN notification earlier "
                    "ON earlier.member_id = later.member_id AND earlier.id < later.id "
                    "WHERE later.id = ANY(:ids) AND earlier.status = 'pending' AND NOT earlier.id = ANY(:ids)"),
                    {"ids": ids}).scalars().all()
                db.session.execute(text("UPDATE notification SET status = 'sent' WHERE id = ANY(:ids)"), {"ids": ids})
                db.session.commit()
                db.session.remove()
            with lock:
                split.extend(ahead)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert split == []
    assert sql("SELECT count(*) FROM notification WHERE status = 'sent'") == 50
