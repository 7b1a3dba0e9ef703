"""The member's own page: points, score, ledger."""
from flask_smorest import Blueprint

from ..schemas.points import LedgerPage, LedgerQuery, MeOut, MeQuery
from ..services import ledger, profile
from .security import BEARER, current_member_id

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="我的积分")


@blp.get("")
@blp.arguments(MeQuery, location="query")
@blp.response(200, MeOut)
@blp.doc(security=[BEARER])
def me(query):
    return profile.me(current_member_id(), query["year"])


@blp.get("/ledger")
@blp.arguments(LedgerQuery, location="query")
@blp.response(200, LedgerPage)
@blp.doc(security=[BEARER])
def my_ledger(query):
    entries, next_cursor = ledger.history(current_member_id(), query["cursor"], query["limit"])
    return {"entries": entries, "next_cursor": next_cursor}
