"""年度结算与期初积分."""
from flask import Response
from flask_smorest import Blueprint

from points_mall.errors import DomainError
from points_mall.people.schemas.members import ImportIn
from points_mall.year.schemas.settlement import (
    LapseOut, OpeningCheckOut, OpeningImportOut, OpeningImportsOut, OpeningQuery, PageQuery, PolicyIn, PolicyRow,
    PreviewOut, PreviewQuery, RunIn, RunOut, RunsOut)
from points_mall.common import export
from points_mall.common.paging import Paged, paginated
from points_mall.year import opening, settlement
from points_mall.activities.routes import XLSX_TOO, xlsx
from points_mall.common.security import BEARER, accepts_upload, current_actor, current_member_id, members_only, requires

blp = Blueprint("settlement", __name__, url_prefix="/api/v1", description="年度结算与期初积分")

MAX_IMPORT_BYTES = 5 * 1024 * 1024


@blp.get("/admin/settlement/policies")
@requires("admin")
@blp.response(200, PolicyRow(many=True))
def list_policies():
    """Every organisation the admin keeps: its own policy (if any) and the one in force (nearest up the tree)."""
    return settlement.list_policies(current_actor())


@blp.put("/admin/settlement/policies/<id:org_id>")
@requires("admin")
@blp.arguments(PolicyIn)
@blp.response(200, PolicyRow)
def set_policy(body, org_id):
    """Set an organisation's policy for spendable points at the turn of the year; its subtree follows it."""
    return settlement.set_policy(current_actor(), org_id, **body)


@blp.delete("/admin/settlement/policies/<id:org_id>")
@requires("admin")
@blp.response(204)
def remove_policy(org_id):
    """Remove an organisation's own policy: it follows the nearest one above it again."""
    settlement.remove_policy(current_actor(), org_id)


@blp.get("/admin/settlement/preview")
@requires("admin")
@blp.arguments(PreviewQuery, location="query")
@blp.response(200, PreviewOut)
@paginated(items="items")
@blp.doc(security=[BEARER], **XLSX_TOO)
def preview(query, page):
    """Per member of the scope: spendable, what would lapse at the end of the year and why, with totals;
    paged by ?page=&page_size=, most to lapse first; ?format=xlsx answers every row as a workbook."""
    actor = current_actor()
    if query.pop("format") == "xlsx":
        return xlsx(f"{query['year']}年度结算预览", sheets=settlement.preview_sheet(actor, **query))
    return settlement.preview(actor, **query, offset=page.offset, limit=page.limit)  # the page inside its totals


@blp.post("/admin/settlement/runs")
@requires("admin")
@blp.arguments(RunIn)
@blp.response(201, RunOut)
def run(body):
    """Settle a year that has ended: expire what lapses, once per member however often it runs."""
    actor = current_actor()
    done = settlement.settle_year(actor, body["year"], body["org_id"], trigger="console")
    return settlement.runs(actor, run_id=done.id)[0][0]


@blp.get("/admin/settlement/runs")
@requires("admin")
@blp.arguments(PageQuery, location="query")
@blp.response(200, RunsOut)
@paginated(items="items")
def list_runs(query, page):
    """The settlement runs and what each expired, newest first."""
    return Paged(*settlement.runs(current_actor(), page.offset, page.limit))


@blp.get("/me/lapse")
@members_only
@blp.response(200, LapseOut)
@blp.doc(security=[BEARER])
def my_lapse():
    """What of my spendable points will lapse at the end of this year (0: nothing)."""
    return settlement.my_lapse(current_member_id())


@blp.get("/admin/opening-imports/template")
@requires("admin")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=export.XLSX)
def opening_template():
    """The sheet to fill in: 姓名、手机号、超市积分、学习、服务、业绩、道德、廉洁."""
    from urllib.parse import quote

    return Response(opening.template(), mimetype=export.XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote('期初积分导入模板')}.xlsx"})


def _content(files) -> bytes:
    content = files["file"].read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise DomainError("too_large")
    return content


@blp.post("/admin/opening-imports/check")
@requires("admin")
@accepts_upload
@blp.arguments(ImportIn, location="files")
@blp.response(200, OpeningCheckOut)
def check_opening(files):
    """The import's dry run: each row with its errors, nothing written."""
    return opening.check_report(current_actor(), _content(files))


@blp.post("/admin/opening-imports")
@requires("admin")
@blp.arguments(OpeningQuery, location="query")
@accepts_upload
@blp.arguments(ImportIn, location="files")
@blp.response(201, OpeningImportOut)
def import_opening(query, files):
    """Import opening balances: all rows as `adjust` entries naming the import, or none with the row errors."""
    return opening.import_opening(current_actor(), _content(files), query["year"], files["file"].filename or "")


@blp.get("/admin/opening-imports")
@requires("admin")
@blp.arguments(PageQuery, location="query")
@blp.response(200, OpeningImportsOut)
@paginated(items="items")
def list_opening_imports(query, page):
    return opening.imports(current_actor(), page)
