"""The public points and star boards (公示栏): no login needed; a member's token adds their rank."""
from flask import request
from flask_smorest import Blueprint

from points_mall.errors import DomainError
from points_mall.board.schemas import BoardOut, BoardQuery, BoardViewQuery, BranchBoardOut, DimensionBoardOut
from points_mall.board import board_views, ranking
from points_mall.common.clock import local_year, utcnow
from points_mall.common.security import current_member_id

blp = Blueprint("boards", __name__, url_prefix="/api/v1/boards", description="公示栏")


def _viewer() -> int | None:
    if not request.headers.get("Authorization"):
        return None
    try:
        return current_member_id()
    except DomainError:
        return None


@blp.get("/points")
@blp.arguments(BoardQuery, location="query")
@blp.response(200, BoardOut)
def points_board(query):
    return ranking.points_board(query["org_id"], query["year"] or local_year(utcnow()), query["dimension"],
                                query["limit"], _viewer())


@blp.get("/branches")
@blp.arguments(BoardViewQuery, location="query")
@blp.response(200, BranchBoardOut)
def branch_board(query):
    """The branch view: each branch's members, total and average yearly score, by dimension."""
    return board_views.branches(query["org_id"], query["year"] or local_year(utcnow()))


@blp.get("/dimensions")
@blp.arguments(BoardViewQuery, location="query")
@blp.response(200, DimensionBoardOut)
def dimension_board(query):
    """The dimension view: each dimension's total and its leading members (masked)."""
    return board_views.dimensions(query["org_id"], query["year"] or local_year(utcnow()))
