"""The audit trail as the admin searches it."""
from marshmallow import Schema, fields, validate

from points_mall.common.fields import Day, Id, Int, Query, Text


class AuditQuery(Query):
    actor = Text(load_default=None, validate=validate.Length(0, 100),
                 metadata={"description": "操作人：staff:3 / member:12 这样的类型和编号，或姓名、用户名的一部分"})
    entity = Text(load_default=None, validate=validate.Length(0, 40),
                  metadata={"description": "对象类型，如 org、member、grant、rule、shop、product、activity"})
    entity_id = Id(load_default=None)
    action = Text(load_default=None, validate=validate.Length(0, 40),
                  metadata={"description": "操作，如 org.create、award.approve、staff-login"})
    start = Day(load_default=None, data_key="from", metadata={"description": "自这一天（含，北京时间）"})
    end = Day(load_default=None, data_key="to", metadata={"description": "至这一天（含，北京时间）"})
    cursor = Id(load_default=None, metadata={"description": "上一页最后一条的 id"})
    limit = Int(load_default=50, validate=validate.Range(1, 200))


class AuditEntryOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_kind = fields.String(metadata={"description": "staff / member / system / anonymous（登录失败时）"})
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String(metadata={"description": "用户名或姓名；登录失败时为所填的用户名或 openid"})
    address = fields.String(allow_none=True, metadata={"description": "客户端地址"})
    action = fields.String()
    entity = fields.String()
    entity_id = fields.Integer(allow_none=True)
    before = fields.Dict(allow_none=True, metadata={"description": "修改前的值（编辑时只含改动的字段）"})
    after = fields.Dict(allow_none=True, metadata={"description": "修改后的值；登录时为 {key, outcome}"})


class AuditPage(Schema):
    entries = fields.List(fields.Nested(AuditEntryOut))
    next_cursor = fields.Integer(allow_none=True)
