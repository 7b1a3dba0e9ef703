"""Points rules (积分细则), set park-wide by an admin."""
from sqlalchemy import select, update

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.points.models import Rule, RuleVersion
from points_mall.points.models import CAP_PERIODS, DIMENSIONS
from points_mall.audit import trail as audit
from points_mall.people.access import Actor, require_role, require_root
from points_mall.common.tx import committed


RULE_FIELDS = ("code", "name", "dimension", "points", "cap_period", "cap", "needs_approval", "declarable", "active",
               "version")


def check(code, name, dimension, points, cap_period, cap) -> None:
    if not code or not name:
        raise DomainError("invalid_rule")
    if dimension not in DIMENSIONS:
        raise DomainError("invalid_dimension", details={"allowed": list(DIMENSIONS)})
    if not points:
        raise DomainError("invalid_points")
    if (cap_period is None) != (cap is None) or (cap_period and cap_period not in CAP_PERIODS) or \
            (cap is not None and cap < abs(points)):
        raise DomainError("invalid_cap")


def create_rule(actor: Actor, code: str, name: str, dimension: str, points: int, cap_period: str | None = None,
                cap: int | None = None, needs_approval: bool = False, declarable: bool = False) -> Rule:
    require_root(actor)
    check(code, name, dimension, points, cap_period, cap)
    if db.session.scalar(select(Rule.id).where(Rule.code == code)) is not None:
        raise DomainError("duplicate_rule", details={"code": code})
    rule = Rule(code=code, name=name, dimension=dimension, points=points, cap_period=cap_period, cap=cap,
                needs_approval=needs_approval, declarable=declarable, active=True, version=1)
    with committed("duplicate_rule"):
        db.session.add(rule)
        db.session.flush()  # models.rules writes version 1; say who made it
        db.session.execute(update(RuleVersion).where(RuleVersion.rule_id == rule.id, RuleVersion.version == 1)
                           .values(created_by=actor.key))
        audit.record(actor, "rule.create", "rule", rule.id, after=audit.snapshot(rule, RULE_FIELDS))
    return rule


def list_rules(actor: Actor) -> list[Rule]:
    require_role(actor, "organizer")
    return db.session.scalars(select(Rule).where(Rule.active).order_by(Rule.dimension, Rule.code)).all()


def require_active(rule: Rule) -> Rule:
    """A retired rule posts nothing new: whoever asks is told which rule, and to pick another."""
    if not rule.active:
        raise DomainError("rule_retired", details={"rule_id": rule.id, "rule_code": rule.code, "name": rule.name})
    return rule
