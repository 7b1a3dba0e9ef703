"""Logins."""
from marshmallow import Schema, fields, validate

from points_mall.common.fields import Flag, Phone, Text
from points_mall.people.schemas.members import MemberOut


class WechatLoginIn(Schema):
    code = Text(required=True, validate=validate.Length(1, 128))


class WechatLoginOut(Schema):
    token = fields.String()
    member = fields.Nested(MemberOut, allow_none=True)
    needs_binding = Flag()


class BindIn(Schema):
    name = Text(required=True, validate=validate.Length(1, 50))
    phone = Phone(required=True)


class BindOut(Schema):
    token = fields.String()
    member = fields.Nested(MemberOut)


class StaffLoginIn(Schema):
    username = Text(required=True, validate=validate.Length(1, 50))
    password = Text(required=True, validate=validate.Length(1, 200))


class StaffLoginOut(Schema):
    token = fields.String()
    roles = fields.List(fields.String())
    display_name = fields.String()


class SessionGrantOut(Schema):
    role = fields.String()
    org_id = fields.Integer(allow_none=True)
    org_name = fields.String(allow_none=True)
    shop_id = fields.Integer(allow_none=True)
    shop_name = fields.String(allow_none=True)


class SessionOut(Schema):
    kind = fields.String(metadata={"description": "staff 或 member"})
    id = fields.Integer()
    name = fields.String()
    roles = fields.List(fields.String())
    grants = fields.List(fields.Nested(SessionGrantOut))
