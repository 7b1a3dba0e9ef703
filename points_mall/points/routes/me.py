"""The member's own page: points, score, ledger."""
from flask_smorest import Blueprint

from points_mall.extensions import limiter
from points_mall.activities.schemas import CodeOut
from points_mall.points.schemas import LedgerPage, LedgerQuery, MeOut, MeQuery
from points_mall.points import profile
from points_mall.common.paging import paginated
from points_mall.people import member_view
from points_mall.activities.routes import code_answer, code_limit
from points_mall.common.security import BEARER, current_member_id, members_only, rate_key_subject

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="我的积分")


@blp.get("")
@members_only
@blp.arguments(MeQuery, location="query")
@blp.response(200, MeOut)
@blp.doc(security=[BEARER])
def me(query):
    return profile.me(current_member_id(), query["year"])


@blp.get("/ledger")
@members_only
@blp.arguments(LedgerQuery, location="query")
@blp.response(200, LedgerPage)
@paginated(items="entries", cursor=True)
@blp.doc(security=[BEARER])
def my_ledger(query, page):
    return member_view.my_ledger(current_member_id(), page)


@blp.get("/qr")
@members_only
@limiter.limit(code_limit, key_func=rate_key_subject)
@blp.response(200, CodeOut)
@blp.doc(security=[BEARER])
def my_code():
    """The member's own rotating code, for an organizer to scan at an event."""
    return code_answer("m", current_member_id())
