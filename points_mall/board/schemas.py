"""The public boards: names masked, nothing else about a person."""
from marshmallow import Schema, fields, validate

from points_mall.points.models import DIMENSIONS
from points_mall.common.fields import Query, Id, Int, MaskedName


class BoardQuery(Query):
    org_id = Id(required=True)
    year = Int(load_default=None, validate=validate.Range(2000, 2100))
    dimension = fields.String(load_default=None, validate=validate.OneOf(DIMENSIONS))
    limit = Int(load_default=50, validate=validate.Range(1, 500))


class BoardRow(Schema):
    rank = fields.Integer()
    name = MaskedName()
    org = fields.String()
    score = fields.Integer()
    stars = fields.Integer(allow_none=True)


class BoardOut(Schema):
    org = fields.String()
    year = fields.Integer()
    dimension = fields.String(allow_none=True)
    members = fields.Integer()
    rows = fields.List(fields.Nested(BoardRow))
    my_rank = fields.Integer(allow_none=True)
    my_score = fields.Integer(allow_none=True)


class BoardViewQuery(Query):
    org_id = Id(required=True)
    year = Int(load_default=None, validate=validate.Range(2000, 2100))


class BranchRow(Schema):
    org_id = fields.Integer()
    org = fields.String()
    members = fields.Integer()
    score = fields.Integer()
    average = fields.Float()
    by_dimension = fields.Dict(keys=fields.String(validate=validate.OneOf(DIMENSIONS)), values=fields.Integer())


class BranchBoardOut(Schema):
    org = fields.String()
    year = fields.Integer()
    rows = fields.List(fields.Nested(BranchRow))


class Leader(Schema):
    name = MaskedName()
    score = fields.Integer()


class DimensionRow(Schema):
    dimension = fields.String()
    score = fields.Integer()
    top = fields.List(fields.Nested(Leader))


class DimensionBoardOut(Schema):
    org = fields.String()
    year = fields.Integer()
    members = fields.Integer()
    rows = fields.List(fields.Nested(DimensionRow))
