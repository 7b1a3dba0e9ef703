"""The members' web pages: web log-in, JS-SDK config, shops and goods as a member sees them, scans."""
from marshmallow import Schema, fields, validate

from points_mall.activities.schemas import ActivityOut, CheckinIn
from points_mall.common.fields import Id, Query, Text
from points_mall.mall.schemas.mall import ProductOut


class WebLoginIn(Schema):
    code = Text(required=True, validate=validate.Length(1, 128))


class AuthorizeQuery(Query):
    next = Text(load_default="/m/", validate=validate.Length(1, 500))
    state = Text(load_default="", validate=validate.Regexp(r"^[A-Za-z0-9_-]{0,64}$"))
    hint = Text(load_default=None, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,60}$"), metadata={
        "description": "the openid to come back as; only the console gateway (no WeChat) uses it"})


class AuthorizeOut(Schema):
    url = fields.String()


class JsapiQuery(Query):
    url = Text(required=True, validate=validate.Length(1, 1000))


class JsapiConfigOut(Schema):
    appId = fields.String()
    timestamp = fields.Integer()
    nonceStr = fields.String()
    signature = fields.String()


class ScanIn(CheckinIn):
    receipt = Text(load_default=None, validate=validate.Regexp(r"^\d{1,12}\.[0-9a-f]{32}$"), metadata={
        "description": "the scan receipt from the code's link: the code counts as scanned at that time"})


class MemberShopsQuery(Query):
    shop_id = Id(required=True)


class MemberProductOut(ProductOut):
    limit_left = fields.Integer(allow_none=True, metadata={"description": "how many more this member may take"})
    limit_period_name = fields.String(allow_none=True)



class MyActivitiesQuery(Query):
    status = fields.String(load_default=None, validate=validate.OneOf(["upcoming", "past"]))


class MyLeaveOut(Schema):
    id = fields.Integer()
    reason = fields.String()
    status = fields.String(metadata={"description": "pending / approved / rejected"})


class MyActivityOut(ActivityOut):
    """An activity with the member's part in it."""

    checked_in_at = fields.DateTime(allow_none=True)
    points = fields.Integer(allow_none=True)
    leave = fields.Nested(MyLeaveOut, allow_none=True)
    outcome = fields.String(allow_none=True, metadata={"description": "present / on_leave / absent, null while open"})
