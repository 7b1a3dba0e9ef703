"""Members as the admin keeps them: paged search, edit, switch off, export, the import's check."""
from flask_smorest import Blueprint

from ..errors import DomainError
from ..schemas.admin import ImportCheckOut, MemberPatch, MemberRow, MemberSearch
from ..schemas.people import ImportIn
from ..services import member_admin
from .activities import xlsx
from .security import current_actor, requires

blp = Blueprint("admin_members", __name__, url_prefix="/api/v1/admin", description="管理：党员")

MAX_IMPORT_BYTES = 5 * 1024 * 1024


@blp.get("/members")
@requires("organizer")
@blp.arguments(MemberSearch, location="query")
@blp.response(200, MemberRow(many=True))
@blp.paginate(page_size=200, max_page_size=500)
def list_members(query, pagination_parameters):
    """Members in scope, filtered; paged by ?page=&page_size= (the total is in the X-Pagination header),
    so a plain GET still answers the first 200 as a list, as it always did."""
    p = pagination_parameters
    items, p.item_count = member_admin.search(current_actor(), **query, offset=p.first_item, limit=p.page_size)
    return items


@blp.get("/members/export")
@requires("organizer")
@blp.arguments(MemberSearch, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
def export_members(query):
    return xlsx("党员名册", sheets=member_admin.export_sheet(current_actor(), **query))


@blp.patch("/members/<id:member_id>")
@requires("admin")
@blp.arguments(MemberPatch)
@blp.response(200, MemberRow)
def edit_member(body, member_id):
    """Edit a member; {"status": "inactive"} switches them off (they leave the board and cannot log in)."""
    return member_admin.update_member(current_actor(), member_id, **body)


@blp.post("/members/import/check")
@requires("admin")
@blp.arguments(ImportIn, location="files")
@blp.response(200, ImportCheckOut)
def check_import(files):
    """The import's dry run: each row with its errors, nothing written."""
    content = files["file"].read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise DomainError("too_large")
    return member_admin.check_import(current_actor(), content)
