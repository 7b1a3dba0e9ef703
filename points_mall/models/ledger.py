"""The points ledger: append-only entries and the balances they explain."""
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import BigId, UTCDateTime, utcnow

ENTRY_KINDS = ("award", "deduct", "redeem", "refund", "expire", "adjust", "reversal")


class LedgerEntry(db.Model):
    """One fact about a member's points. Never updated; corrected by a reversal."""

    __tablename__ = "ledger_entry"
    __table_args__ = (Index("ix_ledger_entry_member_id_id", "member_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    kind: Mapped[str] = mapped_column(String(20))
    dimension: Mapped[str | None] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    delta_score: Mapped[int] = mapped_column(Integer, default=0)
    delta_spendable: Mapped[int] = mapped_column(Integer, default=0)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("rule.id"), index=True)
    rule_version: Mapped[int | None] = mapped_column(Integer)
    source_type: Mapped[str | None] = mapped_column(String(20))  # activity / redemption / award
    source_id: Mapped[int | None] = mapped_column(BigId)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    actor: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reverses_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ledger_entry.id"), unique=True)
    # Dated inside a period already final (公示 closed), recorded by an admin as a late correction.
    late_correction: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class Balance(db.Model):
    """The spendable balance (超市积分); only ever changed next to a ledger entry."""

    __tablename__ = "balance"
    __table_args__ = (CheckConstraint("spendable >= 0", name="spendable_not_negative"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    spendable: Mapped[int] = mapped_column(Integer, default=0)


class Score(db.Model):
    """The yearly score (年度积分) per dimension; shopping never lowers it."""

    __tablename__ = "score"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(20), primary_key=True)
    score: Mapped[int] = mapped_column(Integer, default=0)


class Award(db.Model):
    """A manual award or deduction for a list of members, applied at once or after approval."""

    __tablename__ = "award"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("rule.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))  # pending / applied / rejected
    proposer: Mapped[str] = mapped_column(String(40))
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lines: Mapped[list["AwardLine"]] = relationship(order_by="AwardLine.member_id", cascade="all, delete-orphan")


class AwardLine(db.Model):
    __tablename__ = "award_line"

    award_id: Mapped[int] = mapped_column(ForeignKey("award.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    points: Mapped[int | None] = mapped_column(Integer)  # what was applied, once applied
    outcome: Mapped[str | None] = mapped_column(String(20))  # applied / cap_reached / duplicate
