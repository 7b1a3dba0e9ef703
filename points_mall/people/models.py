"""People: the organisation tree (综合党委 → 党总支 → 党支部 → 党小组, any depth), members, staff accounts and the role grants that scope them."""
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from points_mall.extensions import db
from points_mall.common.types import UTCDateTime, utcnow

ORG_KINDS = ("committee", "general_branch", "branch", "group")


class Org(db.Model):
    __tablename__ = "org"
    # One name per parent (the roots count as one parent): two clicks in two tabs make one organisation.
    __table_args__ = (Index("uq_org_name", func.coalesce("parent_id", 0), "name", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org.id"), index=True)
    # Materialised path "/1/4/9/": a subtree is every path with this prefix.
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    # A retired organisation is kept (history points at it) but takes no new members or children.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")

    parent: Mapped["Org | None"] = relationship(remote_side=[id])

    def contains(self, other: "Org") -> bool:
        return other.path.startswith(self.path)


MEMBER_TYPES = ("党员", "预备党员", "入党积极分子", "群众志愿者")
MEMBER_STATUSES = ("active", "inactive", "transferred")
ROLES = ("organizer", "shopkeeper", "admin")


class Member(db.Model):
    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    member_type: Mapped[str] = mapped_column(String(20))
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    joined_on: Mapped[date | None] = mapped_column(Date)
    party_birthday: Mapped[date | None] = mapped_column(Date)  # 政治生日
    openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64), index=True)
    oa_openid: Mapped[str | None] = mapped_column(String(64), unique=True)  # follows the public account
    # WeChat answered 43004 (not a follower, e.g. logged in by web OAuth only): no template messages
    # until the member follows the account; staff see who cannot be reached.
    oa_unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The member's WeChat moved (a 绑定码 on a new WeChat): tokens issued before this moment are void.
    tokens_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org: Mapped[Org] = relationship()


class StaffUser(db.Model):
    """A console login (username + password) for staff who do not log in by WeChat."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(50), default="")
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Grant(db.Model):
    """A role over an organisation subtree (org_id) or one shop (shop_id); neither = the whole tree."""

    __tablename__ = "grant"
    __table_args__ = (
        CheckConstraint("(member_id IS NULL) <> (staff_id IS NULL)", name="one_holder"),
        # One grant per holder, role and scope (an absent id counts as 0, so NULLs compare equal).
        Index("uq_grant", *(func.coalesce(c, 0) for c in ("member_id", "staff_id")), "role",
              *(func.coalesce(c, 0) for c in ("org_id", "shop_id")), unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("org.id"))
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shop.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org: Mapped[Org | None] = relationship()
