"""The organisation tree as the admin keeps it: as a tree, rename, move, retire."""
from flask_smorest import Blueprint

from points_mall.errors import DomainError
from points_mall.people.schemas.orgs import OrgKept, OrgNode, OrgPatch, OrgTreeQuery
from points_mall.people import org_tree
from points_mall.common.security import current_actor, requires

blp = Blueprint("admin_orgs", __name__, url_prefix="/api/v1/admin", description="管理：组织架构")


@blp.get("/orgs/tree")
@requires("admin")
@blp.arguments(OrgTreeQuery, location="query")
@blp.response(200, OrgNode(many=True))
def org_tree_view(query):
    return org_tree.tree(current_actor(), query["include_retired"])


@blp.patch("/orgs/<id:org_id>")
@requires("admin")
@blp.arguments(OrgPatch)
@blp.response(200, OrgKept)
def edit_org(body, org_id):
    actor = current_actor()
    org = None
    if "name" in body:
        org = org_tree.rename(actor, org_id, body["name"])
    if "parent_id" in body:
        org = org_tree.move(actor, org_id, body["parent_id"])
    if org is None:
        raise DomainError("invalid_change:org")
    return org


@blp.post("/orgs/<id:org_id>/retire")
@requires("admin")
@blp.response(200, OrgKept)
def retire_org(org_id):
    return org_tree.retire(current_actor(), org_id)
