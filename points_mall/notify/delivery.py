"""Delivering the outbox: every notification ends `sent` or `dead`, every attempt recorded.

A worker claims due messages with a lease (so a killed worker's messages come back to the
queue), sends each on the member's best channel — a template message to a public-account
follower, else a mini-program subscribe message while a consent is left, else the in-app inbox
alone — and records the outcome. A member WeChat finds not following (43004) falls back the same
way; a check-in is never pushed and a broadcast only to those who subscribed; past the day's cap
messages wait for the next day. A batch is sent by a few threads at once over kept-alive
connections, each member's messages in the order they were written. Delivery is at least once; a
template message's client_msg_id (the outbox row's) lets WeChat drop the repeat of a retried send.
"""
import logging
import os
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, case, func, insert, select, text, update
from sqlalchemy.orm import aliased

from points_mall.errors import Conflict, NotFound
from points_mall.extensions import db
from points_mall.notify import templates
from points_mall.notify.models import DeliveryAttempt, Notification, SubscriptionConsent
from points_mall.notify.quota import Quota
from points_mall.notify.templates import Template
from points_mall.people.models import Member
from points_mall.wechat import ConsentRefused, NotFollowing, RetryLater, Undeliverable, gateway
from points_mall.audit import trail as audit
from points_mall.people.access import Actor
from points_mall.common.clock import utcnow, zone
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
    counts = {"sent": 0, "retry": 0, "dead": 0}  # and "held" once the daily cap is reached
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
    template: Template | None = None
    # sent / retry / dead / refused (43101) / held (the day's cap) / deferred (behind an earlier one that waits)
    outcome: str = "sent"
    error: str | None = None
    # The subscribe message to try when WeChat says the member does not follow (chosen only then, so a
    # consent is not spent on a member the template message reached).
    fallback: Callable[[], "_Send | None"] | None = None
    not_following: str | None = None  # WeChat's 43004, when the template message found no follower


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
    wire = _Wire(gateway(), Quota(), current_app.config["PUBLIC_BASE_URL"].rstrip("/"), zone())
    pushes = [q for q in queues.values() if any(s.channel in PUSHED for s in q)]
    if pushes:
        parallel = min(len(pushes), current_app.config["OUTBOX_SEND_PARALLEL"])
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            list(pool.map(lambda queue: _send_in_turn(wire, queue), pushes))
    return _record(sends, wire.quota.resets_at)


@dataclass(frozen=True)
class _Wire:
    """What the sending threads need of the app (they run without its context)."""

    client: object
    quota: Quota
    base_url: str  # PUBLIC_BASE_URL: template messages open the member's page there
    zone: ZoneInfo


PUSHED = ("template", "subscribe")
# Not pushed at all: the check-in page already says 签到成功, so the inbox is enough.
INBOX_ONLY = ("checked_in",)
# Told to everyone in a branch or the park: template messages are not for broadcast, so only members
# who asked for it (a subscribe consent) get a push; everyone has it in the inbox.
BROADCAST = ("activity_published",)


def _route(notes: list[Notification]) -> list[_Send]:
    """The best way to reach each member now: a template message to a follower of the public account,
    else a subscribe message while a consent is left (each message uses one), else the inbox alone."""
    member_ids = {n.member_id for n in notes if n.member_id is not None}
    members = {r.id: r for r in db.session.execute(
        select(Member.id, Member.openid, Member.oa_openid, Member.oa_unreachable_since)
        .where(Member.id.in_(member_ids)))}
    find = partial(templates.find, current_app._get_current_object())  # also used by the sending threads
    mp_templates = {t.id for n in notes if (t := find(n.event, "mp"))}
    consents = {(r.member_id, r.template_id): r.remaining for r in db.session.execute(
        select(SubscriptionConsent.member_id, SubscriptionConsent.template_id, SubscriptionConsent.remaining)
        .where(SubscriptionConsent.member_id.in_(member_ids), SubscriptionConsent.template_id.in_(mp_templates)))
    } if mp_templates and member_ids else {}

    def subscribe(note, member) -> _Send | None:
        mp = find(note.event, "mp")
        if member.openid and mp and consents.get((member.id, mp.id), 0) > 0:
            consents[(member.id, mp.id)] -= 1
            return _Send(note, "subscribe", member.openid, mp)
        return None

    sends = []
    for note in notes:
        member = members.get(note.member_id)
        oa = find(note.event, "oa")
        if member is None or note.event in INBOX_ONLY:
            sends.append(_Send(note, "inbox"))
        elif member.oa_openid and oa and member.oa_unreachable_since is None and note.event not in BROADCAST:
            sends.append(_Send(note, "template", member.oa_openid, oa, fallback=partial(subscribe, note, member)))
        else:
            sends.append(subscribe(note, member) or _Send(note, "inbox"))
    return sends


PAGES = (("redemption_id", "/m/orders/{}"), ("activity_id", "/m/activities/{}"), ("declaration_id", "/m/declarations/{}"),
         ("entry_id", "/m/points"), ("award_id", "/m/points"))


def member_page(note: Notification) -> str:
    """The member's page for the message (a template message opens it): the order, the activity, the
    points, else the inbox."""
    data = note.data or {}
    for key, path in PAGES:
        if data.get(key) is not None:
            return path.format(data[key])
    return "/m/messages"


def client_msg_id(note: Notification) -> str:
    """WeChat drops a second message with this id within 10 minutes: the outbox row's, so a retry
    (or a second worker after one that died mid-send) repeats it."""
    return f"pm-notification-{note.id}"


def _send_in_turn(wire: _Wire, queue: list[_Send]) -> None:
    """One member's messages, in order (runs in a sending thread: HTTP and Redis only, no database)."""
    waiting = False
    for send in queue:
        if waiting:
            send.outcome = "deferred"
            continue
        _push(wire, send)
        if send.not_following and send.outcome == "sent":
            fallback = send.fallback()
            if fallback is not None:
                send.channel, send.recipient, send.template = "subscribe", fallback.recipient, fallback.template
                _push(wire, send)
            else:
                send.channel = "inbox"
        waiting = send.outcome in ("retry", "held")


def _push(wire: _Wire, send: _Send) -> None:
    """One try on the send's channel; its outcome and error are left on it."""
    if send.channel not in PUSHED:
        return
    if not wire.quota.take(send.channel):
        send.outcome, send.error = "held", "daily cap reached"
        return
    note, client = send.note, wire.client
    try:
        data = templates.render(send.template, note, wire.zone)
        if send.channel == "template":
            client.send_template(send.recipient, send.template.id, data, wire.base_url + member_page(note),
                                 client_msg_id(note))
        else:
            client.send_subscribe(send.recipient, send.template.id, data, note.data.get("page"))
        send.outcome, send.error = "sent", None
    except NotFollowing as e:  # not dead: the inbox has it, and a subscribe message may still reach them
        send.outcome, send.not_following = "sent", str(e)
    except ConsentRefused as e:
        send.outcome, send.error = "refused", str(e)
    except Undeliverable as e:
        send.outcome, send.error = "dead", str(e)
    except RetryLater as e:
        send.outcome, send.error = "retry", str(e) or "retry later"
    except Exception as e:  # a bug or an unexpected answer must not lose the rest of the batch
        log.exception("sending notification %s failed", note.id)
        send.outcome, send.error = "retry", type(e).__name__


def _record(sends: list[_Send], resets_at: datetime) -> dict[int, str]:
    """Every outcome, attempt and consent change of the batch in one transaction. A message held back
    by the daily cap waits for the next day, uncounted, and so do the member's ones behind it."""
    now = utcnow()
    config = current_app.config
    rows, attempts, consents_used, consents_refused, outcomes = [], [], {}, set(), {}
    retry_at: dict[object, datetime] = {}
    not_following = set()
    for send in sends:
        note = send.note
        row = {"nid": note.id, "status": "pending", "attempts": note.attempts, "channel": note.channel,
               "last_error": note.last_error, "sent_at": note.sent_at, "next_attempt_at": note.next_attempt_at}
        if send.outcome in ("deferred", "held"):
            if send.outcome == "held":
                retry_at[note.member_id] = resets_at
                outcomes[note.id] = "held"
            row["next_attempt_at"] = retry_at.get(note.member_id, now)
            rows.append(row)
            continue
        if send.not_following:
            not_following.add(note.member_id)
            attempts.append({"notification_id": note.id, "channel": "template", "outcome": "not_following",
                             "error": send.not_following, "worker": WORKER, "at": now})
        outcome = "dead" if send.outcome == "refused" else send.outcome
        tries = note.attempts + 1
        if outcome == "retry" and tries >= config["OUTBOX_MAX_ATTEMPTS"]:
            outcome = "dead"
        row |= {"attempts": tries, "channel": send.channel, "last_error": send.error}
        if outcome == "sent":
            row |= {"status": "sent", "sent_at": now}
            if send.channel == "subscribe":
                used = (note.member_id, send.template.id)
                consents_used[used] = consents_used.get(used, 0) + 1
        elif outcome == "dead":
            row["status"] = "dead"
            if send.outcome == "refused":
                consents_refused.add((note.member_id, send.template.id))
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
        if not_following:
            db.session.execute(update(Member).where(Member.id.in_(not_following)).values(oa_unreachable_since=now))
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
    quota = Quota()
    return {"counts": {s: counts.get(s, 0) for s in ("pending", "sent", "dead")},
            "oldest_pending_seconds": (utcnow() - oldest).total_seconds() if oldest else 0,
            "sent_today": {api: quota.sent_today(api) for api in PUSHED}, "daily_cap": quota.cap}


def dead_letters(limit: int = 100) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.status == "dead")
                                   .order_by(Notification.id.desc()).limit(limit)))


def unreachable(limit: int = 100) -> list[dict]:
    """Members WeChat cannot push to (43004: they do not follow the public account), newest first: they
    read their messages only in the inbox, or by a subscribe message they accepted; staff may ask them
    to follow the account."""
    rows = db.session.execute(select(Member.id, Member.name, Member.org_id, Member.oa_unreachable_since)
                              .where(Member.oa_unreachable_since.is_not(None))
                              .order_by(Member.oa_unreachable_since.desc(), Member.id).limit(limit))
    return [{"member_id": r.id, "name": r.name, "org_id": r.org_id, "since": r.oa_unreachable_since} for r in rows]


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

