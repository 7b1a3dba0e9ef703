"""What the outbox promises with several workers (README, WeChat and notifications), checked by
bench/scale_out.py against what the fake WeChat (bench/notify.py) accepted, in the order it arrived."""
import os
import time
from collections import Counter, defaultdict

from bench.cluster import OutboxWorker
from bench.common import REDIS
from bench.notify import FakeWechatProcess

ORDER_MEMBERS = int(os.environ.get("BENCH_ORDER_MEMBERS", "100"))
ORDER_EACH = int(os.environ.get("BENCH_ORDER_EACH", "20"))


def forget_wechat_token() -> None:
    """The fake WeChat is new each section: a token kept in Redis from an earlier run is unknown to it."""
    import redis

    redis.Redis.from_url(REDIS).delete("pm:wechat:wx-oa_access_token", "pm:wechat:wx-oa_access_token_expires_at")


def drain(app, workers: list[OutboxWorker], timeout: float = 120) -> float:
    """Seconds until the outbox has nothing pending (the workers' scheduler ticks every 5 s)."""
    from sqlalchemy import text

    from points_mall.extensions import db

    start = time.perf_counter()
    with app.app_context():
        while db.session.scalar(text("SELECT count(*) FROM notification WHERE status = 'pending'")):
            if time.perf_counter() - start > timeout:
                break
            db.session.remove()
            time.sleep(0.5)
        db.session.remove()
    return round(time.perf_counter() - start, 1)


def outbox_check(app, fake: FakeWechatProcess, title: str | None = None) -> dict:
    """What the outbox promises with several workers (README, WeChat and notifications): every message
    ends sent (nothing pending or dead), WeChat got each one (at least once; here no worker dies, so
    exactly once) and each member got theirs in the order they were written. With `title`, the order
    and the sends are checked for the messages of that title alone."""
    from sqlalchemy import text

    from points_mall.extensions import db

    with app.app_context():
        status = dict(db.session.execute(text("SELECT status, count(*) FROM notification GROUP BY status")).all())
        rows = db.session.execute(text("""SELECT m.oa_openid, n.title, n.body FROM notification n
            JOIN member m ON m.id = n.member_id WHERE n.channel = 'template'
            AND (CAST(:title AS varchar) IS NULL OR n.title = :title) ORDER BY n.id"""), {"title": title}).all()
        attempts = db.session.scalar(text("SELECT count(*) FROM delivery_attempt"))
        notes = db.session.scalar(text("SELECT count(*) FROM notification WHERE status <> 'pending'"))
        # delivery_attempt.worker is the RQ worker process (its work-horses fork from it)
        workers = db.session.scalar(text("SELECT count(DISTINCT worker) FROM delivery_attempt"))
    from points_mall.notify.templates import fit

    expected, received = defaultdict(list), defaultdict(list)
    for touser, note_title, body in rows:  # as WeChat takes them: thing1 = title, thing2 = body, cut to 20
        expected[touser].append((fit("thing", note_title), fit("thing", body)))
    for touser, data in fake.sends():
        if title is None or data["thing1"]["value"] == fit("thing", title):
            received[touser].append((data["thing1"]["value"], data["thing2"]["value"]))
    twice = missing = out_of_turn = 0
    for touser in expected.keys() | received.keys():
        want, got = Counter(expected[touser]), Counter(received[touser])
        twice += sum((got - want).values())
        missing += sum((want - got).values())
        out_of_turn += got == want and expected[touser] != received[touser]
    return {"notifications": sum(status.values()), "sent": status.get("sent", 0),
            "pending": status.get("pending", 0), "dead": status.get("dead", 0),
            "pushed_to_wechat": len(rows), "received_by_wechat": sum(len(v) for v in received.values()),
            "sent_twice": twice, "missing_at_wechat": missing, "members_out_of_turn": out_of_turn,
            "attempts_beyond_one": attempts - notes, "workers_that_delivered": workers}


def stop_workers(workers: list[OutboxWorker]) -> None:
    for worker in workers:
        worker.stop()


def idle(workers: list[OutboxWorker], queue, connection, timeout: float = 45) -> None:
    """Wait until the queue is empty and each of `workers` waits for a job (a periodic job, such as the
    board's daily rebuild at a worker's start, would otherwise keep one busy while the other drains)."""
    from rq import Worker

    pids = {w.proc.pid for w in workers}
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ours = [w for w in Worker.all(connection=connection) if w.pid in pids]
        if len(ours) == len(pids) and not len(queue) and all(w.get_state() == "idle" for w in ours):
            return
        time.sleep(0.2)


def order_burst(app, fake: FakeWechatProcess, workers: list[OutboxWorker], title: str) -> dict:
    """ORDER_EACH messages titled `title` for each of ORDER_MEMBERS members at once ("第k条"), drained
    by the workers all at work: each member's must reach WeChat once each and in the order written."""
    import redis
    from rq import Queue
    from sqlalchemy import text

    from points_mall.extensions import db
    from points_mall.jobs import QUEUE

    connection = redis.Redis.from_url(REDIS)
    queue = Queue(QUEUE, connection=connection)
    idle(workers, queue, connection)
    with app.app_context():
        before = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM notification"))
        db.session.execute(text("""INSERT INTO notification (member_id, event, title, body, data, status, attempts,
            next_attempt_at, created_at) SELECT 1 + (g - 1) % :m, 'points_changed', :title,
            '第' || (1 + (g - 1) / :m) || '条', '{}', 'pending', 0, now(), now()
            FROM generate_series(1, :n) g"""), {"m": ORDER_MEMBERS, "n": ORDER_MEMBERS * ORDER_EACH, "title": title})
        db.session.commit()
        db.session.remove()
    cpu = [w.cpu() for w in workers]
    # One delivery job for each worker at once, as when the schedulers' ticks coincide.
    for _ in workers:
        queue.enqueue("points_mall.jobs.deliver_outbox")
    seconds = drain(app, workers)
    check = outbox_check(app, fake, title)
    with app.app_context():
        shares = sorted(db.session.scalars(text("""SELECT count(*) FROM delivery_attempt
            WHERE notification_id > :before GROUP BY worker"""), {"before": before}), reverse=True)
    return {"members": ORDER_MEMBERS, "messages_each": ORDER_EACH, "drained_s": seconds,
            "sent_by_each_worker": shares, "worker_cpu_s": [round(w.cpu() - c, 2) for w, c in zip(workers, cpu)],
            **{k: check[k] for k in ("pending", "dead", "sent_twice", "missing_at_wechat", "members_out_of_turn",
                                     "attempts_beyond_one")}}
