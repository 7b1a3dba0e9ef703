"""Organisations, members, staff, grants."""
from marshmallow import Schema, fields, validate

from points_mall.people.models import MEMBER_TYPES, ROLES
from points_mall.people.models import ORG_KINDS
from points_mall.common.fields import Day, Flag, Id, MaskedPhone, Phone, Query, Text, Upload


class OrgIn(Schema):
    name = Text(required=True, validate=validate.Length(1, 100))
    kind = fields.String(required=True, validate=validate.OneOf(ORG_KINDS))
    parent_id = Id(load_default=None, allow_none=True)


class OrgOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    parent_id = fields.Integer(allow_none=True)
    active = Flag(metadata={"description": "false: 已撤销"})


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


class MemberQuery(Query):
    org_id = Id(load_default=None)
    q = Text(load_default=None, validate=validate.Length(1, 50))


ImportIn = Upload


class ImportOut(Schema):
    imported = fields.Integer()


class GrantIn(Schema):
    member_id = Id(load_default=None)
    username = Text(load_default=None)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    org_id = Id(load_default=None)
    shop_id = Id(load_default=None)


class GrantOut(Schema):
    id = fields.Integer()
    member_id = fields.Integer(allow_none=True)
    staff_id = fields.Integer(allow_none=True)
    role = fields.String()
    org_id = fields.Integer(allow_none=True)
    shop_id = fields.Integer(allow_none=True)
