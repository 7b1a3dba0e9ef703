"""Points rules (积分细则)."""
from sqlalchemy import Boolean, Integer, String, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import utcnow

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


@event.listens_for(Rule, "after_insert")
def _first_version(mapper, connection, rule: Rule) -> None:
    """A rule is born as its version 1, however it was made (the API, the demo, an import)."""
    from .year import RuleVersion

    connection.execute(insert(RuleVersion).values(
        rule_id=rule.id, version=rule.version or 1, name=rule.name, points=rule.points, cap_period=rule.cap_period,
        cap=rule.cap, needs_approval=bool(rule.needs_approval), declarable=bool(rule.declarable), created_at=utcnow()))
