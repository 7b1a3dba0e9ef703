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
