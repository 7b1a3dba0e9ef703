"""Points rules (积分细则) and the ledger: append-only entries and the balances they explain."""
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, event, insert
from sqlalchemy.orm import Mapped, mapped_column, relationship

from points_mall.extensions import db
from points_mall.common.types import UTCDateTime, utcnow

ENTRY_KINDS = ("award", "deduct", "redeem", "refund", "expire", "adjust", "reversal")


class LedgerEntry(db.Model):
    """One fact about a member's points. Never updated; corrected by a reversal."""

    __tablename__ = "ledger_entry"
    __table_args__ = (Index("ix_ledger_entry_member_id_id", "member_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    kind: Mapped[str] = mapped_column(String(20))
    dimension: Mapped[str | None] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    delta_score: Mapped[int] = mapped_column(Integer, default=0)
    delta_spendable: Mapped[int] = mapped_column(Integer, default=0)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("rule.id"), index=True)
    rule_version: Mapped[int | None] = mapped_column(Integer)
    source_type: Mapped[str | None] = mapped_column(String(20))  # activity / redemption / award
    source_id: Mapped[int | None] = mapped_column(BigInteger)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    actor: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reverses_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("ledger_entry.id"), unique=True)
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


# 学习, 服务, 业绩, 道德, 廉洁
DIMENSIONS = ("study", "service", "performance", "morality", "integrity")
CAP_PERIODS = ("day", "month", "year")


class Rule(db.Model):
    __tablename__ = "rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    dimension: Mapped[str] = mapped_column(String(20))
    points: Mapped[int] = mapped_column(Integer)  # negative: a deduction
    cap_period: Mapped[str | None] = mapped_column(String(10))
    cap: Mapped[int | None] = mapped_column(Integer)  # most points (absolute) per member and period
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Members may declare items under it (积分申报), reviewed by their branch's organizer.
    declarable: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # Editing points or caps makes a new version (rule_version); entries keep the one they were posted under.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class RuleVersion(db.Model):
    """A rule as it stood from one edit to the next; entries keep the version they were posted under."""

    __tablename__ = "rule_version"

    rule_id: Mapped[int] = mapped_column(ForeignKey("rule.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    points: Mapped[int] = mapped_column(Integer)
    cap_period: Mapped[str | None] = mapped_column(String(10))
    cap: Mapped[int | None] = mapped_column(Integer)
    needs_approval: Mapped[bool] = mapped_column(default=False)
    declarable: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(Rule, "after_insert")
def _first_version(mapper, connection, rule: Rule) -> None:
    """A rule is born as its version 1, however it was made (the API, the demo, an import)."""
    connection.execute(insert(RuleVersion).values(
        rule_id=rule.id, version=rule.version or 1, name=rule.name, points=rule.points, cap_period=rule.cap_period,
        cap=rule.cap, needs_approval=bool(rule.needs_approval), declarable=bool(rule.declarable), created_at=utcnow()))
