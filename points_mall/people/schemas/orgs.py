"""Organisations: what the admin sends and gets for the tree (create, rename, move, retire)."""
from marshmallow import Schema, fields, validate

from points_mall.people.models import ORG_KINDS
from points_mall.common.fields import Flag, Id, Patch, Query, Text


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


class OrgTreeQuery(Query):
    include_retired = Flag(load_default=False)


class OrgPatch(Patch):
    """Rename, move under another parent, or both."""

    name = Text(validate=validate.Length(1, 100))
    parent_id = Id()


class OrgKept(OrgOut):
    """An organisation as the admin keeps it: renamed, moved or retired."""


class OrgNode(OrgKept):
    """An organisation in the tree, with its own members and its children."""

    members = fields.Integer(metadata={"description": "在册（正常状态）人数，不含下级"})
    children = fields.List(fields.Nested(lambda: OrgNode()))
