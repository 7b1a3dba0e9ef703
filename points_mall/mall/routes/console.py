"""Reads the staff console needs beside the public contract: leave requests, who may fund goods."""
from flask_smorest import Blueprint

from points_mall.mall.schemas.console import FunderOut, LeaveRequestOut
from points_mall.mall import funders
from points_mall.activities import leave
from points_mall.common.security import BEARER, current_actor, requires

blp = Blueprint("console", __name__, url_prefix="/api/v1", description="工作台")


@blp.get("/activities/<id:activity_id>/leave")
@requires("organizer")
@blp.response(200, LeaveRequestOut(many=True))
@blp.doc(security=[BEARER])
def leave_requests(activity_id):
    """Who asked for leave from this activity, pending first (approve or reject each)."""
    return leave.for_activity(current_actor(), activity_id)


@blp.get("/shop/funding-orgs")
@requires("shopkeeper")
@blp.response(200, FunderOut(many=True))
@blp.doc(security=[BEARER])
def funding_orgs():
    """The organisations a purchase may be paid by (funding_org_id of a stock-in)."""
    return funders.funding_orgs()
