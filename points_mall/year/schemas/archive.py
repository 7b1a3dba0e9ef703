"""The points archive (积分档案): member search, the filtered ledger, one member's page."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from points_mall.points.models import ENTRY_KINDS
from points_mall.people.models import MEMBER_STATUSES, MEMBER_TYPES
from points_mall.points.models import DIMENSIONS
from points_mall.common.fields import Day, Flag, Id, Int, Pattern, Query, Text

CURSOR = r"^-?[0-9]{1,19}_[0-9]{1,18}$"


class ArchiveMemberQuery(Query):
    name = Text(load_default=None, validate=validate.Length(1, 50), metadata={"description": "姓名中的任意几个字"})
    phone = fields.String(load_default=None, validate=validate.Regexp(
        r"^([0-9]{4}|1[3-9][0-9]{9})$", error="请输入完整的11位手机号或后4位"),
        metadata={"description": "完整的11位手机号，或后4位"})
    org_id = Id(load_default=None, metadata={"description": "组织（含下级）"})
    member_type = fields.String(load_default=None, validate=validate.OneOf(MEMBER_TYPES))
    status = fields.String(load_default=None, validate=validate.OneOf(MEMBER_STATUSES))
    year = Int(load_default=None, validate=validate.Range(2000, 2100), metadata={"description": "年度积分的年份，默认今年"})


class ArchiveMemberRow(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String(metadata={"description": "脱敏手机号（138****0001），与党员名册一致"})
    member_type = fields.String()
    status = fields.String()
    org_id = fields.Integer()
    org = fields.String()
    year = fields.Integer()
    score = fields.Integer(metadata={"description": "该年度积分（各维度合计）"})
    spendable = fields.Integer(metadata={"description": "超市积分"})
    stars = fields.Integer(metadata={"description": "星级（按年度积分）"})


class ArchiveLedgerFilters(Query):
    """The filters of the ledger list and of its export."""

    member_id = Id(load_default=None)
    org_id = Id(load_default=None, metadata={"description": "组织（含下级），按党员现在所在的组织"})
    kind = fields.String(load_default=None, validate=validate.OneOf(ENTRY_KINDS))
    dimension = fields.String(load_default=None, validate=validate.OneOf(DIMENSIONS))
    rule_id = Id(load_default=None)
    start = Day(load_default=None, data_key="from", metadata={"description": "发生于这一天及以后（北京时间）"})
    end = Day(load_default=None, data_key="to", metadata={"description": "发生于这一天及以前（北京时间）"})
    late_only = Flag(load_default=False, metadata={"description": "只看补录更正（公示结束后由管理员补录）"})

    @validates_schema
    def _period(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("结束日期不能早于开始日期", "to")


class ArchiveLedgerQuery(ArchiveLedgerFilters):
    cursor = fields.String(load_default=None, validate=Pattern(CURSOR, "invalid_cursor"),
                           metadata={"description": "上一页答复中的 next_cursor"})
    limit = Int(load_default=50, validate=validate.Range(1, 200))


class ArchiveEntry(Schema):
    id = fields.Integer()
    member_id = fields.Integer()
    member_name = fields.String()
    org = fields.String(metadata={"description": "党员现在所在的组织"})
    kind = fields.String()
    dimension = fields.String(allow_none=True)
    year = fields.Integer()
    rule_id = fields.Integer(allow_none=True)
    rule_name = fields.String(allow_none=True, metadata={"description": "细则名称（记账时的版本）"})
    rule_version = fields.Integer(allow_none=True)
    delta_score = fields.Integer(metadata={"description": "年度积分变动"})
    delta_spendable = fields.Integer(metadata={"description": "超市积分变动"})
    reason = fields.String()
    actor = fields.String(allow_none=True, metadata={"description": "经办人：staff:3 / member:7，系统为空"})
    actor_name = fields.String()
    occurred_at = fields.DateTime()
    created_at = fields.DateTime(metadata={"description": "记账时间"})
    late_correction = fields.Boolean(metadata={"description": "补录更正（所在期间已公示结束）"})
    reverses_id = fields.Integer(allow_none=True, metadata={"description": "这是一条冲正，冲的是哪一条"})
    reversed_by_id = fields.Integer(allow_none=True, metadata={"description": "这一条已被哪一条冲正"})


class ArchiveLedgerPage(Schema):
    entries = fields.List(fields.Nested(ArchiveEntry))
    next_cursor = fields.String(allow_none=True, metadata={"description": "下一页的 cursor；没有更多时为空"})


class ArchivePageQuery(Query):
    year = Int(load_default=None, validate=validate.Range(2000, 2100))


class ArchivedMember(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    member_type = fields.String()
    status = fields.String()
    org_id = fields.Integer()
    org = fields.String()
    joined_on = fields.Date(allow_none=True)
    party_birthday = fields.Date(allow_none=True)
    bound = fields.Boolean()


class AttendanceSummary(Schema):
    invited = fields.Integer(metadata={"description": "本年已举行、该党员在参加范围内的活动"})
    attended = fields.Integer()
    on_leave = fields.Integer()
    absent = fields.Integer()
    rate = fields.Float(allow_none=True)


class DeclarationItem(Schema):
    id = fields.Integer()
    occurred_on = fields.Date()
    title = fields.String()
    status = fields.String()
    points = fields.Integer(allow_none=True)
    note = fields.String()
    rule_name = fields.String()
    dimension = fields.String()


class DeclarationSummary(Schema):
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Integer()
    items = fields.List(fields.Nested(DeclarationItem), metadata={"description": "最近50条"})


class MembershipRow(Schema):
    org_id = fields.Integer()
    org = fields.String()
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True)


class ChangeRow(Schema):
    kind = fields.String()
    before = fields.String()
    after = fields.String()
    effective_on = fields.Date()
    note = fields.String()
    actor = fields.String(allow_none=True)


class ArchivePage(Schema):
    member = fields.Nested(ArchivedMember)
    year = fields.Integer()
    years = fields.List(fields.Integer())
    spendable = fields.Integer()
    score = fields.Integer()
    score_by_dimension = fields.Dict(keys=fields.String(), values=fields.Integer())
    stars = fields.Integer()
    attendance = fields.Nested(AttendanceSummary)
    declarations = fields.Nested(DeclarationSummary)
    memberships = fields.List(fields.Nested(MembershipRow))
    changes = fields.List(fields.Nested(ChangeRow))
