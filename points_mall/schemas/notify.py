"""The inbox, consents, the outbox view."""
from marshmallow import Schema, fields, validate


class MessageOut(Schema):
    id = fields.Integer()
    event = fields.String()
    title = fields.String()
    body = fields.String()
    data = fields.Dict()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class MessagesQuery(Schema):
    cursor = fields.Integer(load_default=None, validate=validate.Range(min=1))
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class MessagesPage(Schema):
    messages = fields.List(fields.Nested(MessageOut))
    next_cursor = fields.Integer(allow_none=True)
    unread = fields.Integer()


class ReadOut(Schema):
    changed = fields.Integer()


class SubscriptionsIn(Schema):
    template_ids = fields.List(fields.String(validate=validate.Length(1, 64)), required=True,
                               validate=validate.Length(1, 20))


class AttemptOut(Schema):
    channel = fields.String()
    outcome = fields.String()
    error = fields.String(allow_none=True)
    worker = fields.String()
    at = fields.DateTime()


class OutboxItem(Schema):
    id = fields.Integer()
    member_id = fields.Integer(allow_none=True)
    staff_id = fields.Integer(allow_none=True)
    event = fields.String()
    title = fields.String()
    status = fields.String()
    channel = fields.String(allow_none=True)
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    history = fields.List(fields.Nested(AttemptOut))


class OutboxOut(Schema):
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    oldest_pending_seconds = fields.Float()
    dead = fields.List(fields.Nested(OutboxItem))
