"""积分细则: the rules as members and staff read them, and as the admin creates, edits and retires them."""
from flask_smorest import Blueprint

from points_mall.points.schemas import RuleIn, RuleKept, RuleOut, RulePatch, RuleQuery, RuleVersionOut
from points_mall.points import rule_admin, rules
from points_mall.common.security import BEARER, current_actor, requires

blp = Blueprint("rules", __name__, url_prefix="/api/v1", description="积分细则")


@blp.get("/rules")
@requires()
@blp.response(200, RuleOut(many=True))
@blp.doc(security=[BEARER])
def list_rules():
    return rules.list_rules(current_actor())


@blp.post("/admin/rules")
@requires("admin")
@blp.arguments(RuleIn)
@blp.response(201, RuleOut)
@blp.doc(security=[BEARER])
def create_rule(body):
    return rules.create_rule(current_actor(), **body)


@blp.get("/admin/rules")
@requires("organizer")
@blp.arguments(RuleQuery, location="query")
@blp.response(200, RuleKept(many=True))
def kept_rules(query):
    return rule_admin.all_rules(current_actor(), query["include_retired"])


@blp.patch("/admin/rules/<id:rule_id>")
@requires("admin")
@blp.arguments(RulePatch)
@blp.response(200, RuleKept)
def edit_rule(body, rule_id):
    return rule_admin.edit_rule(current_actor(), rule_id, **body)


@blp.get("/admin/rules/<id:rule_id>/versions")
@requires("organizer")
@blp.response(200, RuleVersionOut(many=True))
def rule_versions(rule_id):
    """The rule's versions, newest first: what an entry posted under each was worth, who made it, when."""
    return rule_admin.versions(current_actor(), rule_id)


@blp.post("/admin/rules/<id:rule_id>/retire")
@requires("admin")
@blp.response(200, RuleKept)
def retire_rule(rule_id):
    return rule_admin.retire_rule(current_actor(), rule_id)
