"""积分公示与申诉: score sheets, 公示 with their window, appeals, late corrections."""
from flask import request
from flask_smorest import Blueprint

from points_mall.common.paging import Paged, paginated
from points_mall.points.schemas import RuleOut
from points_mall.year.schemas.publicity import (
    AppealIn, AppealOut, AppealQuery, CorrectIn, LateCorrectionIn, LateCorrectionOut, MemberPublicity,
    MyEntriesOut, PublicityFormatQuery, PublicBoardQuery, PublicityDetail, PublicityIn, PublicityOut,
    PublicityQuery, PublicPublicity, RefuseIn, SheetOut, SheetQuery)
from points_mall.year import appeals, publicity, score_sheet
from points_mall.points import corrections
from points_mall.common.tx import idempotency_header, idempotency_key
from points_mall.activities.routes import XLSX_TOO, xlsx
from points_mall.common.security import BEARER, current_actor, current_member_id, members_only, requires

blp = Blueprint("publicity", __name__, url_prefix="/api/v1", description="积分公示与申诉")

SHEET_PAGE = dict(page_size=1000, max_page_size=5000)


@blp.get("/score-sheets")
@requires("organizer")
@blp.arguments(SheetQuery, location="query")
@blp.response(200, SheetOut)
@paginated(blp, **SHEET_PAGE)
@blp.doc(security=[BEARER], **XLSX_TOO)
def score_sheet_view(query, page):
    """积分汇总表: each member who belonged to the subtree during the period, score by dimension, total and
    rank (ties share a place); ?format=xlsx for the whole sheet as a workbook."""
    period = score_sheet.Period.of(query["period"], query["start"])
    if query["format"] == "xlsx":
        data = score_sheet.for_staff(current_actor(), query["org_id"], period)
        title = f"{data['org']}{data['label']}积分汇总表"
        return Paged(xlsx(title, sheets=score_sheet.xlsx_sheet(data, title)), data["members"])
    data = score_sheet.for_staff(current_actor(), query["org_id"], period, limit=page.limit, offset=page.offset)
    return Paged(data, data["members"])


@blp.post("/publicities")
@requires("organizer")
@blp.arguments(PublicityIn)
@blp.response(201, PublicityOut)
@blp.doc(security=[BEARER])
def publish(body):
    """Publish a sheet as a 公示 for a period that has ended; the window opens now (default 5 days)."""
    pub = publicity.publish(current_actor(), body["org_id"], body["period"], body["start"], body["window_days"],
                            body["title"])
    return publicity.describe(pub, open_appeals=0)


@blp.get("/publicities")
@requires("organizer")
@blp.arguments(PublicityQuery, location="query")
@blp.response(200, PublicityOut(many=True))
@paginated(blp, page_size=50, max_page_size=200)
@blp.doc(security=[BEARER])
def list_publicities(query, page):
    return publicity.for_staff(current_actor(), page, query["org_id"], query["status"])


@blp.get("/publicities/<id:publicity_id>")
@requires("organizer")
@blp.arguments(PublicityFormatQuery, location="query")
@blp.response(200, PublicityDetail)
@paginated(blp, **SHEET_PAGE)
@blp.doc(security=[BEARER], **XLSX_TOO)
def publicity_detail(query, publicity_id, page):
    """A 公示 with its sheet (figures as they stand now, corrections included); ?format=xlsx with the window."""
    actor = current_actor()
    if query["format"] == "xlsx":
        data = publicity.detail_for_staff(actor, publicity_id, None, 0)
        window = f"{data['opens_at']:%Y-%m-%d} 至 {data['closes_at']:%Y-%m-%d}"
        return Paged(xlsx(data["title"], sheets=score_sheet.xlsx_sheet(data["sheet"], data["title"], window)),
                     data["sheet"]["members"])
    data = publicity.detail_for_staff(actor, publicity_id, page.limit, page.offset)
    return Paged(data, data["sheet"]["members"])


@blp.get("/appeals")
@requires("organizer")
@blp.arguments(AppealQuery, location="query")
@blp.response(200, AppealOut(many=True))
@paginated(blp, page_size=50, max_page_size=200)
@blp.doc(security=[BEARER])
def appeal_inbox(query, page):
    """申诉收件箱: appeals on the 公示 of organisations the organizer covers, open ones first."""
    return appeals.inbox(current_actor(), page, query["publicity_id"], query["status"])


@blp.post("/appeals/<id:appeal_id>/correct")
@requires("organizer")
@blp.arguments(CorrectIn)
@blp.response(200, AppealOut)
@blp.doc(security=[BEARER])
def correct_appeal(body, appeal_id):
    """Correct through the ledger (an adjust entry, key appeal:{id}): once, however often it is asked; beyond
    what the appealed item gave or took (or its rule's points) it waits for a second organizer (pending)."""
    return appeals.describe(appeals.correct(current_actor(), appeal_id, body["delta"], body["resolution"]))


@blp.post("/appeals/<id:appeal_id>/approve")
@requires("organizer")
@blp.response(200, AppealOut)
@blp.doc(security=[BEARER])
def approve_appeal(appeal_id):
    """A second organizer posts a correction that went beyond the appealed item's bound (pending)."""
    return appeals.describe(appeals.approve(current_actor(), appeal_id))


@blp.post("/appeals/<id:appeal_id>/refuse")
@requires("organizer")
@blp.arguments(RefuseIn)
@blp.response(200, AppealOut)
@blp.doc(security=[BEARER])
def refuse_appeal(body, appeal_id):
    return appeals.describe(appeals.refuse(current_actor(), appeal_id, body["resolution"]))


@blp.post("/admin/late-corrections")
@requires("admin")
@blp.arguments(LateCorrectionIn)
@blp.response(201, LateCorrectionOut)
@blp.doc(security=[BEARER], parameters=[idempotency_header(required=False)])
def late_correction(body):
    """迟到更正: an admin over the member's organisation records a posting dated inside a final period
    (an adjust entry flagged late_correction). An optional Idempotency-Key makes a retry harmless."""
    key = idempotency_key(request.headers.get("Idempotency-Key"), required=False)
    return corrections.late_correction(current_actor(), body["member_id"], body["dimension"], body["delta"],
                                       body["occurred_on"], body["reason"], key)


@blp.get("/me/publicities")
@members_only
@blp.response(200, PublicityOut(many=True))
@blp.doc(security=[BEARER])
def my_publicities():
    """The 公示 whose sheet I am on (my branch's, or one above it), newest first."""
    return publicity.for_member(current_member_id())


@blp.get("/me/publicities/<id:publicity_id>")
@members_only
@blp.response(200, MemberPublicity)
@paginated(blp, page_size=200, max_page_size=1000)
@blp.doc(security=[BEARER])
def my_publicity(publicity_id, page):
    """A 公示's sheet as a member sees it: others' names masked, my row marked (mine) and given apart."""
    data = publicity.detail_for_member(current_member_id(), publicity_id, page.limit, page.offset)
    return Paged(data, data["sheet"]["members"])


@blp.get("/me/publicities/<id:publicity_id>/entries")
@members_only
@blp.response(200, MyEntriesOut)
@blp.doc(security=[BEARER])
def my_entries(publicity_id):
    """My score entries inside the 公示's period (what an appeal may name)."""
    return {"entries": appeals.my_entries(current_member_id(), publicity_id)}


@blp.get("/me/publicities/<id:publicity_id>/rules")
@members_only
@blp.response(200, RuleOut(many=True))
@blp.doc(security=[BEARER])
def appealable_rules(publicity_id):
    """The rules a 漏记 (missing award) appeal may name: active ones that award points."""
    return appeals.awardable_rules(current_member_id(), publicity_id)


@blp.post("/me/publicities/<id:publicity_id>/appeals")
@members_only
@blp.arguments(AppealIn)
@blp.response(201, AppealOut)
@blp.doc(security=[BEARER])
def lodge_appeal(body, publicity_id):
    """积分申诉 during the window: an entry of mine (entry_id) or a missing award (rule_id), with a reason
    and up to 6 photos (storage keys from the photo upload)."""
    return appeals.describe(appeals.lodge(current_member_id(), publicity_id, entry_id=body["entry_id"],
                                          rule_id=body["rule_id"], reason=body["reason"], photos=body["photos"]))


@blp.get("/me/appeals")
@members_only
@blp.response(200, AppealOut(many=True))
@blp.doc(security=[BEARER])
def my_appeals():
    return [appeals.describe(a) for a in appeals.mine(current_member_id())]


@blp.get("/boards/publicities")
@blp.arguments(PublicBoardQuery, location="query")
@blp.response(200, PublicityOut(many=True))
def board_publicities(query):
    """公示栏: the 公示 now open that cover the organisation (no login)."""
    return publicity.on_board(query["org_id"])


@blp.get("/boards/publicities/<id:publicity_id>")
@blp.response(200, PublicPublicity)
@paginated(blp, page_size=500, max_page_size=2000)
def board_publicity(publicity_id, page):
    """A 公示's sheet for the public board: names masked (张*明), nothing else about a person."""
    data = publicity.public_detail(publicity_id, page.limit, page.offset)
    return Paged(data, data["sheet"]["members"])
