"""Keeping the points rules (积分细则): the whole list with retired ones, edit (a new version), retire,
and each rule's versions (细则版本)."""
from sqlalchemy import select

from points_mall.errors import NotFound
from points_mall.extensions import db
from points_mall.points.models import Rule, RuleVersion
from points_mall.audit import trail as audit
from points_mall.points import rules
from points_mall.people.access import Actor, actor_names, require_role, require_root
from points_mall.common.records import Extended
from points_mall.common.tx import committed

# What an entry was posted under: changing any of these makes a new version of the rule.
VERSIONED = ("name", "points", "cap_period", "cap", "needs_approval", "declarable")
EDITABLE = (*VERSIONED, "active")


def all_rules(actor: Actor, include_retired: bool = True) -> list[Rule]:
    require_role(actor, "organizer")
    stmt = select(Rule).order_by(Rule.active.desc(), Rule.dimension, Rule.code)
    if not include_retired:
        stmt = stmt.where(Rule.active)
    return list(db.session.scalars(stmt))


def _locked(rule_id: int) -> Rule:
    """The rule, its row locked until the commit: two edits at once become two versions, one after the other."""
    rule = db.session.scalar(select(Rule).where(Rule.id == rule_id).with_for_update()
                             .execution_options(populate_existing=True))
    if rule is None:
        raise NotFound("unknown_rule", details={"rule_id": rule_id})
    return rule


def edit_rule(actor: Actor, rule_id: int, **changes) -> Rule:
    """Change a rule from now on: a change to what postings use makes version + 1 (who, when); entries
    already posted keep the version they were posted under. The code and dimension stay: the ledger and
    the yearly scores are keyed by them."""
    require_root(actor)
    with committed("conflict", keep=True):  # the answer is the version this edit made
        rule = _locked(rule_id)
        merged = {k: getattr(rule, k) for k in EDITABLE} | {k: v for k, v in changes.items() if k in EDITABLE}
        rules.check(rule.code, merged["name"], rule.dimension, merged["points"], merged["cap_period"], merged["cap"])
        before = audit.snapshot(rule, (*EDITABLE, "version"))
        new_version = any(merged[k] != getattr(rule, k) for k in VERSIONED)
        for key, value in merged.items():
            setattr(rule, key, value)
        if new_version:
            rule.version += 1
            db.session.add(RuleVersion(rule_id=rule.id, version=rule.version, created_by=actor.key,
                                       **{k: getattr(rule, k) for k in VERSIONED}))
        retiring = changes.keys() == {"active"} and not merged["active"]
        audit.record(actor, "rule.retire" if retiring else "rule.edit", "rule", rule.id, before,
                     audit.snapshot(rule, (*EDITABLE, "version")))
    return rule


def retire_rule(actor: Actor, rule_id: int) -> Rule:
    """A retired rule posts nothing new (awards, check-ins, declarations); its past entries keep pointing at it."""
    return edit_rule(actor, rule_id, active=False)


def versions(actor: Actor, rule_id: int) -> list[Extended]:
    """A rule's versions, newest first: what each entry posted under it was worth, and who made it."""
    require_role(actor, "organizer")
    if db.session.get(Rule, rule_id) is None:
        raise NotFound("unknown_rule", details={"rule_id": rule_id})
    found = list(db.session.scalars(select(RuleVersion).where(RuleVersion.rule_id == rule_id)
                                    .order_by(RuleVersion.version.desc())))
    names = actor_names({v.created_by for v in found if v.created_by})
    return [Extended(v, created_by_name=names.get(v.created_by) if v.created_by else None) for v in found]
