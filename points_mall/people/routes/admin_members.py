"""Members as the admin keeps them: paged search, edit, switch off, export, the import's check."""
from flask_smorest import Blueprint

from points_mall.errors import DomainError
from points_mall.people.schemas.members import (
    ChangeNote, ImportCheckOut, ImportIn, MemberHistoryOut, MemberPatch, MemberRow, MemberSearch, TransferIn,
    TypeChangeIn)
from points_mall.people import member_admin, member_changes
from points_mall.accounts import binding
from points_mall.accounts.schemas.auth import BindingCodeOut
from points_mall.activities.routes import xlsx
from points_mall.common.paging import paginated
from points_mall.common.security import accepts_upload, current_actor, requires

blp = Blueprint("admin_members", __name__, url_prefix="/api/v1/admin", description="管理：党员")

MAX_IMPORT_BYTES = 5 * 1024 * 1024


@blp.get("/members")
@requires("organizer")
@blp.arguments(MemberSearch, location="query")
@blp.response(200, MemberRow(many=True))
@paginated(blp, page_size=200, max_page_size=500)
def list_members(query, page):
    """Members in scope, filtered; paged by ?page=&page_size= (the total is in the X-Pagination header),
    so a plain GET still answers the first 200 as a list, as it always did."""
    return member_admin.search(current_actor(), page, **query)


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
    """Edit a member; {"status": "inactive"} switches them off (they leave the board and cannot log in).
    A new org_id, member_type or status is recorded as a dated change from today, as the endpoints below do."""
    return member_admin.update_member(current_actor(), member_id, **body)


@blp.post("/members/<id:member_id>/transfer")
@requires("admin")
@blp.arguments(TransferIn)
@blp.response(200, MemberRow)
def transfer_member(body, member_id):
    """组织关系转接: to another organisation from effective_on (by an admin over both, or the whole tree).
    The year's score stays with the member; the memberships keep who belonged where, when."""
    return member_changes.transfer(current_actor(), member_id, **body)


@blp.post("/members/<id:member_id>/type")
@requires("admin")
@blp.arguments(TypeChangeIn)
@blp.response(200, MemberRow)
def change_member_type(body, member_id):
    """转正 (预备党员 → 党员) and other changes of type, from effective_on."""
    return member_changes.change_type(current_actor(), member_id, **body)


@blp.post("/members/<id:member_id>/deactivate")
@requires("admin")
@blp.arguments(ChangeNote, required=False)  # the note is optional, so is the body
@blp.response(200, MemberRow)
def deactivate_member(body, member_id):
    """停用: no log-in, no new postings; the history and points stay."""
    return member_changes.set_status(current_actor(), member_id, "inactive", body["note"])


@blp.post("/members/<id:member_id>/activate")
@requires("admin")
@blp.arguments(ChangeNote, required=False)  # the note is optional, so is the body
@blp.response(200, MemberRow)
def activate_member(body, member_id):
    """启用: a member switched off is back, as before."""
    return member_changes.set_status(current_actor(), member_id, "active", body["note"])


@blp.post("/members/<id:member_id>/binding-code")
@requires("organizer")
@blp.response(201, BindingCodeOut)
def issue_binding_code(member_id):
    """A one-time binding code (绑定码) for the member to bind a WeChat with, printed or shown by the
    secretary: for a member without a phone of their own, or to move the member to a new WeChat.
    It replaces the member's earlier codes and is kept in the audit trail (never the code itself)."""
    return binding.issue_code(current_actor(), member_id)


@blp.get("/members/<id:member_id>/history")
@requires("organizer")
@blp.response(200, MemberHistoryOut)
def member_history(member_id):
    """履历: the memberships (where, from when, until when) and every dated change."""
    return member_changes.history(current_actor(), member_id)


@blp.post("/members/import/check")
@requires("admin")
@accepts_upload
@blp.arguments(ImportIn, location="files")
@blp.response(200, ImportCheckOut)
def check_import(files):
    """The import's dry run: each row with its errors, nothing written."""
    content = files["file"].read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise DomainError("too_large")
    return member_admin.check_import(current_actor(), content)
