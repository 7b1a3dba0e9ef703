"""Activities, check-ins, every scan attempt, leave requests."""
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from points_mall.extensions import db
from points_mall.people.models import Org
from points_mall.points.models import Rule
from points_mall.common.types import UTCDateTime, utcnow

# 支部党员大会, 支委会, 党小组会, 党课, 主题党日, 志愿服务, 道德讲堂, 学习, 文体活动
ACTIVITY_KINDS = ("branch_meeting", "committee_meeting", "group_meeting", "party_lecture", "theme_day",
                  "volunteer", "morality_lecture", "study", "culture")
MEETING_KINDS = ("branch_meeting", "committee_meeting", "group_meeting", "party_lecture", "theme_day")


class Activity(db.Model):
    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)  # audience: this subtree
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    radius_m: Mapped[int | None] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checkin_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checkin_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)
    checked_in: Mapped[int] = mapped_column(Integer, default=0)  # kept only when capacity is set
    open_to_volunteers: Mapped[bool] = mapped_column(Boolean, default=False)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("rule.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft / published / cancelled
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    minutes: Mapped[str | None] = mapped_column(Text)  # 一会一记
    minutes_by: Mapped[str | None] = mapped_column(String(40))
    minutes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org: Mapped[Org] = relationship()
    rule: Mapped[Rule | None] = relationship()


class Checkin(db.Model):
    """One successful check-in; the unique pair is what makes it once per member."""

    __tablename__ = "checkin"
    __table_args__ = (UniqueConstraint("activity_id", "member_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))  # scan / member_code / by_name / offline / wechat
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    late_upload: Mapped[bool] = mapped_column(Boolean, default=False)
    points: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str | None] = mapped_column(String(40))


class ScanAttempt(db.Model):
    """Every attempt, successful or not, with its reason; the nonce makes a retry return the first answer."""

    __tablename__ = "scan_attempt"
    __table_args__ = (Index("ix_scan_attempt_activity_id_outcome", "activity_id", "outcome"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    actor: Mapped[str] = mapped_column(String(40))
    nonce_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    method: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(10))  # ok / refused
    reason: Mapped[str] = mapped_column(String(40))
    status: Mapped[int] = mapped_column(Integer, default=200)
    response: Mapped[dict] = mapped_column(JSON, default=dict)
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LeaveRequest(db.Model):
    """A member asks leave for a meeting (请假); the organizer decides."""

    __tablename__ = "leave_request"
    __table_args__ = (UniqueConstraint("activity_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending / approved / rejected
    decided_by: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
