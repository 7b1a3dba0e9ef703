"""Score sheets, 公示, appeals and late corrections."""
from marshmallow import Schema, fields, validate

from points_mall.points.models import DIMENSIONS
from points_mall.year.periods import PERIODS
from points_mall.common.fields import Day, Id, Int, MaskedName, Query, Text
from points_mall.points.schemas import EntryOut

FORMATS = ["json", "xlsx"]


class SheetQuery(Query):
    org_id = Id(required=True)
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    start = Day(required=True, metadata={"description": "期间内任一天（YYYY-MM-DD）：取其所在的月、季度或年"})
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))


class PublicityFormatQuery(Query):
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))


class SheetRow(Schema):
    member_id = fields.Integer()
    name = fields.String()
    status = fields.String()
    org = fields.String(metadata={"description": "期间内所在的组织"})
    rank = fields.Integer(metadata={"description": "名次，同分同名次"})
    total = fields.Integer()
    by_dimension = fields.Dict(keys=fields.String(), values=fields.Integer())
    belonged_from = fields.Date(allow_none=True, metadata={"description": "期间内中途转入/转出时：在册起始日"})
    belonged_to = fields.Date(allow_none=True, metadata={"description": "在册截止日（含）"})


class MaskedRow(SheetRow):
    """A row others read: the name masked (张*明) but for the member's own row (mine)."""

    mine = fields.Boolean()


class PublicRow(Schema):
    rank = fields.Integer()
    name = MaskedName()
    org = fields.String()
    total = fields.Integer()
    by_dimension = fields.Dict(keys=fields.String(), values=fields.Integer())


class SheetOut(Schema):
    org_id = fields.Integer()
    org = fields.String()
    period = fields.String()
    period_name = fields.String()
    label = fields.String(metadata={"description": "2026年3月 / 2026年第1季度 / 2026年度"})
    start = fields.Date()
    end = fields.Date(metadata={"description": "期间最后一天（含）"})
    members = fields.Integer(metadata={"description": "名单总人数（分页前）"})
    rows = fields.List(fields.Nested(SheetRow))


class PublicityIn(Schema):
    org_id = Id(required=True)
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    start = Day(required=True, metadata={"description": "期间内任一天"})
    window_days = Int(load_default=5, validate=validate.Range(1, 30), metadata={"description": "公示天数，默认5天"})
    title = Text(load_default=None, validate=validate.Length(1, 100))


class PublicityOut(Schema):
    id = fields.Integer()
    org_id = fields.Integer()
    org = fields.String()
    period = fields.String()
    label = fields.String()
    start = fields.Date()
    end = fields.Date()
    title = fields.String()
    opens_at = fields.DateTime()
    closes_at = fields.DateTime()
    status = fields.String(metadata={"description": "open 公示中 / closed 已结束（期间已定稿）"})
    published_by = fields.String()
    open_appeals = fields.Integer(metadata={"description": "待处理的申诉"})


class PublicityQuery(Query):
    org_id = Id(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(["open", "closed"]))


class PublicityDetail(PublicityOut):
    sheet = fields.Nested(SheetOut)


class MemberSheet(SheetOut):
    rows = fields.List(fields.Nested(MaskedRow))
    my_row = fields.Nested(SheetRow, allow_none=True)


class MemberPublicity(PublicityOut):
    sheet = fields.Nested(MemberSheet)


class PublicSheet(SheetOut):
    rows = fields.List(fields.Nested(PublicRow))


class PublicPublicity(PublicityOut):
    sheet = fields.Nested(PublicSheet)


class PublicBoardQuery(Query):
    org_id = Id(required=True)


class AppealIn(Schema):
    entry_id = Id(load_default=None, metadata={"description": "有异议的积分记录（二选一）"})
    rule_id = Id(load_default=None, metadata={"description": "漏记：应得的积分细则（二选一）"})
    reason = Text(required=True, multi_line=True, validate=validate.Length(1, 500))
    photos = fields.List(fields.String(validate=validate.Length(1, 80)), load_default=list,
                         validate=validate.Length(0, 6), metadata={"description": "证明照片的存储键，最多6张"})


class AppealPhoto(Schema):
    key = fields.String()
    url = fields.String()


class CorrectionOut(Schema):
    id = fields.Integer()
    delta_score = fields.Integer()
    late_correction = fields.Boolean()


class AppealOut(Schema):
    id = fields.Integer()
    publicity_id = fields.Integer()
    publicity = fields.String()
    label = fields.String()
    closes_at = fields.DateTime()
    member_id = fields.Integer()
    member = fields.String()
    kind = fields.String(metadata={"description": "entry 对记录有异议 / missing 漏记"})
    entry = fields.Nested(EntryOut, allow_none=True)
    rule_id = fields.Integer(allow_none=True)
    rule = fields.String(allow_none=True)
    dimension = fields.String(allow_none=True)
    reason = fields.String()
    photos = fields.List(fields.Nested(AppealPhoto))
    status = fields.String(metadata={"description": "open 待处理 / pending 更正超出限度，待另一位组织者审批 / "
                                                    "corrected 已更正 / refused 不予更正"})
    resolution = fields.String()
    resolved_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    correction = fields.Nested(CorrectionOut, allow_none=True)
    proposed_delta = fields.Integer(allow_none=True, metadata={"description": "待审批的更正分值（pending 时）"})


class AppealQuery(Query):
    publicity_id = Id(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(["open", "pending", "corrected", "refused"]))


class CorrectIn(Schema):
    delta = Int(load_default=None, minimum=-1000, maximum=1000,
                metadata={"description": "更正的分值（对记录申诉时必填；漏记时默认细则分值）"})
    resolution = Text(multi_line=True, load_default="", validate=validate.Length(0, 500))


class RefuseIn(Schema):
    resolution = Text(required=True, multi_line=True, validate=validate.Length(1, 500),
                      metadata={"description": "不予更正的理由（党员会看到）"})


class LateCorrectionIn(Schema):
    member_id = Id(required=True)
    dimension = fields.String(required=True, validate=validate.OneOf(DIMENSIONS))
    delta = Int(required=True, minimum=-1000, maximum=1000)
    occurred_on = Day(required=True, metadata={"description": "积分所属日期（在已定稿的期间内）"})
    reason = Text(required=True, multi_line=True, validate=validate.Length(1, 500))


class LateCorrectionOut(EntryOut):
    late_correction = fields.Boolean()
    spendable_after = fields.Integer(allow_none=True)


class MyEntriesOut(Schema):
    entries = fields.List(fields.Nested(EntryOut))
