"""The organisation tree: 综合党委 → 党总支 → 党支部 → 党小组, any depth."""
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

ORG_KINDS = ("committee", "general_branch", "branch", "group")


class Org(db.Model):
    __tablename__ = "org"

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
