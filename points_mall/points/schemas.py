"""Rules, the ledger, awards, the member's own page."""
from marshmallow import Schema, fields, validate

from points_mall.common.fields import Flag, Id, Int, Patch, Query, Text

from points_mall.points.models import CAP_PERIODS, DIMENSIONS
from points_mall.people.schemas.members import MemberOut


class RuleIn(Schema):
    code = Text(required=True, validate=validate.Regexp(r"^[a-z0-9_.-]{1,50}$"))
    name = Text(required=True, validate=validate.Length(1, 100))
    dimension = fields.String(required=True, validate=validate.OneOf(DIMENSIONS))
    points = Int(required=True, validate=validate.Range(-1000, 1000))
    cap_period = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(CAP_PERIODS))
    cap = Int(load_default=None, allow_none=True, validate=validate.Range(1, 100000))
    needs_approval = Flag(load_default=False)
    declarable = Flag(load_default=False, metadata={"description": "党员可按此细则申报（积分申报）"})


class RuleOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    dimension = fields.String()
    points = fields.Integer()
    cap_period = fields.String(allow_none=True)
    cap = fields.Integer(allow_none=True)
    needs_approval = Flag()
    declarable = Flag()
    version = fields.Integer(metadata={"description": "当前版本；修改分值、上限、名称、审批或申报会生成新版本"})


class EntryOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    dimension = fields.String(allow_none=True)
    year = fields.Integer()
    delta_score = fields.Integer()
    delta_spendable = fields.Integer()
    reason = fields.String()
    source_type = fields.String(allow_none=True)
    source_id = fields.Integer(allow_none=True)
    occurred_at = fields.DateTime()
    reverses_id = fields.Integer(allow_none=True)
    rule_id = fields.Integer(allow_none=True)
    rule_version = fields.Integer(allow_none=True, metadata={"description": "记分时细则的版本"})
    rule_name = fields.String(allow_none=True, metadata={"description": "in the member's ledger: the rule"})
    given_by = fields.String(metadata={"description": "in the member's ledger: who gave it (本人扫码, a staff name, 系统)"})


class LedgerQuery(Query):
    cursor = Id(load_default=None)
    limit = Int(load_default=20, validate=validate.Range(1, 100))


class LedgerPage(Schema):
    entries = fields.List(fields.Nested(EntryOut))
    next_cursor = fields.Integer(allow_none=True)


class MeQuery(Query):
    year = Int(load_default=None, validate=validate.Range(2000, 2100))


class MeOut(Schema):
    member = fields.Nested(MemberOut)
    org_name = fields.String()
    year = fields.Integer()
    spendable = fields.Integer()
    score = fields.Integer()
    score_by_dimension = fields.Dict(keys=fields.String(), values=fields.Integer())
    stars = fields.Integer()


class AwardIn(Schema):
    member_ids = fields.List(Id(), required=True, validate=validate.Length(1, 500))
    rule_code = Text(required=True, validate=validate.Length(1, 50))
    reason = Text(multi_line=True, load_default="", validate=validate.Length(0, 500))


class AwardLineOut(Schema):
    member_id = fields.Integer()
    name = fields.Raw(dump_only=True, metadata={"description": "党员姓名（审批时核对）"})  # named by awards.described
    points = fields.Integer(allow_none=True)
    outcome = fields.String(allow_none=True)


class AwardOut(Schema):
    id = fields.Integer()
    rule_id = fields.Integer()
    rule_name = fields.Raw(dump_only=True)
    created_at = fields.DateTime()
    reason = fields.String()
    status = fields.String()
    proposer = fields.String()
    proposer_name = fields.Raw(dump_only=True)
    decided_by = fields.String(allow_none=True)
    decision_note = fields.String()
    lines = fields.List(fields.Nested(AwardLineOut))


class DecisionIn(Schema):
    note = Text(multi_line=True, load_default="", validate=validate.Length(0, 500))


class ReverseIn(Schema):
    reason = Text(multi_line=True, required=True, validate=validate.Length(1, 500))


class RuleQuery(Query):
    include_retired = Flag(load_default=True)


class RulePatch(Patch):
    """What may change in a rule; its code and dimension are fixed once points were given under it."""

    name = Text(validate=validate.Length(1, 100))
    points = Int(validate=validate.Range(-1000, 1000))
    cap_period = fields.String(allow_none=True, validate=validate.OneOf(CAP_PERIODS))
    cap = Int(allow_none=True, validate=validate.Range(1, 100000))
    needs_approval = Flag()
    declarable = Flag(metadata={"description": "党员可按此细则申报"})
    active = Flag()


class RuleKept(RuleOut):
    active = Flag()


class RuleVersionOut(Schema):
    """A rule as it stood from one edit to the next; entries posted meanwhile carry this version."""

    version = fields.Integer()
    name = fields.String()
    points = fields.Integer()
    cap_period = fields.String(allow_none=True)
    cap = fields.Integer(allow_none=True)
    needs_approval = Flag()
    declarable = Flag()
    created_by = fields.String(allow_none=True, metadata={"description": "staff:3 / member:7；第1版由导入或演示数据生成时为空"})
    created_by_name = fields.Raw(dump_only=True, allow_none=True)
    created_at = fields.DateTime()
