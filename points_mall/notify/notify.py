"""Notifications: written to the outbox (and so the inbox) inside the cause's transaction."""
from sqlalchemy import insert

from points_mall.extensions import db
from points_mall.notify.models import Notification
from points_mall.common.types import utcnow


def emit(event: str, title: str, body: str, *, member_id: int | None = None, staff_id: int | None = None,
         data: dict | None = None) -> None:
    """Queue a notification; the caller's commit makes it real together with its cause."""
    now = utcnow()
    db.session.execute(insert(Notification).values(
        member_id=member_id, staff_id=staff_id, event=event, title=title, body=body, data=data or {},
        status="pending", attempts=0, next_attempt_at=now, created_at=now))
