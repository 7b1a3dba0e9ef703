"""积分申报: what a member sends, what the member and the organizer read."""
from marshmallow import Schema, fields, validate

from points_mall.points.models import CAP_PERIODS, DIMENSIONS
from points_mall.year.models import DECLARATION_STATUSES
from points_mall.common.storage import KEY
from points_mall.common.fields import Day, Id, Query, Text

MAX_PHOTOS = 6


class DeclarableRuleOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    dimension = fields.String(metadata={"enum": list(DIMENSIONS)})
    points = fields.Integer()
    cap_period = fields.String(allow_none=True, metadata={"enum": list(CAP_PERIODS)})
    cap = fields.Integer(allow_none=True)


class DeclarationIn(Schema):
    rule_id = Id(required=True, metadata={"description": "可申报的积分细则"})
    occurred_on = Day(required=True, metadata={"description": "事项发生的日期：本年度内，不晚于今天"})
    title = Text(required=True, validate=validate.Length(1, 100), metadata={"description": "做了什么"})
    description = Text(multi_line=True, load_default="", validate=validate.Length(0, 2000))
    photos = fields.List(Text(validate=validate.Regexp(KEY, error="照片编号无效，请重新上传")), load_default=list,
                         validate=validate.Length(0, MAX_PHOTOS, error=f"最多上传{MAX_PHOTOS}张照片"),
                         metadata={"description": "POST /api/v1/me/photos 返回的 key，最多6张"})


class StatusQuery(Query):
    status = fields.String(load_default=None, validate=validate.OneOf(DECLARATION_STATUSES))


class ApproveIn(Schema):
    note = Text(multi_line=True, load_default="", validate=validate.Length(0, 500))


class ReasonIn(Schema):
    note = Text(multi_line=True, required=True, validate=validate.Length(1, 500),
                metadata={"description": "原因（党员会看到）"})


class PhotoRef(Schema):
    key = fields.String()
    url = fields.String()


class PhotoList(fields.List):
    """Storage keys in, {key, url} out: the URL is the public, content-hashed /api/v1/uploads/photos/<key>."""

    def __init__(self, **kw):
        super().__init__(fields.Nested(PhotoRef), **kw)

    def _serialize(self, value, attr, obj, **kwargs):
        from points_mall.common.storage import storage

        store = storage()
        return super()._serialize([{"key": k, "url": store.url(k)} for k in value or []], attr, obj, **kwargs)


class DeclarationOut(Schema):
    id = fields.Integer()
    member_id = fields.Integer()
    member_name = fields.Raw(dump_only=True)  # names the service adds (declarations.described)
    org_id = fields.Integer()
    org_name = fields.Raw(dump_only=True)
    rule_id = fields.Integer()
    rule_name = fields.Raw(dump_only=True)
    rule_points = fields.Raw(dump_only=True, metadata={"description": "细则的单次分值"})
    dimension = fields.Raw(dump_only=True)
    occurred_on = fields.Date()
    title = fields.String()
    description = fields.String()
    photos = PhotoList()
    status = fields.String(metadata={"enum": list(DECLARATION_STATUSES)})
    note = fields.String(metadata={"description": "组织者写的原因（驳回、退回）或批准意见"})
    points = fields.Integer(allow_none=True, metadata={"description": "批准后实际记入的分数（可能因上限少于单次分值）"})
    entry_id = fields.Integer(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_by_name = fields.Raw(dump_only=True)
    decided_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class StatusCounts(Schema):
    submitted = fields.Integer()
    returned = fields.Integer()
    approved = fields.Integer()
    rejected = fields.Integer()
