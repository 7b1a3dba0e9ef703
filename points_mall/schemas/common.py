"""Field types shared by every schema, and masking.

Each type refuses at the edge what the database or an export would choke on later, and says
so in the OpenAPI document: ids fit the integer column, text has no control characters,
dates lie in a plausible span.
"""
from datetime import date, datetime, timezone

from marshmallow import ValidationError, fields, validate

INT32_MAX = 2**31 - 1
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)

# NUL is refused by PostgreSQL and every C0 control but tab and newlines by xlsx writers.
SINGLE_LINE = r"^[^\x00-\x1f\x7f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _validators(extra, *own):
    extra = extra if isinstance(extra, (list, tuple)) else ([extra] if extra else [])
    return [*own, *extra]


class Int(fields.Integer):
    """A whole number (1.5 is refused, not cut) within the database's integer column."""

    def __init__(self, *, minimum: int = -INT32_MAX, maximum: int = INT32_MAX, **kw):
        kw["strict"] = True
        kw["validate"] = _validators(kw.get("validate"), validate.Range(minimum, maximum,
                                                                         error="应为{min}到{max}之间的整数"))
        super().__init__(**kw)


class Id(Int):
    """A row id: 1 to 2^31-1, the range of the id columns."""

    def __init__(self, **kw):
        super().__init__(minimum=1, maximum=INT32_MAX, **kw)


class Text(fields.String):
    """Text a person typed: no control characters; multi_line allows tabs and line breaks."""

    def __init__(self, *, multi_line: bool = False, **kw):
        pattern = MULTI_LINE if multi_line else SINGLE_LINE
        kw["validate"] = _validators(kw.get("validate"), validate.Regexp(pattern, error="不能包含控制字符"))
        super().__init__(**kw)


class Moment(fields.AwareDateTime):
    """A time with its zone, between 2000 and 2100."""

    def __init__(self, **kw):
        kw.setdefault("metadata", {})
        kw["metadata"].setdefault("description", "带时区的时间（ISO 8601），2000年至2100年之间")
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST <= moment < LATEST:
            raise ValidationError("时间应在2000年至2100年之间")
        return moment


class Day(fields.Date):
    """A calendar day between 2000 and 2100."""

    def __init__(self, **kw):
        kw.setdefault("metadata", {})
        kw["metadata"].setdefault("description", "日期（YYYY-MM-DD），2000年至2100年之间")
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST.date() <= day < LATEST.date():
            raise ValidationError("日期应在2000年至2100年之间")
        return day


class Number(fields.Decimal):
    """A decimal amount (yuan) that travels as a JSON number both ways, never as a string."""

    def __init__(self, *, minimum=None, maximum=None, places: int = 2, **kw):
        kw["places"] = places
        kw["as_string"] = False
        kw["allow_nan"] = False
        if minimum is not None or maximum is not None:
            kw["validate"] = _validators(kw.get("validate"), validate.Range(minimum, maximum))
        super().__init__(**kw)

    def _serialize(self, value, attr, obj, **kwargs):
        number = super()._serialize(value, attr, obj, **kwargs)
        return None if number is None else float(number)


def mask_phone(phone: str | None) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 7 else ""


def mask_name(name: str | None) -> str:
    """张三 → 张*, 欧阳明 → 欧*明: enough for a member to find themselves on a public board."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


__all__ = ["Id", "Int", "Text", "Moment", "Day", "Number", "mask_phone", "mask_name", "INT32_MAX", "date"]
