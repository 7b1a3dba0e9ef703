"""Delivering the outbox: every notification ends `sent` or `dead`, every attempt recorded.

A worker claims due messages with a lease (so a killed worker's messages come back to the
queue), sends each on the member's best channel — a template message to a public-account
follower, else a mini-program subscribe message while a consent is left, else the in-app inbox
alone — and records the outcome. Delivery is at least once: a worker killed after WeChat
accepted a message but before it recorded that may cause one duplicate push.
"""
import os
import socket
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from ..errors import Conflict, NotFound
from ..extensions import db
from ..models import DeliveryAttempt, Member, Notification, SubscriptionConsent
from ..wechat import ConsentRefused, RetryLater, Undeliverable, gateway
from . import audit
from .access import Actor
from .clock import utcnow
from .tx import committed

WORKER = f"{socket.gethostname()}:{os.getpid()}"


def claim(batch: int) -> list[int]:
    """Take up to `batch` due messages for this worker; others skip them (SKIP LOCKED)."""
    now = utcnow()
    query = (select(Notification.id).where(Notification.status == "pending", Notification.next_attempt_at <= now)
             .order_by(Notification.next_attempt_at, Notification.id).limit(batch))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    with committed():
        ids = list(db.session.scalars(query))
        if ids:
            lease = now + timedelta(seconds=current_app.config["OUTBOX_LEASE"])
            db.session.execute(update(Notification).where(Notification.id.in_(ids)).values(next_attempt_at=lease))
    return ids


def deliver_due(batch: int = 200) -> dict:
    counts = {"sent": 0, "retry": 0, "dead": 0}
    while True:
        ids = claim(batch)
        for notification_id in ids:
            outcome = deliver(notification_id)
            counts[outcome] = counts.get(outcome, 0) + 1
        if len(ids) < batch:
            return counts


def _template(event: str, kind: str) -> str | None:
    return current_app.config["WECHAT_TEMPLATES"].get(event, {}).get(kind)


def route(note: Notification) -> tuple[str, str | None, str | None]:
    """(channel, recipient, template): the best way to reach this member now."""
    if note.member_id is None:
        return "inbox", None, None
    member = db.session.get(Member, note.member_id)
    oa_template = _template(note.event, "oa")
    if member.oa_openid and oa_template:
        return "template", member.oa_openid, oa_template
    mp_template = _template(note.event, "mp")
    if member.openid and mp_template and db.session.scalar(select(SubscriptionConsent.remaining).where(
            SubscriptionConsent.member_id == member.id, SubscriptionConsent.template_id == mp_template)):
        return "subscribe", member.openid, mp_template
    return "inbox", None, None


def _data(note: Notification, channel: str) -> dict:
    if channel == "template":
        return {"first": {"value": note.title}, "keyword1": {"value": note.body}, "remark": {"value": "党员积分超市"}}
    return {"thing1": {"value": note.title[:20]}, "thing2": {"value": note.body[:20]}}


def deliver(notification_id: int) -> str:
    """Send one message on its channel; returns sent, retry or dead."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.status != "pending":
        return "skipped"
    channel, recipient, template = route(note)
    error, outcome = None, "sent"
    try:
        if channel == "template":
            gateway().send_template(recipient, template, _data(note, channel), note.data.get("page"))
        elif channel == "subscribe":
            gateway().send_subscribe(recipient, template, _data(note, channel), note.data.get("page"))
    except ConsentRefused as e:
        _drop_consent(note.member_id, template)
        error, outcome = str(e), "dead"
    except Undeliverable as e:
        error, outcome = str(e), "dead"
    except RetryLater as e:
        error, outcome = str(e) or "retry later", "retry"
    return _record(note, channel, template, outcome, error)


def _record(note: Notification, channel: str, template: str | None, outcome: str, error: str | None) -> str:
    now = utcnow()
    attempts = note.attempts + 1
    if outcome == "retry" and attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        outcome = "dead"
    values = {"attempts": attempts, "channel": channel, "last_error": error}
    if outcome == "sent":
        values |= {"status": "sent", "sent_at": now}
        if channel == "subscribe":
            _spend_consent(note.member_id, template)
    elif outcome == "dead":
        values |= {"status": "dead"}
    else:
        base, cap = current_app.config["OUTBOX_BACKOFF_BASE"], current_app.config["OUTBOX_BACKOFF_CAP"]
        values |= {"next_attempt_at": now + timedelta(seconds=min(cap, base * 2 ** (attempts - 1)))}
    with committed():
        db.session.execute(update(Notification).where(Notification.id == note.id, Notification.status == "pending")
                           .values(**values))
        db.session.add(DeliveryAttempt(notification_id=note.id, channel=channel, outcome=outcome, error=error,
                                       worker=WORKER, at=now))
    return outcome


def _spend_consent(member_id: int, template_id: str | None) -> None:
    db.session.execute(update(SubscriptionConsent).where(
        SubscriptionConsent.member_id == member_id, SubscriptionConsent.template_id == template_id,
        SubscriptionConsent.remaining > 0).values(remaining=SubscriptionConsent.remaining - 1))


def _drop_consent(member_id: int, template_id: str | None) -> None:
    db.session.execute(update(SubscriptionConsent).where(
        SubscriptionConsent.member_id == member_id, SubscriptionConsent.template_id == template_id)
        .values(remaining=0))


def outbox_summary() -> dict:
    counts = dict(db.session.execute(select(Notification.status, func.count()).group_by(Notification.status)).all())
    oldest = db.session.scalar(select(func.min(Notification.created_at)).where(Notification.status == "pending"))
    return {"counts": {s: counts.get(s, 0) for s in ("pending", "sent", "dead")},
            "oldest_pending_seconds": (utcnow() - oldest).total_seconds() if oldest else 0}


def dead_letters(limit: int = 100) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.status == "dead")
                                   .order_by(Notification.id.desc()).limit(limit)))


def resend(actor: Actor, notification_id: int) -> Notification:
    """Put a dead letter back in the queue (after the cause was fixed); its history stays."""
    note = db.session.get(Notification, notification_id)
    if note is None:
        raise NotFound("unknown_notification")
    with committed():
        moved = db.session.execute(update(Notification).where(Notification.id == note.id, Notification.status == "dead")
                                   .values(status="pending", attempts=0, next_attempt_at=utcnow())).rowcount
        if moved != 1:
            raise Conflict("not_dead")
        audit.record(actor, "outbox.resend", "notification", note.id, {"status": "dead"}, {"status": "pending"})
    db.session.refresh(note)
    return note

