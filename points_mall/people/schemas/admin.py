"""What the console's admin pages send and get: the tree, member search and edits, the import check,
grants, rules and shops as kept, photos, the board's branch and dimension views."""
from marshmallow import Schema, fields, validate

from points_mall.people.models import MEMBER_STATUSES, MEMBER_TYPES
from points_mall.points.models import CAP_PERIODS, DIMENSIONS
from points_mall.common.fields import Day, Flag, Id, Int, MaskedName, Patch, Phone, Query, Text, Upload
from points_mall.people.schemas.people import MemberOut
from points_mall.points.schemas import RuleOut
from points_mall.mall.schemas.mall import ShopOut


class OrgNode(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    parent_id = fields.Integer(allow_none=True)
    active = Flag()
    members = fields.Integer(metadata={"description": "在册（正常状态）人数，不含下级"})
    children = fields.List(fields.Nested(lambda: OrgNode()))


class OrgTreeQuery(Query):
    include_retired = Flag(load_default=False)


class OrgPatch(Patch):
    """Rename, move under another parent, or both."""

    name = Text(validate=validate.Length(1, 100))
    parent_id = Id()


class OrgKept(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    parent_id = fields.Integer(allow_none=True)
    active = Flag()


class MemberSearch(Query):
    org_id = Id(load_default=None)
    q = Text(load_default=None, validate=validate.Length(1, 50))
    member_type = fields.String(load_default=None, validate=validate.OneOf(MEMBER_TYPES))
    status = fields.String(load_default=None, validate=validate.OneOf(MEMBER_STATUSES))


class MemberPatch(Patch):
    name = Text(validate=validate.Length(1, 50))
    phone = Phone()
    member_type = fields.String(validate=validate.OneOf(MEMBER_TYPES))
    org_id = Id()
    party_birthday = Day(allow_none=True)
    joined_on = Day(allow_none=True)
    status = fields.String(validate=validate.OneOf(MEMBER_STATUSES),
                           metadata={"description": "active 正常, inactive 停用, transferred 已转出"})


class MemberRow(MemberOut):
    org = fields.Function(lambda m: m.org.name if m.org else "")


class ChangeNote(Schema):
    note = Text(multi_line=True, load_default="", validate=validate.Length(0, 500))


class TransferIn(ChangeNote):
    """组织关系转接: to another organisation, from a day (not in the future, not before the current one began)."""

    org_id = Id(required=True)
    effective_on = Day(load_default=None, metadata={"description": "生效日期，默认今天"})


class TypeChangeIn(ChangeNote):
    """转正 and other changes of type, from a day."""

    member_type = fields.String(required=True, validate=validate.OneOf(MEMBER_TYPES))
    effective_on = Day(load_default=None, metadata={"description": "生效日期，默认今天"})


class MembershipOut(Schema):
    org_id = fields.Integer()
    org = fields.String()
    since = fields.Date(allow_none=True, metadata={"description": "空：系统启用前即已在此组织"})
    until = fields.Date(allow_none=True, metadata={"description": "不含当天；空：至今"})


class MemberChangeOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "transfer 转接, type 类型变更, status 停用/启用"})
    before = fields.String()
    after = fields.String()
    before_label = fields.String()
    after_label = fields.String()
    effective_on = fields.Date()
    note = fields.String()
    actor = fields.String(allow_none=True)
    actor_name = fields.Raw(dump_only=True, allow_none=True)
    created_at = fields.DateTime()


class MemberHistoryOut(Schema):
    member = fields.Nested(MemberRow)
    memberships = fields.List(fields.Nested(MembershipOut))
    changes = fields.List(fields.Nested(MemberChangeOut))


class RowError(Schema):
    row = fields.Integer()
    code = fields.String()
    message = fields.String()


class PreviewError(Schema):
    code = fields.String()
    message = fields.String()


class PreviewRow(Schema):
    row = fields.Integer(metadata={"description": "表格中的行号（表头为第1行）"})
    name = fields.String()
    phone = fields.String()
    member_type = fields.String()
    org = fields.String()
    errors = fields.List(fields.Nested(PreviewError))


class ImportCheckOut(Schema):
    rows = fields.Integer()
    valid = fields.Integer()
    error_count = fields.Integer()
    ok = Flag(metadata={"description": "true: 没有错误，可以导入"})
    preview = fields.List(fields.Nested(PreviewRow))
    errors = fields.List(fields.Nested(RowError))


class GrantRow(Schema):
    id = fields.Integer()
    role = fields.String()
    member_id = fields.Integer(allow_none=True)
    staff_id = fields.Integer(allow_none=True)
    holder = fields.String(metadata={"description": "用户名或党员姓名"})
    holder_kind = fields.String()
    org_id = fields.Integer(allow_none=True)
    shop_id = fields.Integer(allow_none=True)
    scope = fields.String(metadata={"description": "授权范围：组织或超市名称，全部组织"})
    created_at = fields.DateTime()


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


class ShopPatch(Patch):
    name = Text(validate=validate.Length(1, 100))
    org_id = Id()
    address = Text(validate=validate.Length(0, 200))
    opening_hours = Text(validate=validate.Length(0, 100))
    active = Flag()


class ShopKept(ShopOut):
    active = Flag()
    org = fields.Function(lambda s: s.org.name if s.org else "")


PhotoIn = Upload


class PhotoOut(Schema):
    key = fields.String()
    url = fields.String(metadata={"description": "图片地址，内容不变，可长期缓存；填入商品的 image_url"})
    content_type = fields.String()
    size = fields.Integer()


class BoardViewQuery(Query):
    org_id = Id(required=True)
    year = Int(load_default=None, validate=validate.Range(2000, 2100))


class BranchRow(Schema):
    org_id = fields.Integer()
    org = fields.String()
    members = fields.Integer()
    score = fields.Integer()
    average = fields.Float()
    by_dimension = fields.Dict(keys=fields.String(validate=validate.OneOf(DIMENSIONS)), values=fields.Integer())


class BranchBoardOut(Schema):
    org = fields.String()
    year = fields.Integer()
    rows = fields.List(fields.Nested(BranchRow))


class Leader(Schema):
    name = MaskedName()
    score = fields.Integer()


class DimensionRow(Schema):
    dimension = fields.String()
    score = fields.Integer()
    top = fields.List(fields.Nested(Leader))


class DimensionBoardOut(Schema):
    org = fields.String()
    year = fields.Integer()
    members = fields.Integer()
    rows = fields.List(fields.Nested(DimensionRow))
