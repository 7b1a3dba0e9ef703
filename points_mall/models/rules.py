"""Points rules (积分细则)."""
from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

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
