"""Reminders the scheduler sends: an activity in an hour, an order expiring within a day."""
from datetime import timedelta

from sqlalchemy import select, update

from points_mall.extensions import db
from points_mall.activities.models import Activity, LeaveRequest
from points_mall.mall.models import Redemption
from points_mall.activities import activities
from points_mall.notify import notify
from points_mall.common.clock import local, utcnow
from points_mall.common.tx import committed


def remind_activities() -> int:
    """An hour before an activity, everyone expected at it (less those on leave) is reminded once."""
    now = utcnow()
    due = db.session.scalars(select(Activity.id).where(
        Activity.status == "published", Activity.reminded_at.is_(None),
        Activity.starts_at > now, Activity.starts_at <= now + timedelta(hours=1))).all()
    sent = 0
    for activity_id in due:
        with committed():  # one transaction per activity
            sent += _remind_activity(activity_id, now)
    return sent


def _remind_activity(activity_id: int, now) -> int:
    # The guarded UPDATE makes a second scheduler (or a second tick) skip it.
    if db.session.execute(update(Activity).where(Activity.id == activity_id, Activity.reminded_at.is_(None))
                          .values(reminded_at=now)).rowcount != 1:
        return 0
    activity = db.session.get(Activity, activity_id)
    excused = set(db.session.scalars(select(LeaveRequest.member_id).where(
        LeaveRequest.activity_id == activity_id, LeaveRequest.status == "approved")))
    when = local(activity.starts_at).strftime("%H:%M")
    sent = 0
    for member_id in activities.audience_ids(activity):
        if member_id not in excused:
            notify.emit("activity_reminder", "活动提醒", f"{activity.title}将于{when}开始（{activity.place}）",
                        member_id=member_id, data={"activity_id": activity_id})
            sent += 1
    return sent


def remind_expiring() -> int:
    """A day before an unclaimed order expires, its member is reminded once."""
    now = utcnow()
    due = db.session.scalars(select(Redemption).where(
        Redemption.status == "reserved", Redemption.reminded_at.is_(None),
        Redemption.expires_at > now, Redemption.expires_at <= now + timedelta(hours=24))).all()
    sent = 0
    for order in due:
        with committed():  # one transaction per order
            if db.session.execute(update(Redemption).where(Redemption.id == order.id, Redemption.reminded_at.is_(None))
                                  .values(reminded_at=now)).rowcount == 1:
                notify.emit("redemption_expiring", "领取提醒",
                            f"取货码 {order.pickup_code} 将于{local(order.expires_at):%m月%d日 %H:%M}过期，请及时领取",
                            member_id=order.member_id, data={"redemption_id": order.id})
                sent += 1
    return sent
