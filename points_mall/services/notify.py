"""Notifications: written to the outbox (and so the inbox) inside the cause's transaction."""
from ..extensions import db
from ..models import Notification


def emit(event: str, title: str, body: str, *, member_id: int | None = None, staff_id: int | None = None,
         data: dict | None = None) -> Notification:
    """Queue a notification; the caller's commit makes it real together with its cause."""
    note = Notification(member_id=member_id, staff_id=staff_id, event=event, title=title, body=body,
                        data=data or {})
    db.session.add(note)
    return note
