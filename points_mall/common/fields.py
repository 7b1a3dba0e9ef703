"""Field types shared by every schema, and masking.

Each type refuses at the edge what the database or an export would choke on later, and says
so in the OpenAPI document: ids fit the integer column, text has no control characters,
dates lie in a plausible span.
"""
import re
from datetime import date, datetime, timezone

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema
from marshmallow.utils import get_value

from points_mall.errors import Invalid

INT32_MAX = 2**31 - 1
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2101, 1, 1, tzinfo=timezone.utc)  # through the end of 2100

# The span as the document states it: a pattern any JSON Schema validator reads, and ajv-formats'
# formatMinimum/formatMaximum. A time is in the span by the date it is written with (2000-01-01T00:00+08:00 is in).
YEAR_IN_SPAN = r"(20[0-9]{2}|2100)"
DAY_PATTERN = rf"^{YEAR_IN_SPAN}-[0-9]{{2}}-[0-9]{{2}}$"
MOMENT_PATTERN = rf"^{YEAR_IN_SPAN}-[0-9]{{2}}-[0-9]{{2}}[Tt ]"

# NUL is refused by PostgreSQL and every C0 control but tab and newlines by xlsx writers.
SINGLE_LINE = r"^[^\x00-\x1f\x7f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _validators(extra, *own):
    extra = extra if isinstance(extra, (list, tuple)) else ([extra] if extra else [])
    return [*own, *extra]


class Query(Schema):
    """A query string's schema: its numbers arrive as digits, not as JSON numbers; a parameter it
    does not know is refused, as the document says, rather than silently ignored (?org=3 for ?org_id=3).
    page and page_size belong to flask-smorest's paging, which reads the same query string."""

    PAGING = frozenset({"page", "page_size"})

    @pre_load
    def _known_only(self, data, **kwargs):
        known = {field.data_key or name for name, field in self.load_fields.items()} | self.PAGING
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationError({name: ["不认识的字段，请检查名称"] for name in unknown})
        return data


class Int(fields.Integer):
    """A whole number within the database's integer column: 1.5, true and "1" in a JSON body are
    refused, not cut or coerced; in a query string digits are the number."""

    def __init__(self, *, minimum: int = -INT32_MAX, maximum: int = INT32_MAX, **kw):
        kw["strict"] = True
        kw["validate"] = _validators(kw.get("validate"), validate.Range(minimum, maximum))
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, str) and isinstance(self.root, Query) and re.fullmatch(r"[+-]?[0-9]{1,12}", value):
            value = int(value)
        return super()._deserialize(value, attr, data, **kwargs)


class Id(Int):
    """A row id: 1 to 2^31-1, the range of the id columns."""

    def __init__(self, **kw):
        super().__init__(minimum=1, maximum=INT32_MAX, **kw)


class Flag(fields.Boolean):
    """true or false: in a JSON body nothing else (not 0, not "yes"); in a query string true/false/1/0."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            return value
        if isinstance(self.root, Query) and isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        raise self.make_error("invalid")


class Text(fields.String):
    """Text a person typed: no control characters; multi_line allows tabs and line breaks."""

    def __init__(self, *, multi_line: bool = False, **kw):
        pattern = MULTI_LINE if multi_line else SINGLE_LINE
        given = _validators(kw.get("validate"))
        if not any(isinstance(v, validate.Regexp) for v in given):  # a stricter pattern already says it
            given.insert(0, validate.Regexp(pattern, error="不能包含控制字符"))
        kw["validate"] = given
        super().__init__(**kw)


class Pattern(validate.Regexp):
    """A pattern whose refusal answers with a catalogue code (invalid_phone), documented as a pattern."""

    def __init__(self, regex: str, key: str):
        super().__init__(regex)
        self.key = key

    def _format_error(self, value) -> str:
        return Invalid(self.key)


class Phone(fields.String):
    """A mainland mobile number: 11 digits starting 13–19."""

    def __init__(self, **kw):
        kw["validate"] = _validators(kw.get("validate"), Pattern(r"^1[3-9][0-9]{9}$", "invalid_phone"))
        super().__init__(**kw)


class PickupCode(fields.String):
    """The 8-digit code a member shows at the counter (取货码)."""

    def __init__(self, **kw):
        kw["validate"] = _validators(kw.get("validate"), Pattern(r"^[0-9]{8}$", "invalid_pickup_code"))
        super().__init__(**kw)


class Moment(fields.AwareDateTime):
    """A time with its zone, written in a year from 2000 to 2100 (date_out_of_range otherwise)."""

    BOUNDS = {"formatMinimum": "2000-01-01T00:00:00Z", "formatMaximum": "2100-12-31T23:59:59Z"}

    def __init__(self, **kw):
        kw["metadata"] = {"description": "带时区的时间（ISO 8601），2000年至2100年之间", "pattern": MOMENT_PATTERN,
                          **kw.get("metadata", {})}
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST.year <= moment.year < LATEST.year:  # the year as written, whatever its zone
            raise ValidationError(Invalid("date_out_of_range"))
        return moment


class Day(fields.Date):
    """A calendar day between 2000 and 2100 (date_out_of_range otherwise)."""

    BOUNDS = {"formatMinimum": "2000-01-01", "formatMaximum": "2100-12-31"}

    def __init__(self, **kw):
        kw["metadata"] = {"description": "日期（YYYY-MM-DD），2000年至2100年之间", "pattern": DAY_PATTERN,
                          **kw.get("metadata", {})}
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST.date() <= day < LATEST.date():
            raise ValidationError(Invalid("date_out_of_range"))
        return day


def stated_bounds(converter, field, **kwargs) -> dict:
    """The document's formatMinimum/formatMaximum of a Day or Moment (apispec keeps no such metadata)."""
    return dict(getattr(field, "BOUNDS", {}))


class Patch(Schema):
    """A PATCH body: only the fields to change, at least one of them."""

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError(Invalid("invalid_change"), "_schema")


class Upload(Schema):
    """A multipart upload of one file; other parts of the form are ignored."""

    class Meta:
        unknown = EXCLUDE

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class RowError(Schema):
    row = fields.Integer()
    code = fields.String()
    message = fields.String()


class PreviewError(Schema):
    code = fields.String()
    message = fields.String()


class WorkbookCheck(Schema):
    """A workbook's dry run before its import (members, opening balances): each row as read with its
    errors (preview: the rows' own schema), nothing written."""

    rows = fields.Integer()
    valid = fields.Integer()
    error_count = fields.Integer()
    ok = Flag(metadata={"description": "true: 没有错误，可以导入"})
    errors = fields.List(fields.Nested(RowError))


class Number(fields.Decimal):
    """A decimal amount (yuan) that travels as a JSON number both ways, never as a string."""

    def __init__(self, *, minimum=None, maximum=None, places: int = 2, **kw):
        kw["places"] = places
        kw["as_string"] = False
        kw["allow_nan"] = False
        if minimum is not None or maximum is not None:
            kw["validate"] = _validators(kw.get("validate"), validate.Range(minimum, maximum))
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (bool, str)):  # the document says number: "19.00" and true are refused
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        number = super()._serialize(value, attr, obj, **kwargs)
        return None if number is None else float(number)


# marshmallow's own messages, in the language the users read (the envelope shows the first one).
Schema._default_error_messages = {**Schema._default_error_messages, "unknown": "不认识的字段，请检查名称",
                                  "type": "应为对象"}
fields.Field.default_error_messages.update(required="必填", null="不能为空", validator_failed="取值无效")
fields.Integer.default_error_messages.update(invalid="应为整数", too_large="数值过大")
fields.Number.default_error_messages.update(invalid="应为数字", too_large="数值过大")
fields.Decimal.default_error_messages.update(special="应为有限的数字")
fields.String.default_error_messages.update(invalid="应为文本")
fields.Boolean.default_error_messages.update(invalid="应为 true 或 false")
fields.DateTime.default_error_messages.update(invalid="时间格式不正确（ISO 8601）", invalid_awareness="时间须带时区")
fields.Date.default_error_messages.update(invalid="日期格式不正确（YYYY-MM-DD）")
fields.List.default_error_messages.update(invalid="应为列表")
fields.Nested.default_error_messages.update(type="应为对象")
validate.Length.message_min = "长度不能少于{min}"
validate.Length.message_max = "长度不能超过{max}"
validate.Length.message_all = "长度应在{min}到{max}之间"
validate.Range.message_min = "不能小于{{min}}"
validate.Range.message_max = "不能大于{{max}}"
validate.Range.message_all = "应在{{min}}到{{max}}之间"
validate.OneOf.default_message = "应为以下之一：{choices}"


# --- privacy: what pages for others show of a person ------------------------------------------------------

def mask_phone(phone: str | None) -> str:
    """13800000001 → 138****0001."""
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 7 else ""


def mask_name(name: str | None) -> str:
    """张三 → 张*, 欧阳明 → 欧*明: enough for a member to find themselves on a public board."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class MaskedName(fields.Function):
    """A person's name, masked (张*明); source: where the record holds it (member.name)."""

    def __init__(self, source: str = "name", **kw):
        super().__init__(lambda record: mask_name(get_value(record, source)), **kw)


class MaskedPhone(fields.Function):
    """A phone number, masked (138****0001)."""

    def __init__(self, source: str = "phone", **kw):
        super().__init__(lambda record: mask_phone(get_value(record, source)), **kw)


__all__ = ["Upload", "Query", "Patch", "Flag", "Id", "Int", "Text", "Pattern", "Phone", "PickupCode", "Moment", "Day", "Number", "RowError", "PreviewError", "WorkbookCheck", "stated_bounds", "mask_phone", "mask_name", "MaskedName", "MaskedPhone", "INT32_MAX", "date"]
