"""What the staff console reads that no other client needs."""
from marshmallow import Schema, fields


class LeaveRequestOut(Schema):
    id = fields.Integer()
    activity_id = fields.Integer()
    member_id = fields.Integer()
    name = fields.String()
    org = fields.String()
    reason = fields.String()
    status = fields.String(metadata={"description": "pending / approved / rejected"})
    decided_by = fields.String(allow_none=True)
    created_at = fields.DateTime()


class FunderOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    parent_id = fields.Integer(allow_none=True)
