"""Activities, check-ins, attendance."""
from marshmallow import Schema, fields, validate

from points_mall.common.fields import Day, Flag, Id, Int, Moment, Patch, Query, Text

from points_mall.activities.models import ACTIVITY_KINDS


class ActivityIn(Schema):
    org_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ACTIVITY_KINDS))
    title = Text(required=True, validate=validate.Length(1, 100))
    description = Text(multi_line=True, load_default="", validate=validate.Length(0, 5000))
    place = Text(load_default="", validate=validate.Length(0, 200))
    latitude = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-90, 90))
    longitude = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-180, 180))
    radius_m = Int(load_default=None, allow_none=True, validate=validate.Range(10, 100000))
    starts_at = Moment(required=True)
    ends_at = Moment(required=True)
    checkin_opens_at = Moment(load_default=None, allow_none=True)
    checkin_closes_at = Moment(load_default=None, allow_none=True)
    capacity = Int(load_default=None, allow_none=True, validate=validate.Range(1, 100000))
    open_to_volunteers = Flag(load_default=False)
    rule_code = Text(load_default=None, allow_none=True)
    publish = Flag(load_default=False)


class ActivityPatch(Patch, ActivityIn):
    class Meta:
        exclude = ("org_id", "publish")


class ActivityOut(Schema):
    id = fields.Integer()
    org_id = fields.Integer()
    org_name = fields.Function(lambda a: a.org.name)
    kind = fields.String()
    title = fields.String()
    description = fields.String()
    place = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    radius_m = fields.Integer(allow_none=True)
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    checkin_opens_at = fields.DateTime()
    checkin_closes_at = fields.DateTime()
    capacity = fields.Integer(allow_none=True)
    open_to_volunteers = Flag()
    rule_id = fields.Integer(allow_none=True)
    status = fields.String()


class ActivityQuery(Query):
    scope = fields.String(load_default="mine", validate=validate.OneOf(["mine", "managed"]))
    status = fields.String(load_default=None, validate=validate.OneOf(["upcoming", "past"]))
    start = Day(load_default=None, data_key="from", metadata={"description": "只要这天及以后开始的（scope=managed）"})
    end = Day(load_default=None, data_key="to", metadata={"description": "只要这天及以前开始的（scope=managed）"})


class CancelIn(Schema):
    reason = Text(multi_line=True, required=True, validate=validate.Length(1, 200))


class CodeOut(Schema):
    payload = fields.String()
    png_url = fields.String()
    svg = fields.String()
    expires_in = fields.Integer()
    step = fields.Integer()


class MiniProgramCodeOut(Schema):
    scene = fields.String()
    image = fields.String()  # data:image/png;base64,…
    expires_in = fields.Integer()
    step = fields.Integer()


class OaCodeOut(Schema):
    ticket = fields.String()
    url = fields.String()
    expire_seconds = fields.Integer()


class CheckinIn(Schema):
    payload = Text(required=True, validate=validate.Length(1, 300))
    nonce = Text(required=True, validate=validate.Length(8, 64))
    latitude = fields.Float(load_default=None, validate=validate.Range(-90, 90))
    longitude = fields.Float(load_default=None, validate=validate.Range(-180, 180))


class OrganizerCheckinIn(Schema):
    member_code = Text(load_default=None, validate=validate.Length(1, 300))
    member_id = Id(load_default=None)
    nonce = Text(required=True, validate=validate.Length(8, 64))


class OfflineScan(OrganizerCheckinIn):
    scanned_at = Moment(required=True)


class OfflineIn(Schema):
    scans = fields.List(fields.Nested(OfflineScan), required=True, validate=validate.Length(1, 500))


class CheckinOut(Schema):
    activity = fields.Dict()
    member_id = fields.Integer()
    checkin_id = fields.Integer()
    points = fields.Integer()
    spendable = fields.Integer()
    late_upload = Flag()


class OfflineResult(CheckinOut):
    nonce = fields.String()
    outcome = fields.String()
    reason = fields.String()
    message = fields.String()


class LeaveIn(Schema):
    reason = Text(multi_line=True, required=True, validate=validate.Length(1, 500))


class LeaveOut(Schema):
    id = fields.Integer()
    activity_id = fields.Integer()
    member_id = fields.Integer()
    reason = fields.String()
    status = fields.String()


class MinutesIn(Schema):
    minutes = Text(multi_line=True, required=True, validate=validate.Length(1, 20000))


class Attendee(Schema):
    member_id = fields.Integer()
    name = fields.String()
    org = fields.String()
    scanned_at = fields.DateTime()
    method = fields.String()
    points = fields.Integer()
    late_upload = Flag()
    reason = fields.String()


class AttendanceOut(Schema):
    activity = fields.Nested(ActivityOut)
    minutes = fields.Function(lambda d: d["activity"].minutes)
    present = fields.List(fields.Nested(Attendee))
    on_leave = fields.List(fields.Nested(Attendee))
    absent = fields.List(fields.Nested(Attendee))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class FormatQuery(Query):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "xlsx"]))


class OrgAttendanceQuery(FormatQuery):
    org_id = Id(required=True)
    start = Day(required=True, data_key="from")
    end = Day(required=True, data_key="to")


class OrgAttendanceRow(Schema):
    activity_id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    org = fields.String()
    starts_at = fields.DateTime()
    expected = fields.Integer()
    present = fields.Integer()
    on_leave = fields.Integer()
    absent = fields.Integer()
    rate = fields.Float(allow_none=True)
    has_minutes = Flag()
