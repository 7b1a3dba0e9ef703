"""积分申报: members declare items with photos; the branch's organizer approves, rejects or returns them."""
from flask import current_app
from flask_smorest import Blueprint

from points_mall.common.paging import paginated
from points_mall.extensions import limiter
from points_mall.mall.schemas.mall import PhotoIn, PhotoOut
from points_mall.year.schemas.declarations import (
    ApproveIn, DeclarableRuleOut, DeclarationIn, DeclarationOut, ReasonIn, StatusCounts, StatusQuery)
from points_mall.year import declarations
from points_mall.mall import uploads
from points_mall.common.security import (
    BEARER, accepts_upload, current_actor, current_member_id, members_only, rate_key_subject, requires)

blp = Blueprint("declarations", __name__, url_prefix="/api/v1", description="积分申报")


def photo_limit():
    return current_app.config.get("PHOTO_RATE_LIMIT", "30/minute;300/day")


@blp.get("/declarable-rules")
@requires()
@blp.response(200, DeclarableRuleOut(many=True))
@blp.doc(security=[BEARER])
def declarable_rules():
    """The rules members may declare under (an admin marks them declarable)."""
    return declarations.declarable_rules()


@blp.post("/me/photos")
@members_only
@limiter.limit(photo_limit, key_func=rate_key_subject)
@accepts_upload
@blp.arguments(PhotoIn, location="files")
@blp.response(201, PhotoOut)
@blp.doc(security=[BEARER])
def upload_my_photo(files):
    """A photo as evidence for a declaration: checked by its bytes like goods photos; put its key in photos."""
    data = files["file"].read(uploads.max_bytes() + 1)
    return uploads.upload_evidence(current_member_id(), data)


@blp.get("/me/declarations")
@members_only
@blp.arguments(StatusQuery, location="query")
@blp.response(200, DeclarationOut(many=True))
@paginated(blp, page_size=20, max_page_size=100)
@blp.doc(security=[BEARER])
def my_declarations(query, page):
    """My declarations, newest first; ?page=&page_size= (the total in X-Pagination)."""
    return declarations.my_page(current_member_id(), query["status"], page)


@blp.post("/me/declarations")
@members_only
@blp.arguments(DeclarationIn)
@blp.response(201, DeclarationOut)
@blp.doc(security=[BEARER])
def declare(body):
    return declarations.describe(declarations.declare(current_member_id(), **body))


@blp.get("/me/declarations/<id:declaration_id>")
@members_only
@blp.response(200, DeclarationOut)
@blp.doc(security=[BEARER])
def my_declaration(declaration_id):
    return declarations.describe(declarations.mine(current_member_id(), declaration_id))


@blp.post("/me/declarations/<id:declaration_id>/resubmit")
@members_only
@blp.arguments(DeclarationIn)
@blp.response(200, DeclarationOut)
@blp.doc(security=[BEARER])
def resubmit(body, declaration_id):
    """A returned declaration, completed and sent again (the same declaration)."""
    return declarations.describe(declarations.resubmit(current_member_id(), declaration_id, **body))


@blp.get("/declarations")
@requires("organizer")
@blp.arguments(StatusQuery, location="query")
@blp.response(200, DeclarationOut(many=True))
@paginated(blp, page_size=20, max_page_size=100)
@blp.doc(security=[BEARER])
def inbox(query, page):
    """Declarations of the members in my subtrees, by status; ?page=&page_size= (total in X-Pagination)."""
    return declarations.inbox(current_actor(), query["status"], page)


@blp.get("/declarations/counts")
@requires("organizer")
@blp.response(200, StatusCounts)
@blp.doc(security=[BEARER])
def counts():
    return declarations.counts(current_actor())


@blp.get("/declarations/<id:declaration_id>")
@requires("organizer")
@blp.response(200, DeclarationOut)
@blp.doc(security=[BEARER])
def declaration(declaration_id):
    return declarations.describe(declarations.for_staff(current_actor(), declaration_id))


@blp.post("/declarations/<id:declaration_id>/approve")
@requires("organizer")
@blp.arguments(ApproveIn)
@blp.response(200, DeclarationOut)
@blp.doc(security=[BEARER])
def approve(body, declaration_id):
    """Approve: the rule's points are posted once, dated on the declared day, within the rule's cap."""
    return declarations.describe(declarations.approve(current_actor(), declaration_id, body["note"]))


@blp.post("/declarations/<id:declaration_id>/reject")
@requires("organizer")
@blp.arguments(ReasonIn)
@blp.response(200, DeclarationOut)
@blp.doc(security=[BEARER])
def reject(body, declaration_id):
    return declarations.describe(declarations.reject(current_actor(), declaration_id, body["note"]))


@blp.post("/declarations/<id:declaration_id>/return")
@requires("organizer")
@blp.arguments(ReasonIn)
@blp.response(200, DeclarationOut)
@blp.doc(security=[BEARER])
def send_back(body, declaration_id):
    """Return for more (退回补充): the member completes it and resubmits."""
    return declarations.describe(declarations.send_back(current_actor(), declaration_id, body["note"]))
