"""Reads the staff console needs beside the public contract: an activity's leave requests."""
from flask_smorest import Blueprint

from ..schemas.console import LeaveRequestOut
from ..services import leave
from .security import BEARER, current_actor, requires

blp = Blueprint("console", __name__, url_prefix="/api/v1", description="工作台")


@blp.get("/activities/<id:activity_id>/leave")
@requires("organizer")
@blp.response(200, LeaveRequestOut(many=True))
@blp.doc(security=[BEARER])
def leave_requests(activity_id):
    """Who asked for leave from this activity, pending first (approve or reject each)."""
    return leave.for_activity(current_actor(), activity_id)
