"""Delivering the outbox: every notification ends `sent` or `dead`, every attempt recorded.

A worker claims due messages with a lease (so a killed worker's messages come back to the
queue), sends each on the member's best channel — a template message to a public-account
follower, else a mini-program subscribe message while a consent is left, else the in-app inbox
alone — and records the outcome. A batch is sent by a few threads at once over kept-alive
connections, each member's messages in the order they were written. Delivery is at least once: a worker killed after WeChat
accepted a message but before it recorded that may cause one duplicate push.
"""
import logging
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, case, func, insert, select, text, update
from sqlalchemy.orm import aliased

from points_mall.errors import Conflict, NotFound
from points_mall.extensions import db
from points_mall.notify.models import DeliveryAttempt, Notification, SubscriptionConsent
from points_mall.people.models import Member
from points_mall.wechat import ConsentRefused, RetryLater, Undeliverable, gateway
from points_mall.audit import trail as audit
from points_mall.people.access import Actor
from points_mall.common.clock import utcnow
from points_mall.common.tx import committed

log = logging.getLogger(__name__)
WORKER = f"{socket.gethostname()}:{os.getpid()}"


def claim(batch: int) -> list[int]:
    """Take up to `batch` due messages for this worker; others skip them (SKIP LOCKED).

    A member's messages go out in the order written, across workers too: a message is not taken while
    an earlier one of the same member is still pending and not due (leased by another worker, or
    waiting for its retry). The claims of all workers take turns (a transaction-level
    advisory lock: short, and kept by PgBouncer's transaction mode), so each sees the leases of the one
    before; without it two claims at once could each take one of a member's messages."""
    now = utcnow()
    earlier = aliased(Notification)
    behind_another = (select(earlier.id).where(earlier.member_id == Notification.member_id,
                                               earlier.status == "pending", earlier.id < Notification.id,
                                               earlier.next_attempt_at > now).exists())
    query = (select(Notification.id).where(Notification.status == "pending", Notification.next_attempt_at <= now,
                                           ~behind_another)
             .order_by(Notification.next_attempt_at, Notification.id).limit(batch).with_for_update(skip_locked=True))
    with committed():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK})
        ids = list(db.session.scalars(query))
        if ids:
            lease = now + timedelta(seconds=current_app.config["OUTBOX_LEASE"])
            db.session.execute(update(Notification).where(Notification.id.in_(ids)).values(next_attempt_at=lease))
    return ids


CLAIM_LOCK = 0x6F7574626F78  # "outbox": the one advisory lock the service takes


def deliver_due(batch: int = 200) -> dict:
    counts = {"sent": 0, "retry": 0, "dead": 0}
    while True:
        ids = claim(batch)
        for outcome in deliver_batch(ids).values():
            counts[outcome] = counts.get(outcome, 0) + 1
        if len(ids) < batch:
            return counts


def deliver(notification_id: int) -> str:
    """Send one message on its channel; returns sent, retry, dead (or skipped: not pending)."""
    return deliver_batch([notification_id]).get(notification_id, "skipped")


@dataclass
class _Send:
    """One message on its way: where it goes, and (once tried) how it went."""

    note: Notification
    channel: str
    recipient: str | None = None
    template: str | None = None
    outcome: str = "sent"  # sent / retry / dead / deferred (behind an earlier message that must be retried)
    error: str | None = None


def deliver_batch(ids: list[int]) -> dict[int, str]:
    """Deliver claimed messages: routed with two queries, sent in parallel over kept-alive connections
    (at most OUTBOX_SEND_PARALLEL at once), recorded in one transaction. A member's messages go out
    one after another in the order they were written; when one must be retried, the ones behind it
    wait for it (deferred, no attempt counted), so nobody reads "points spent" before "points earned"."""
    notes = list(db.session.scalars(select(Notification).where(Notification.id.in_(ids),
                                                               Notification.status == "pending")
                                    .order_by(Notification.id)))
    if not notes:
        return {}
    sends = _route(notes)
    queues: dict[object, list[_Send]] = {}
    for send in sends:
        queues.setdefault(send.note.member_id or ("staff", send.note.id), []).append(send)
    client = gateway()
    pushes = [q for q in queues.values() if any(s.channel in PUSHED for s in q)]
    if pushes:
        parallel = min(len(pushes), current_app.config["OUTBOX_SEND_PARALLEL"])
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            list(pool.map(lambda queue: _send_in_turn(client, queue), pushes))
    return _record(sends)


PUSHED = ("template", "subscribe")


def _template(event: str, kind: str) -> str | None:
    return current_app.config["WECHAT_TEMPLATES"].get(event, {}).get(kind)


def _route(notes: list[Notification]) -> list[_Send]:
    """The best way to reach each member now: a template message to a follower of the public account,
    else a subscribe message while a consent is left (each message uses one), else the inbox alone."""
    member_ids = {n.member_id for n in notes if n.member_id is not None}
    members = {r.id: r for r in db.session.execute(
        select(Member.id, Member.openid, Member.oa_openid).where(Member.id.in_(member_ids)))}
    mp_templates = {t for n in notes if (t := _template(n.event, "mp"))}
    consents = {(r.member_id, r.template_id): r.remaining for r in db.session.execute(
        select(SubscriptionConsent.member_id, SubscriptionConsent.template_id, SubscriptionConsent.remaining)
        .where(SubscriptionConsent.member_id.in_(member_ids), SubscriptionConsent.template_id.in_(mp_templates)))
    } if mp_templates and member_ids else {}
    sends = []
    for note in notes:
        member = members.get(note.member_id)
        oa_template, mp_template = _template(note.event, "oa"), _template(note.event, "mp")
        if member is not None and member.oa_openid and oa_template:
            sends.append(_Send(note, "template", member.oa_openid, oa_template))
        elif member is not None and member.openid and mp_template and consents.get((member.id, mp_template), 0) > 0:
            consents[(member.id, mp_template)] -= 1
            sends.append(_Send(note, "subscribe", member.openid, mp_template))
        else:
            sends.append(_Send(note, "inbox"))
    return sends


def _data(note: Notification, channel: str) -> dict:
    if channel == "template":
        return {"first": {"value": note.title}, "keyword1": {"value": note.body}, "remark": {"value": "党员积分超市"}}
    return {"thing1": {"value": note.title[:20]}, "thing2": {"value": note.body[:20]}}


def _send_in_turn(client, queue: list[_Send]) -> None:
    """One member's messages, in order (runs in a sending thread: HTTP only, no database)."""
    waiting = False
    for send in queue:
        if waiting:
            send.outcome = "deferred"
            continue
        try:
            if send.channel == "template":
                client.send_template(send.recipient, send.template, _data(send.note, "template"),
                                     send.note.data.get("page"))
            elif send.channel == "subscribe":
                client.send_subscribe(send.recipient, send.template, _data(send.note, "subscribe"),
                                      send.note.data.get("page"))
        except ConsentRefused as e:
            send.outcome, send.error = "refused", str(e)
        except Undeliverable as e:
            send.outcome, send.error = "dead", str(e)
        except RetryLater as e:
            send.outcome, send.error = "retry", str(e) or "retry later"
            waiting = True
        except Exception as e:  # a bug or an unexpected answer must not lose the rest of the batch
            log.exception("sending notification %s failed", send.note.id)
            send.outcome, send.error = "retry", type(e).__name__
            waiting = True


def _record(sends: list[_Send]) -> dict[int, str]:
    """Every outcome, attempt and consent change of the batch in one transaction."""
    now = utcnow()
    config = current_app.config
    rows, attempts, consents_used, consents_refused, outcomes = [], [], {}, set(), {}
    retry_at: dict[object, datetime] = {}
    for send in sends:
        note = send.note
        row = {"nid": note.id, "status": "pending", "attempts": note.attempts, "channel": note.channel,
               "last_error": note.last_error, "sent_at": note.sent_at, "next_attempt_at": note.next_attempt_at}
        if send.outcome == "deferred":
            row["next_attempt_at"] = retry_at.get(note.member_id, now)
            rows.append(row)
            continue
        outcome = "dead" if send.outcome == "refused" else send.outcome
        tries = note.attempts + 1
        if outcome == "retry" and tries >= config["OUTBOX_MAX_ATTEMPTS"]:
            outcome = "dead"
        row |= {"attempts": tries, "channel": send.channel, "last_error": send.error}
        if outcome == "sent":
            row |= {"status": "sent", "sent_at": now}
            if send.channel == "subscribe":
                consents_used[(note.member_id, send.template)] = consents_used.get((note.member_id, send.template), 0) + 1
        elif outcome == "dead":
            row["status"] = "dead"
            if send.outcome == "refused":
                consents_refused.add((note.member_id, send.template))
        else:
            base, cap = config["OUTBOX_BACKOFF_BASE"], config["OUTBOX_BACKOFF_CAP"]
            row["next_attempt_at"] = retry_at[note.member_id] = now + timedelta(seconds=min(cap, base * 2 ** (tries - 1)))
        rows.append(row)
        attempts.append({"notification_id": note.id, "channel": send.channel, "outcome": outcome,
                         "error": send.error, "worker": WORKER, "at": now})
        outcomes[note.id] = outcome
    table = Notification.__table__
    with committed():
        db.session.execute(table.update().where(table.c.id == bindparam("nid"), table.c.status == "pending")
                           .values(status=bindparam("status"), attempts=bindparam("attempts"),
                                   channel=bindparam("channel"), last_error=bindparam("last_error"),
                                   sent_at=bindparam("sent_at"), next_attempt_at=bindparam("next_attempt_at")), rows)
        if attempts:
            db.session.execute(insert(DeliveryAttempt), attempts)
        for (member_id, template_id), used in consents_used.items():
            _spend_consent(member_id, template_id, used)
        for member_id, template_id in consents_refused:
            _drop_consent(member_id, template_id)
    return outcomes


def _spend_consent(member_id: int, template_id: str | None, used: int = 1) -> None:
    db.session.execute(update(SubscriptionConsent).where(
        SubscriptionConsent.member_id == member_id, SubscriptionConsent.template_id == template_id,
        SubscriptionConsent.remaining > 0).values(remaining=case((SubscriptionConsent.remaining > used, SubscriptionConsent.remaining - used), else_=0)))


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

