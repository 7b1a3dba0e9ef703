"""The console's log-in by WeChat QR scan: the console asks for a ticket and shows it as a QR code; a
member who holds a grant scans it with WeChat, which opens the members' web pages (logged in by the
public account's OAuth); the member confirms, and the console, polling, takes a member token once.

A ticket is 32 random bytes, good for 2 minutes and one log-in. Only its SHA-256 is stored, in the
database, so every worker sees it (the embedded default has no Redis)."""
import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.accounts.models import ConsoleTicket
from points_mall.people.models import Grant, Member
from points_mall.audit import trail as audit
from points_mall.activities import codes
from points_mall.people.access import Actor, load_actor, member_key
from points_mall.accounts.auth import member_token
from points_mall.common.clock import local, utcnow
from points_mall.common.tx import committed

TTL = timedelta(minutes=2)
TICKET = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
OPEN = ("pending", "scanned")


def _key(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def _seconds_left(row: ConsoleTicket) -> int:
    return max(0, int((row.expires_at - utcnow()).total_seconds()))


def create(user_agent: str | None, address: str | None) -> dict:
    """A new ticket for a console's log-in page: the link to put in a QR code, and the code as SVG."""
    ticket = secrets.token_urlsafe(32)
    now = utcnow()
    with committed():
        # Tickets are worthless once expired; an hour later they are forgotten.
        db.session.execute(delete(ConsoleTicket).where(ConsoleTicket.expires_at < now - timedelta(hours=1)))
        db.session.add(ConsoleTicket(key=_key(ticket), status="pending", user_agent=(user_agent or "")[:300],
                                     address=(address or None) and address[:64], created_at=now,
                                     expires_at=now + TTL))
    url = f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/m/console-login?t={ticket}"
    return {"ticket": ticket, "url": url, "qr_svg": codes.svg(url), "expires_in": int(TTL.total_seconds())}


def _find(ticket: str) -> ConsoleTicket:
    row = db.session.get(ConsoleTicket, _key(ticket)) if TICKET.match(ticket or "") else None
    if row is None:
        raise DomainError("unknown_console_ticket")
    return row


def _expired(row: ConsoleTicket) -> bool:
    return row.status == "delivered" or row.expires_at <= utcnow()


def poll(ticket: str) -> dict:
    """What became of the ticket. The first poll after the member confirmed takes the token; a ticket
    whose token was taken is spent and reads as expired."""
    row = _find(ticket)
    if _expired(row):
        return {"status": "expired", "expires_in": 0}
    if row.status != "confirmed":
        return {"status": row.status, "expires_in": _seconds_left(row)}
    taken = db.session.execute(update(ConsoleTicket).where(
        ConsoleTicket.key == row.key, ConsoleTicket.status == "confirmed", ConsoleTicket.expires_at > utcnow()
    ).values(status="delivered").execution_options(synchronize_session=False))
    if taken.rowcount != 1:  # another poll took it first
        db.session.rollback()
        return {"status": "expired", "expires_in": 0}
    member = db.session.get(Member, row.member_id)
    db.session.commit()
    return {"status": "confirmed", "expires_in": 0, "token": member_token(member),
            "roles": load_actor("member", member.id).roles}


def _usable(row: ConsoleTicket, member_id: int) -> None:
    if _expired(row):
        raise DomainError("console_ticket_expired")
    if row.status not in OPEN or (row.member_id is not None and row.member_id != member_id):
        raise DomainError("console_ticket_used")


def _move(row: ConsoleTicket, member_id: int, status: str) -> None:
    """pending/scanned → status, for this member only, in one statement (two phones racing: one wins)."""
    moved = db.session.execute(update(ConsoleTicket).where(
        ConsoleTicket.key == row.key, ConsoleTicket.status.in_(OPEN), ConsoleTicket.expires_at > utcnow(),
        or_(ConsoleTicket.member_id.is_(None), ConsoleTicket.member_id == member_id),
    ).values(status=status, member_id=member_id).execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        raise DomainError("console_ticket_used")


def _holds_grant(member_id: int) -> bool:
    return db.session.scalar(select(Grant.id).where(Grant.member_id == member_id).limit(1)) is not None


def _member(member_id: int) -> Member:
    member = db.session.get(Member, member_id)
    if member is None or member.status != "active":
        raise DomainError("member_inactive")
    return member


def scan(ticket: str, member_id: int) -> dict:
    """The member opened the ticket's link: what to show them (which browser asks, since when)."""
    row = _find(ticket)
    _member(member_id)
    _usable(row, member_id)
    with committed():
        _move(row, member_id, "scanned")
    roles = load_actor("member", member_id).roles
    return {"status": "scanned", "browser": describe_browser(row.user_agent), "address": row.address,
            "requested_at": local(row.created_at), "expires_in": _seconds_left(row), "roles": roles,
            "can_confirm": bool(roles)}


def confirm(ticket: str, member_id: int) -> dict:
    """The member confirms: they must hold a grant. Every confirmation is kept in the audit trail."""
    row = _find(ticket)
    member = _member(member_id)
    _usable(row, member_id)
    key = member.oa_openid or member.openid or member_key(member.id)
    if not _holds_grant(member_id):
        with committed():
            audit.login("console-login", key, "no_console_grant", Actor("member", member.id), member.name)
        raise DomainError("no_console_grant")
    with committed():
        _move(row, member_id, "confirmed")
        audit.login("console-login", key, "success", Actor("member", member.id), member.name)
    return {"status": "confirmed"}


def refuse(ticket: str, member_id: int) -> dict:
    """The member says it was not them: the console is told, nobody logs in."""
    row = _find(ticket)
    member = _member(member_id)
    _usable(row, member_id)
    with committed():
        _move(row, member_id, "refused")
        audit.login("console-login", member.oa_openid or member.openid or member_key(member.id), "refused",
                    Actor("member", member.id), member.name)
    return {"status": "refused"}


_BROWSERS = (("MicroMessenger", "微信"), ("Edg", "Edge"), ("OPR", "Opera"), ("Firefox", "Firefox"),
             ("Chrome", "Chrome"), ("Version", "Safari"))
_SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe_browser(user_agent: str) -> str:
    """"Chrome 131 · Windows" from a User-Agent: enough for a member to recognise their computer."""
    ua = user_agent or ""
    name = next((f"{label} {m.group(1)}" for token, label in _BROWSERS
                 if (m := re.search(rf"\b{token}/(\d+)", ua))), "")
    system = next((label for token, label in _SYSTEMS if token in ua), "")
    return " · ".join(part for part in (name, system) if part) or "未知浏览器"
