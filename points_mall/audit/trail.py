"""The audit trail (操作日志): every staff change and every login attempt, searchable by an admin.

A row is added to the session of the change it describes, so it is committed or rolled back with
it (tx.committed). The client address comes from the route layer through a context variable, so
use cases stay free of Flask's request.
"""
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.audit.models import AuditEntry
from points_mall.people.models import Member, StaffUser
from points_mall.people.access import Actor, require_root
from points_mall.common.clock import utcnow
from points_mall.common.paging import Page, Paged, after_cursor

_client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


def set_client_address(address: str | None) -> None:
    """Called by the route layer at the start (and end) of every request."""
    _client_address.set(address)


def client_address() -> str | None:
    return _client_address.get()


def _plain(value):
    """A value as JSON can hold it."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(obj, fields) -> dict:
    """The given attributes of a row, ready for `before` or `after`."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def _actor_name(kind: str, actor_id: int | None) -> str:
    if kind == "staff":
        return db.session.scalar(select(StaffUser.username).where(StaffUser.id == actor_id)) or ""
    if kind == "member":
        return db.session.scalar(select(Member.name).where(Member.id == actor_id)) or ""
    return "系统" if kind == "system" else ""


def record(actor: Actor | None, action: str, entity: str, entity_id: int | None,
           before: dict | None = None, after: dict | None = None, *, actor_name: str | None = None) -> AuditEntry:
    """Add one audit row to the current transaction. Given both before and after (an edit), only
    the fields that changed are kept; an edit that changed nothing still leaves a row saying so."""
    before, after = _plain(before), _plain(after)
    if before is not None and after is not None:
        changed = [k for k in after if before.get(k) != after[k]]
        before, after = {k: before[k] for k in changed if k in before}, {k: after[k] for k in changed}
    kind, actor_id = (actor.kind, actor.id) if actor is not None else ("anonymous", None)
    entry = AuditEntry(at=utcnow(), actor_kind=kind, actor_id=actor_id if kind != "system" else None,
                       actor_name=(actor_name if actor_name is not None else _actor_name(kind, actor_id))[:100],
                       address=client_address(), action=action, entity=entity, entity_id=entity_id,
                       before=before, after=after)
    db.session.add(entry)
    return entry


def login(action: str, key: str | None, outcome: str, actor: Actor | None = None, name: str | None = None) -> None:
    """A login attempt, kept whatever its outcome: the username or openid tried, never a password."""
    entity = "staff_user" if action == "staff-login" else "member"
    key = key[:100] if key else key
    record(actor, action, entity, actor.id if actor else None, after={"key": key, "outcome": outcome},
           actor_name=name if name is not None else (key or ""))


def search(actor: Actor, page: Page, *, actor_key: str | None = None, entity: str | None = None,
           entity_id: int | None = None, action: str | None = None, start: datetime | None = None,
           end: datetime | None = None) -> Paged:
    """Rows newest first, for an admin over the whole tree; the cursor is the last id seen.
    actor is "staff:3" (a kind and id) or part of a name."""
    require_root(actor)
    query = select(AuditEntry)
    if actor_key:
        kind, _, number = actor_key.partition(":")
        if kind in ("staff", "member", "system", "anonymous") and number.isdigit() and int(number) < 2**31:
            query = query.where(AuditEntry.actor_kind == kind, AuditEntry.actor_id == int(number))
        else:
            query = query.where(AuditEntry.actor_name.contains(actor_key, autoescape=True))
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if start is not None:
        query = query.where(AuditEntry.at >= start)
    if end is not None:
        if end < (start or end):
            raise DomainError("invalid_time")
        query = query.where(AuditEntry.at < end)
    if page.cursor:
        query = query.where(AuditEntry.id < page.cursor)
    return after_cursor(list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(page.limit + 1))), page)
