"""What the settlement and opening-balance endpoints send and get."""
from marshmallow import Schema, fields, validate

from points_mall.year.models import SETTLEMENT_MODES
from points_mall.common.fields import Flag, Id, Int, PreviewError, Query, WorkbookCheck

Year = lambda **kw: Int(validate=validate.Range(2000, 2100), **kw)  # noqa: E731 - a field type, read as one


class PolicyIn(Schema):
    mode = fields.String(required=True, validate=validate.OneOf(SETTLEMENT_MODES),
                         metadata={"description": "keep 保留, clear_all 年末清零, clear_older 清除N个月前获得的积分"})
    months = Int(load_default=None, allow_none=True, validate=validate.Range(1, 120),
                 metadata={"description": "clear_older 必填（否则 invalid_policy）：年末往前推N个月，此前获得且未用完的积分到期"})
    notice_days = Int(load_default=30, validate=validate.Range(0, 365),
                      metadata={"description": "提前几天通知党员将到期的积分"})


class PolicyOwn(Schema):
    mode = fields.String()
    months = fields.Integer(allow_none=True)
    notice_days = fields.Integer()
    updated_by = fields.String(allow_none=True)
    updated_at = fields.DateTime()


class PolicyInForce(Schema):
    mode = fields.String()
    months = fields.Integer(allow_none=True)
    notice_days = fields.Integer()
    from_org_id = fields.Integer(allow_none=True, metadata={"description": "设置所在的组织；空：未设置，默认保留"})
    from_org = fields.String()
    summary = fields.String()


class PolicyRow(Schema):
    org_id = fields.Integer()
    name = fields.String()
    parent_id = fields.Integer(allow_none=True)
    active = Flag()
    own = fields.Nested(PolicyOwn, allow_none=True, metadata={"description": "本组织自己的设置；空：沿用上级"})
    effective = fields.Nested(PolicyInForce, metadata={"description": "实际适用的设置（本级或最近的上级）"})


class PreviewQuery(Query):
    year = Year(required=True)
    org_id = Id(load_default=None)
    lapsing_only = Flag(load_default=False)
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "xlsx"]))
    page = Int(load_default=1, validate=validate.Range(1, 100000))
    page_size = Int(load_default=20, validate=validate.Range(1, 200))


class LapseRow(Schema):
    member_id = fields.Integer()
    name = fields.String()
    phone = fields.String(metadata={"description": "已隐去中间四位"})
    org = fields.String()
    spendable = fields.Integer()
    lapse = fields.Integer(metadata={"description": "将到期（已结算：已到期）的超市积分"})
    settled = Flag()
    mode = fields.String()
    why = fields.String()


class PreviewOut(Schema):
    year = fields.Integer()
    lapse_on = fields.Date()
    settled = Flag(metadata={"description": "该年度已结算过（至少部分党员）"})
    total = fields.Integer(metadata={"description": "符合条件的行数（分页前）"})
    members = fields.Integer()
    lapsing_members = fields.Integer()
    spendable = fields.Integer()
    lapse = fields.Integer()
    items = fields.List(fields.Nested(LapseRow))


class RunIn(Schema):
    year = Year(required=True)
    org_id = Id(load_default=None, allow_none=True, metadata={"description": "只结算这个组织及其下级；空：全部组织"})


class RunOut(Schema):
    id = fields.Integer()
    year = fields.Integer()
    trigger = fields.String(metadata={"description": "job 定时任务, cli 命令行, console 工作台"})
    actor = fields.String(allow_none=True)
    org_id = fields.Integer(allow_none=True)
    org = fields.String()
    status = fields.String(metadata={"description": "running / done / failed"})
    members_checked = fields.Integer()
    members_expired = fields.Integer()
    points_expired = fields.Integer()
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


class PageQuery(Query):
    page = Int(load_default=1, validate=validate.Range(1, 100000))
    page_size = Int(load_default=20, validate=validate.Range(1, 100))


class RunsOut(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(RunOut))


class LapseOut(Schema):
    year = fields.Integer()
    points = fields.Integer(metadata={"description": "年底将到期的超市积分；0：不会到期"})
    lapse_on = fields.Date()
    mode = fields.String()
    why = fields.String()


class OpeningQuery(Query):
    year = Year(load_default=None, metadata={"description": "年度积分所属年份；默认今年"})


class OpeningScores(Schema):
    study = fields.String()
    service = fields.String()
    performance = fields.String()
    morality = fields.String()
    integrity = fields.String()


class OpeningPreviewRow(Schema):
    row = fields.Integer(metadata={"description": "表格中的行号（表头为第1行）"})
    name = fields.String()
    phone = fields.String()
    spendable = fields.String()
    scores = fields.Nested(OpeningScores)
    errors = fields.List(fields.Nested(PreviewError))


class OpeningCheckOut(WorkbookCheck):
    preview = fields.List(fields.Nested(OpeningPreviewRow))


class OpeningImportOut(Schema):
    id = fields.Integer()
    year = fields.Integer()
    filename = fields.String()
    rows = fields.Integer()
    spendable = fields.Integer()
    created_by = fields.String()
    created_at = fields.DateTime()


class OpeningImportsOut(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(OpeningImportOut))
