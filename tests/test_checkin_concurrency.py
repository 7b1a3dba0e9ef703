"""Check-in invariants under concurrency, on PostgreSQL."""
from points_mall.extensions import db
from points_mall.people.models import Org
from points_mall.activities import checkin, codes
from points_mall.people.members import add_member

from .helpers import make_activity, nonce
from .test_concurrency import run_together


def add_people(app, park, count):
    with app.app_context():
        org = db.session.get(Org, park.branch_a.id)
        ids = [add_member(f"成员{i}", f"1360000{i:04d}", "党员", org).id for i in range(count)]
        db.session.commit()
    return ids


def current_payload(app, activity_id):
    with app.test_request_context():
        return codes.current("a", activity_id)["payload"]


def test_two_hundred_scans_of_the_same_hundred_members_give_a_hundred_checkins(app, client, park, runner, sql):
    ids = add_people(app, park, 100)
    a = make_activity(client, park)
    payload = current_payload(app, a["id"])
    jobs = [lambda m=m: checkin.scan(m, payload, nonce()) for m in ids + ids]
    results = run_together(app, jobs)
    assert not [r for r in results if r[0] == "crash"], [r for r in results if r[0] == "crash"][:3]
    assert sum(r[0] == "ok" for r in results) == 100
    assert {r[1] for r in results if r[0] == "refused"} == {"already_checked_in"}
    assert sql("SELECT count(*) FROM checkin") == 100
    assert sql("SELECT count(*) FROM ledger_entry WHERE source_type = 'activity'") == 100
    assert sql("SELECT count(DISTINCT member_id) FROM ledger_entry") == 100
    assert sql("SELECT count(*) FROM scan_attempt") == 200
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0


def test_capacity_holds_when_fifty_members_rush_ten_places(app, client, park, sql):
    ids = add_people(app, park, 50)
    a = make_activity(client, park, capacity=10)
    payload = current_payload(app, a["id"])
    results = run_together(app, [lambda m=m: checkin.scan(m, payload, nonce()) for m in ids])
    assert sum(r[0] == "ok" for r in results) == 10
    assert {r[1] for r in results if r[0] == "refused"} == {"full"}
    assert sql("SELECT count(*) FROM checkin") == 10
    assert sql("SELECT count(*) FROM scan_attempt WHERE reason = 'full'") == 40


def test_the_same_nonce_sent_twenty_times_at_once_checks_in_once_with_one_answer(app, client, park, sql):
    m = park.members_a[1].id
    a = make_activity(client, park)
    payload = current_payload(app, a["id"])
    results = run_together(app, [lambda: checkin.scan(m, payload, "same-nonce-123") for _ in range(20)])
    assert all(r[0] == "ok" for r in results), results
    assert len({str(r[1]) for r in results}) == 1
    assert sql("SELECT count(*) FROM checkin") == 1
    assert sql("SELECT count(*) FROM scan_attempt") == 1
