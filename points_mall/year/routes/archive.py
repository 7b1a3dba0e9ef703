"""积分档案."""
from datetime import datetime, time, timedelta

from urllib.parse import quote

from flask import Response, current_app
from flask_smorest import Blueprint

from points_mall.year.schemas.archive import (
    ArchiveLedgerFilters, ArchiveLedgerPage, ArchiveLedgerQuery, ArchiveMemberQuery, ArchiveMemberRow, ArchivePage,
    ArchivePageQuery)
from points_mall.year import archive, archive_member
from points_mall.common.clock import zone
from points_mall.common.paging import Paged, paginated
from points_mall.common.export import XLSX
from points_mall.common.security import current_actor, requires

blp = Blueprint("archive", __name__, url_prefix="/api/v1", description="积分档案")

WORKBOOK = {"type": "string", "format": "binary"}


def _period(query: dict) -> dict:
    """from/to are whole local days; the service takes [start, end) in time."""
    start, end = query.pop("start", None), query.pop("end", None)
    query["start"] = datetime.combine(start, time.min, zone()) if start else None
    query["end"] = datetime.combine(end + timedelta(days=1), time.min, zone()) if end else None
    return query


@blp.get("/archive/members")
@requires("organizer")
@blp.arguments(ArchiveMemberQuery, location="query")
@blp.response(200, ArchiveMemberRow(many=True))
@paginated(blp, page_size=20, max_page_size=200)
def search_members(query, page):
    """Members in the caller's scope by part of the name, the phone (all 11 digits or the last 4), the
    organisation (with its subtree), type and status, with the year's score and spendable balance;
    paged by ?page=&page_size= (the total in X-Pagination). Phones are masked, as in the member roll."""
    return Paged(*archive.search_members(current_actor(), **query, offset=page.offset, limit=page.limit))


@blp.get("/archive/members/export")
@requires("organizer")
@blp.arguments(ArchiveMemberQuery, location="query")
@blp.response(200, WORKBOOK, content_type=XLSX)
def export_members(query):
    """The whole search as a workbook (up to ARCHIVE_EXPORT_MAX rows; more is refused: narrow it)."""
    rows = archive.member_export_rows(current_actor(), _export_max(), **query)
    return download("积分档案-党员", archive.MEMBER_HEADERS, rows)


@blp.get("/archive/members/<id:member_id>")
@requires("organizer")
@blp.arguments(ArchivePageQuery, location="query")
@blp.response(200, ArchivePage)
def member_page(query, member_id):
    """One member's archive: the year's score by dimension, spendable, stars, attendance, declarations,
    memberships and dated changes. Their entries: GET /archive/ledger?member_id=."""
    return archive_member.member_page(current_actor(), member_id, query["year"])


@blp.get("/archive/ledger")
@requires("organizer")
@blp.arguments(ArchiveLedgerQuery, location="query")
@blp.response(200, ArchiveLedgerPage)
@paginated(items="entries", cursor=True)
def ledger(query, page):
    """Entries of the members in scope, newest first (by when they happened), filtered; from/to are
    local days. Pass next_cursor back as cursor for the next page."""
    return archive.ledger_page(current_actor(), page, **_period(query))


@blp.get("/archive/ledger/export")
@requires("organizer")
@blp.arguments(ArchiveLedgerFilters, location="query")
@blp.response(200, WORKBOOK, content_type=XLSX)
def export_ledger(query):
    """The filtered ledger as a workbook (up to ARCHIVE_EXPORT_MAX rows; more is refused: narrow it)."""
    rows = archive.ledger_export_rows(current_actor(), _export_max(), **_period(query))
    return download("积分明细", archive.LEDGER_HEADERS, rows)


def download(filename: str, headers: list[str], rows) -> Response:
    content = archive.workbook(filename, headers, rows)
    return Response(content, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}.xlsx"})


def _export_max() -> int:
    return current_app.config.get("ARCHIVE_EXPORT_MAX", 50_000)
