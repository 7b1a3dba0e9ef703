"""Keeping the points rules (积分细则): the whole list with retired ones, edit, retire."""
from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..models import Rule
from . import audit, rules
from .access import Actor, require_role, require_root
from .tx import committed

EDITABLE = ("name", "points", "cap_period", "cap", "needs_approval", "active")


def all_rules(actor: Actor, include_retired: bool = True) -> list[Rule]:
    require_role(actor, "organizer")
    stmt = select(Rule).order_by(Rule.active.desc(), Rule.dimension, Rule.code)
    if not include_retired:
        stmt = stmt.where(Rule.active)
    return list(db.session.scalars(stmt))


def edit_rule(actor: Actor, rule_id: int, **changes) -> Rule:
    """Change a rule from now on; points already awarded stay as the ledger recorded them.
    The code and dimension stay: the ledger and the yearly scores are keyed by them."""
    require_root(actor)
    rule = db.session.get(Rule, rule_id)
    if rule is None:
        raise NotFound("unknown_rule", details={"rule_id": rule_id})
    merged = {k: getattr(rule, k) for k in EDITABLE} | {k: v for k, v in changes.items() if k in EDITABLE}
    rules.check(rule.code, merged["name"], rule.dimension, merged["points"], merged["cap_period"], merged["cap"])
    with committed():
        before = audit.snapshot(rule, merged)
        for key, value in merged.items():
            setattr(rule, key, value)
        audit.record(actor, "rule.retire" if changes.keys() == {"active"} and not merged["active"] else "rule.edit",
                     "rule", rule.id, before, audit.snapshot(rule, merged))
    return rule


def retire_rule(actor: Actor, rule_id: int) -> Rule:
    """A retired rule awards nothing new; its past entries keep pointing at it."""
    return edit_rule(actor, rule_id, active=False)
