"""The inbox, consents, the outbox view."""
from marshmallow import Schema, fields, validate

from points_mall.common.fields import Query, Id, Int, Text


class MessageOut(Schema):
    id = fields.Integer()
    event = fields.String()
    title = fields.String()
    body = fields.String()
    data = fields.Dict()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class MessagesQuery(Query):
    cursor = Id(load_default=None)
    limit = Int(load_default=20, validate=validate.Range(1, 100))


class MessagesPage(Schema):
    messages = fields.List(fields.Nested(MessageOut))
    next_cursor = fields.Integer(allow_none=True)
    unread = fields.Integer()


class ReadOut(Schema):
    changed = fields.Integer()


class SubscriptionsIn(Schema):
    template_ids = fields.List(Text(validate=validate.Length(1, 64)), required=True,
                               validate=validate.Length(1, 20))


class AttemptOut(Schema):
    channel = fields.String()
    outcome = fields.String()
    error = fields.String(allow_none=True)
    worker = fields.String()
    at = fields.DateTime()


class OutboxItem(Schema):
    id = Id()
    member_id = Id(allow_none=True)
    staff_id = Id(allow_none=True)
    event = Text()
    title = Text()
    status = Text()
    channel = Text(allow_none=True)
    attempts = Int()
    last_error = Text(allow_none=True)
    created_at = fields.DateTime()
    history = fields.List(fields.Nested(AttemptOut))


class UnreachableOut(Schema):
    """A member WeChat cannot push to: not a follower of the public account (43004)."""

    member_id = Id()
    name = Text()
    org_id = Id()
    since = fields.DateTime()


class OutboxOut(Schema):
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    oldest_pending_seconds = fields.Float()
    dead = fields.List(fields.Nested(OutboxItem))
    unreachable = fields.List(fields.Nested(UnreachableOut))
    sent_today = fields.Dict(keys=fields.String(), values=fields.Integer())  # per API, against the daily cap
    daily_cap = Int()
