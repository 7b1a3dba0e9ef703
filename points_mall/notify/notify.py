"""Notifications: written to the outbox (and so the inbox) inside the cause's transaction."""
from sqlalchemy import LABEL_STYLE_NONE, insert, literal_column

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


def queued(rows, now):
    """The outbox rows for every row of the select `rows` (its columns: member_id, event, title, body,
    data), written at `now`: an INSERT the cause runs itself or as a CTE of its own statement (a check-in,
    an award)."""
    return insert(Notification).from_select(
        ["member_id", "event", "title", "body", "data", "status", "attempts", "next_attempt_at", "created_at"],
        rows.add_columns(literal_column("'pending'"), literal_column("0"), now, now)
        .set_label_style(LABEL_STYLE_NONE))
