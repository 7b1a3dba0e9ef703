"""The public points and star boards (公示栏): no login needed; a member's token adds their rank."""
from flask import request
from flask_smorest import Blueprint

from ..errors import DomainError
from ..schemas.board import BoardOut, BoardQuery
from ..services import ranking
from ..services.clock import local_year, utcnow
from .security import current_member_id

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
