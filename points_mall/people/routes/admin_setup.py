"""Grants, points rules and shops as the admin keeps them: lists, edits, revoking, retiring."""
from flask_smorest import Blueprint

from points_mall.people.schemas.admin import (
    GrantRow, RuleKept, RulePatch, RuleQuery, RuleVersionOut, ShopKept, ShopPatch)
from points_mall.people import grants
from points_mall.points import rule_admin
from points_mall.mall import shop_admin
from points_mall.common.security import current_actor, requires

blp = Blueprint("admin_setup", __name__, url_prefix="/api/v1/admin", description="管理：授权、积分细则、超市")


@blp.get("/grants")
@requires("admin")
@blp.response(200, GrantRow(many=True))
def list_grants():
    return grants.list_grants(current_actor())


@blp.delete("/grants/<id:grant_id>")
@requires("admin")
@blp.response(204)
def revoke_grant(grant_id):
    grants.revoke(current_actor(), grant_id)


@blp.get("/rules")
@requires("organizer")
@blp.arguments(RuleQuery, location="query")
@blp.response(200, RuleKept(many=True))
def list_rules(query):
    return rule_admin.all_rules(current_actor(), query["include_retired"])


@blp.patch("/rules/<id:rule_id>")
@requires("admin")
@blp.arguments(RulePatch)
@blp.response(200, RuleKept)
def edit_rule(body, rule_id):
    return rule_admin.edit_rule(current_actor(), rule_id, **body)


@blp.get("/rules/<id:rule_id>/versions")
@requires("organizer")
@blp.response(200, RuleVersionOut(many=True))
def rule_versions(rule_id):
    """The rule's versions, newest first: what an entry posted under each was worth, who made it, when."""
    return rule_admin.versions(current_actor(), rule_id)


@blp.post("/rules/<id:rule_id>/retire")
@requires("admin")
@blp.response(200, RuleKept)
def retire_rule(rule_id):
    return rule_admin.retire_rule(current_actor(), rule_id)


@blp.get("/shops")
@requires("admin")
@blp.response(200, ShopKept(many=True))
def list_shops():
    return shop_admin.list_shops(current_actor())


@blp.patch("/shops/<id:shop_id>")
@requires("admin")
@blp.arguments(ShopPatch)
@blp.response(200, ShopKept)
def edit_shop(body, shop_id):
    return shop_admin.edit_shop(current_actor(), shop_id, **body)
