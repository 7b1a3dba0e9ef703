"""Log-in tickets of the console's WeChat QR log-in: short-lived, single-use, kept in the database so
every worker sees them (the embedded default has no Redis)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from points_mall.extensions import db
from points_mall.common.types import UTCDateTime, utcnow


class ConsoleTicket(db.Model):
    """One QR code on a console's log-in page. The ticket itself is never stored, only its SHA-256:
    pending → scanned (a member opened it) → confirmed | refused; delivered once the console took its token."""

    __tablename__ = "console_ticket"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SmsCode(db.Model):
    """A code sent by SMS to a registered phone to prove it is the member's: short-lived, single-use,
    dead after a few wrong tries. Only its HMAC is stored."""

    __tablename__ = "sms_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    tries: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BindingCode(db.Model):
    """A one-time 绑定码 for one member: issued by staff in scope (for a member without a phone of their
    own, or to move the member to a new WeChat) or by the member on the WeChat already bound. Only its
    HMAC is stored; a newer code for the member replaces the older one."""

    __tablename__ = "binding_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    issued_by: Mapped[str] = mapped_column(String(40))  # an actor key: staff:3 or member:7
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
