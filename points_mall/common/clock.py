"""Time in the organisation's zone: years and cap periods are local (Asia/Shanghai)."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app

from points_mall.common.types import utcnow

__all__ = ["utcnow", "local", "local_year", "period_bounds"]


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local(dt: datetime) -> datetime:
    return dt.astimezone(zone())


def local_year(dt: datetime) -> int:
    return local(dt).year


def period_bounds(dt: datetime, period: str) -> tuple[datetime, datetime]:
    """The [start, end) in UTC of the local day / month / year holding dt."""
    d = local(dt)
    if period == "day":
        start = d.replace(hour=0, minute=0, second=0, microsecond=0)
        end = start + timedelta(days=1)
    elif period == "month":
        start = d.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = start.replace(year=start.year + (start.month == 12), month=start.month % 12 + 1)
    else:
        start = d.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        end = start.replace(year=start.year + 1)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)
