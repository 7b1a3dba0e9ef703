"""The notification outbox, which is also the member's in-app inbox."""
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from points_mall.extensions import db
from points_mall.common.types import UTCDateTime, utcnow


class Notification(db.Model):
    """Written in the same transaction as its cause; delivered later by the worker."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    event: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending / sent / dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[str | None] = mapped_column(String(20))  # template / subscribe / inbox / console
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    history: Mapped[list["DeliveryAttempt"]] = relationship(order_by="DeliveryAttempt.id", viewonly=True)


class DeliveryAttempt(db.Model):
    """One try at pushing a notification out; the history an admin reads for a dead letter."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    notification_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("notification.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))  # sent / retry / refused / failed
    error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str] = mapped_column(String(80), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SubscriptionConsent(db.Model):
    """Mini-program subscribe messages the member accepted: one accept = one message."""

    __tablename__ = "subscription_consent"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    template_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    remaining: Mapped[int] = mapped_column(Integer, default=0)
