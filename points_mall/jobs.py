"""Background jobs: run by RQ workers and RQ's cron scheduler in production, and by a small
thread inside the process on the embedded default (no Redis)."""
import logging
import threading
import time

from flask import Flask

log = logging.getLogger(__name__)
QUEUE = "points_mall"
_app: Flask | None = None


def _worker_app() -> Flask:
    """The app a job runs in: the one `flask worker` (run_worker) or the inline thread (start_inline) was
    given. The jobs are enqueued for those two only."""
    if _app is None:
        raise RuntimeError("jobs run in `flask --app points_mall worker` or in the app's own job thread")
    return _app


def expire_redemptions() -> int:
    from points_mall.mall import mall

    with _worker_app().app_context():
        return mall.expire_due()


def deliver_outbox() -> dict:
    from points_mall.notify import delivery

    with _worker_app().app_context():
        return delivery.deliver_due()


def send_reminders() -> int:
    from points_mall.notify import reminders

    with _worker_app().app_context():
        return reminders.remind_activities() + reminders.remind_expiring()


def settle_year() -> int:
    """年度结算: in the first days of a year, the year just ended is settled once (safe to run again)."""
    from points_mall.year import settlement

    with _worker_app().app_context():
        return settlement.settle_due()


def lapse_notices() -> int:
    """N days before the turn of the year, members are told once what will lapse."""
    from points_mall.year import settlement

    with _worker_app().app_context():
        return settlement.send_notices()


def rebuild_boards() -> int:
    """The board's sets in Redis, rebuilt from SQL once a day (mends a change lost between commit and Redis)."""
    from points_mall.board import board_cache

    with _worker_app().app_context():
        return board_cache.rebuild_all()


# name → (function, every N seconds)
PERIODIC = {
    "deliver_outbox": (deliver_outbox, 5),
    "expire_redemptions": (expire_redemptions, 60),
    "send_reminders": (send_reminders, 60),
    "settle_year": (settle_year, 3600),
    "lapse_notices": (lapse_notices, 3600),
    "rebuild_boards": (rebuild_boards, 86400),
}


def run_worker(app: Flask) -> None:
    """An RQ worker on the queue, with RQ's cron scheduler enqueueing the periodic jobs."""
    from rq import Queue, Worker
    from rq.cron import CronScheduler

    global _app
    _app = app
    connection = app.extensions["pm_redis"]
    scheduler = CronScheduler(connection=connection, name=f"points_mall:{time.time():.0f}")
    for name, (func, every) in PERIODIC.items():
        scheduler.register(func, QUEUE, interval=every, name=name)

    def schedule_forever():
        while True:
            try:
                scheduler.enqueue_jobs()
                time.sleep(max(1.0, scheduler.calculate_sleep_interval()))
            except Exception:  # noqa: BLE001 - the scheduler must outlive a Redis blip
                log.exception("scheduler tick failed")
                time.sleep(5)

    threading.Thread(target=schedule_forever, name="rq-cron", daemon=True).start()
    Worker([Queue(QUEUE, connection=connection)], connection=connection).work(with_scheduler=False)


def start_inline(app: Flask, tick: float = 1.0) -> threading.Event:
    """Without Redis there is no worker: one daemon thread runs the periodic jobs in this process.
    Returns the event that stops it."""
    global _app
    _app = app
    last = {name: float("-inf") for name in PERIODIC}
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            for name, (func, every) in PERIODIC.items():
                if time.monotonic() - last[name] >= every:
                    last[name] = time.monotonic()
                    try:
                        func()
                    except Exception:  # noqa: BLE001 - keep the loop alive, the next tick retries
                        log.exception("job %s failed", name)
            stop.wait(tick)

    threading.Thread(target=loop, name="inline-jobs", daemon=True).start()
    return stop
