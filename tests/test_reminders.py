"""Reminders: an hour before an activity, a day before an order expires; each sent once."""
from datetime import timedelta

from points_mall.notify import reminders

from .helpers import iso, make_activity, now


def test_an_hour_before_the_activity_everyone_but_those_on_leave_is_reminded_once(app, client, park, sql):
    a = make_activity(client, park, kind="branch_meeting", starts_at=iso(now() + timedelta(minutes=40)),
                      ends_at=iso(now() + timedelta(hours=2)))
    later = make_activity(client, park, starts_at=iso(now() + timedelta(hours=5)),
                          ends_at=iso(now() + timedelta(hours=6)))
    excused = park.members_a[2]
    leave = client.post(f"/api/v1/activities/{a['id']}/leave", json={"reason": "出差"}, headers=park.auth(excused))
    client.post(f"/api/v1/leave/{leave.get_json()['id']}/approve", headers=park.auth("org_a"))
    with app.app_context():
        assert reminders.remind_activities() == len(park.members_a) - 1
        assert reminders.remind_activities() == 0
    reminded = {r[0] for r in sql("SELECT member_id FROM notification WHERE event = 'activity_reminder'")}
    assert excused.id not in reminded and len(reminded) == len(park.members_a) - 1
    assert sql("SELECT reminded_at IS NULL FROM activity WHERE id = :a", a=later["id"]) is True


def test_a_day_before_an_order_expires_its_member_is_reminded_once(app, client, park, shop, sql):
    m = park.members_a[1]
    order = client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id, "items": [
        {"product_id": shop.products["毛巾"], "qty": 1}]}, headers=park.auth(m) | {"Idempotency-Key": "x"}).get_json()
    with app.app_context():
        assert reminders.remind_expiring() == 0
    sql("UPDATE redemption SET expires_at = now() + interval '20 hours' WHERE id = :o", o=order["id"])
    with app.app_context():
        assert reminders.remind_expiring() == 1
        assert reminders.remind_expiring() == 0
    body = sql("SELECT body FROM notification WHERE event = 'redemption_expiring'")
    assert order["pickup_code"] in body
