"""The points year (积分年度): declarations, 公示 with appeals, settlement, opening balances."""
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy import func
from sqlalchemy.orm import Mapped, mapped_column

from points_mall.extensions import db
from points_mall.points.models import LedgerEntry
from points_mall.people.models import Member
from points_mall.common.types import UTCDateTime, utcnow

DECLARATION_STATUSES = ("submitted", "returned", "approved", "rejected")
SETTLEMENT_MODES = ("keep", "clear_all", "clear_older")


class Declaration(db.Model):
    """积分申报: a member declares an item earned outside organised events, under a declarable rule,
    with photos as evidence; the branch's organizer approves (posting once), rejects, or returns it.
    One per member, rule and date: a resubmission changes the same row."""

    __tablename__ = "declaration"
    __table_args__ = (UniqueConstraint("member_id", "rule_id", "occurred_on", name="uq_declaration_item"),
                      Index("ix_declaration_org_status", "org_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))  # the member's branch when declaring
    rule_id: Mapped[int] = mapped_column(ForeignKey("rule.id"))
    occurred_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    photos: Mapped[list] = mapped_column(JSON, default=list)  # storage keys
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    note: Mapped[str] = mapped_column(Text, default="")  # the organizer's reason (reject / return)
    points: Mapped[int | None] = mapped_column(Integer)  # what was posted
    entry_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("ledger_entry.id"))
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Publicity(db.Model):
    """积分公示: a branch's score sheet for a period, published with a window for appeals.
    When the window closes (closes_at) the period is final for that branch's subtree."""

    __tablename__ = "publicity"
    __table_args__ = (UniqueConstraint("org_id", "period", "period_start", name="uq_publicity_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    period: Mapped[str] = mapped_column(String(10))  # month / quarter / year
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # exclusive
    title: Mapped[str] = mapped_column(String(100), default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    published_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Appeal(db.Model):
    """积分申诉: during a 公示 window a member objects to an entry, or to an award that is missing.
    The organizer corrects through the ledger (once) or refuses with a reason; a correction beyond what the
    appealed item gave or took waits (pending) for a second organizer. One appeal per 公示, member and item,
    open or closed (the partial unique indexes have the last word under a race)."""

    __tablename__ = "appeal"
    __table_args__ = (
        Index("uq_appeal_entry", "publicity_id", "member_id", "entry_id", unique=True,
              postgresql_where=text("entry_id IS NOT NULL")),
        Index("uq_appeal_rule", "publicity_id", "member_id", "rule_id", unique=True,
              postgresql_where=text("entry_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    publicity_id: Mapped[int] = mapped_column(ForeignKey("publicity.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("ledger_entry.id"))  # None: a missing award
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("rule.id"))
    reason: Mapped[str] = mapped_column(Text)
    photos: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="open")
    resolution: Mapped[str] = mapped_column(Text, default="")
    correction_entry_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("ledger_entry.id"), unique=True)
    proposed_delta: Mapped[int | None] = mapped_column(Integer)  # a correction waiting for a second organizer
    proposed_by: Mapped[str | None] = mapped_column(String(40))
    resolved_by: Mapped[str | None] = mapped_column(String(40))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SettlementPolicy(db.Model):
    """年度结算: what happens to an organisation's members' spendable points at the turn of the year.
    The nearest policy up the tree applies; none means keep."""

    __tablename__ = "settlement_policy"

    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(20))  # keep / clear_all / clear_older
    months: Mapped[int | None] = mapped_column(Integer)  # clear_older: what was earned more than N months ago
    notice_days: Mapped[int] = mapped_column(Integer, default=30)
    updated_by: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SettlementRun(db.Model):
    """One run of a year's settlement (by the scheduled job, the CLI or an admin) and what it expired."""

    __tablename__ = "settlement_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    trigger: Mapped[str] = mapped_column(String(20))  # job / cli / console
    actor: Mapped[str | None] = mapped_column(String(40))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("org.id"))  # the subtree settled; None: the whole tree
    status: Mapped[str] = mapped_column(String(20), default="running")  # running / done / failed
    members_checked: Mapped[int] = mapped_column(Integer, default=0)
    members_expired: Mapped[int] = mapped_column(Integer, default=0)
    points_expired: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SettlementNotice(db.Model):
    """The notice of what will lapse at the turn of a year: one per member and year."""

    __tablename__ = "settlement_notice"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    points: Mapped[int] = mapped_column(Integer)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OpeningImport(db.Model):
    """Opening balances imported from paper: its rows are `adjust` entries whose source names it."""

    __tablename__ = "opening_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, default=0)  # the year the imported scores belong to
    filename: Mapped[str] = mapped_column(String(200), default="")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OpeningBalance(db.Model):
    """One member's opening balance as imported: a member is imported once (the primary key says so)."""

    __tablename__ = "opening_balance"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("opening_import.id"), index=True)
    spendable: Mapped[int] = mapped_column(Integer, default=0)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # dimension -> score


class Membership(db.Model):
    """Which branch a member belonged to, when (组织关系): one open row (until None) per member.
    since None: from before the service knew."""

    __tablename__ = "membership"
    __table_args__ = (Index("ix_membership_org", "org_id", "since"),
                      Index("uq_membership_open", "member_id", unique=True, postgresql_where=text("until IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)  # exclusive


class MemberChange(db.Model):
    """A dated change to a member: transfer (转接), type (转正), status (switched off / on)."""

    __tablename__ = "member_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # transfer / type / status
    before: Mapped[str] = mapped_column(String(100))
    after: Mapped[str] = mapped_column(String(100))
    effective_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The points archive's indexes on tables of other aggregates (see migration 0008 and services/archive.py).
Index("ix_ledger_entry_occurred", LedgerEntry.occurred_at, LedgerEntry.id)
Index("ix_ledger_entry_member_occurred", LedgerEntry.member_id, LedgerEntry.occurred_at, LedgerEntry.id,
      postgresql_include=["dimension", "delta_score"])  # the score sheet reads it alone (services/score_sheet.py)
Index("ix_ledger_entry_rule_occurred", LedgerEntry.rule_id, LedgerEntry.occurred_at, LedgerEntry.id)
Index("ix_ledger_entry_kind_occurred", LedgerEntry.kind, LedgerEntry.occurred_at, LedgerEntry.id)
Index("ix_ledger_entry_late", LedgerEntry.occurred_at, LedgerEntry.id, postgresql_where=LedgerEntry.late_correction)
Index("ix_member_phone_last4", func.right(Member.phone, 4))
