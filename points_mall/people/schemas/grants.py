"""Grants: who holds which role over which organisation or shop."""
from marshmallow import Schema, fields, validate

from points_mall.people.models import ROLES
from points_mall.common.fields import Id, Text


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
