"""Members: the roll as staff keep it (search, edits, the workbook import, dated changes and history)."""
from marshmallow import Schema, fields, validate

from points_mall.people.models import MEMBER_STATUSES, MEMBER_TYPES
from points_mall.common.fields import (
    Day, Id, MaskedPhone, Patch, Phone, PreviewError, Query, Text, Upload, WorkbookCheck)


class MemberIn(Schema):
    name = Text(required=True, validate=validate.Length(1, 50))
    phone = Phone(required=True)
    member_type = fields.String(required=True, validate=validate.OneOf(MEMBER_TYPES))
    org_id = Id(required=True)
    party_birthday = Day(load_default=None, allow_none=True)
    joined_on = Day(load_default=None, allow_none=True)


class MemberOut(Schema):
    """A member as staff in scope see them (phone masked all the same)."""

    id = fields.Integer()
    name = fields.String()
    phone = MaskedPhone()
    member_type = fields.String()
    org_id = fields.Integer()
    status = fields.String()
    party_birthday = fields.Date(allow_none=True)
    joined_on = fields.Date(allow_none=True)
    bound = fields.Function(lambda m: m.openid is not None)


ImportIn = Upload


class ImportOut(Schema):
    imported = fields.Integer()


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


class PreviewRow(Schema):
    row = fields.Integer(metadata={"description": "表格中的行号（表头为第1行）"})
    name = fields.String()
    phone = fields.String()
    member_type = fields.String()
    org = fields.String()
    errors = fields.List(fields.Nested(PreviewError))


class ImportCheckOut(WorkbookCheck):
    preview = fields.List(fields.Nested(PreviewRow))
