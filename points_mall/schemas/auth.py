"""Logins."""
from marshmallow import Schema, fields, validate

from .people import MemberOut


class WechatLoginIn(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 128))


class WechatLoginOut(Schema):
    token = fields.String()
    member = fields.Nested(MemberOut, allow_none=True)
    needs_binding = fields.Boolean()


class BindIn(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 50))
    phone = fields.String(required=True, validate=validate.Length(1, 20))


class BindOut(Schema):
    token = fields.String()
    member = fields.Nested(MemberOut)


class StaffLoginIn(Schema):
    username = fields.String(required=True, validate=validate.Length(1, 50))
    password = fields.String(required=True, validate=validate.Length(1, 200))


class StaffLoginOut(Schema):
    token = fields.String()
    roles = fields.List(fields.String())
    display_name = fields.String()
