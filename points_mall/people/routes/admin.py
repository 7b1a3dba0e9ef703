"""Administration: organisations, members and grants as they are created."""
from flask_smorest import Blueprint

from points_mall.errors import DomainError
from points_mall.people.schemas.grants import GrantIn, GrantOut, GrantRow
from points_mall.people.schemas.members import ImportIn, ImportOut, MemberIn, MemberOut
from points_mall.people.schemas.orgs import OrgIn, OrgOut
from points_mall.people import grants, members, orgs
from points_mall.common.security import BEARER, accepts_upload, current_actor, requires

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="管理")

MAX_IMPORT_BYTES = 5 * 1024 * 1024


@blp.post("/orgs")
@requires("admin")
@blp.arguments(OrgIn)
@blp.response(201, OrgOut)
@blp.doc(security=[BEARER])
def create_org(body):
    return orgs.create_org(current_actor(), body["name"], body["kind"], body["parent_id"])


@blp.get("/orgs")
@requires("organizer")
@blp.response(200, OrgOut(many=True))
@blp.doc(security=[BEARER])
def list_orgs():
    return orgs.subtree(current_actor())


@blp.post("/members")
@requires("admin")
@blp.arguments(MemberIn)
@blp.response(201, MemberOut)
@blp.doc(security=[BEARER])
def create_member(body):
    return members.create_member(current_actor(), **body)


@blp.post("/members/import")
@requires("admin")
@accepts_upload
@blp.arguments(ImportIn, location="files")
@blp.response(201, ImportOut)
@blp.doc(security=[BEARER])
def import_members(files):
    actor = current_actor()
    content = files["file"].read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise DomainError("too_large")
    return members.import_members(actor, content)


@blp.post("/grants")
@requires("admin")
@blp.arguments(GrantIn)
@blp.response(201, GrantOut)
@blp.doc(security=[BEARER])
def grant(body):
    return orgs.grant_role(current_actor(), body.pop("role"), **body)


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
