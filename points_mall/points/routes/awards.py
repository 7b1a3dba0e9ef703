"""Manual awards and deductions, their approval, and reversals."""
from flask import request
from flask_smorest import Blueprint

from points_mall.points.schemas import AwardIn, AwardOut, DecisionIn, EntryOut, ReverseIn
from points_mall.points import awards, ledger
from points_mall.common.security import BEARER, current_actor, requires
from points_mall.common.tx import idempotency_header

blp = Blueprint("awards", __name__, url_prefix="/api/v1", description="积分申报与审批")


@blp.post("/awards")
@requires("organizer")
@blp.arguments(AwardIn)
@blp.response(201, AwardOut)
@blp.doc(security=[BEARER], parameters=[idempotency_header(required=False)])
def propose(body):
    return awards.describe(awards.propose(current_actor(), body["member_ids"], body["rule_code"], body["reason"],
                                          request.headers.get("Idempotency-Key")))


@blp.get("/awards/pending")
@requires("organizer")
@blp.response(200, AwardOut(many=True))
@blp.doc(security=[BEARER])
def pending():
    return awards.described(awards.pending(current_actor()))


@blp.post("/awards/<id:award_id>/approve")
@requires("organizer")
@blp.arguments(DecisionIn)
@blp.response(200, AwardOut)
@blp.doc(security=[BEARER])
def approve(body, award_id):
    return awards.describe(awards.approve(current_actor(), award_id, body["note"]))


@blp.post("/awards/<id:award_id>/reject")
@requires("organizer")
@blp.arguments(DecisionIn)
@blp.response(200, AwardOut)
@blp.doc(security=[BEARER])
def reject(body, award_id):
    return awards.describe(awards.reject(current_actor(), award_id, body["note"]))


@blp.post("/ledger/<id:entry_id>/reverse")
@requires("admin")
@blp.arguments(ReverseIn)
@blp.response(201, EntryOut)
@blp.doc(security=[BEARER])
def reverse(body, entry_id):
    return ledger.reverse(current_actor(), entry_id, body["reason"])
