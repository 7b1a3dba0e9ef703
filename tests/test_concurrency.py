"""Invariants under concurrency, on PostgreSQL: many threads, one app, real transactions."""
import random
import threading

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.points import awards, ledger
from points_mall.people.access import load_actor
from points_mall.common.tx import committed

from .helpers import one_crowd_at_a_time


def run_together(app, jobs):
    """Start every job at the same moment, each in its own app context (its own session)."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(i, job):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = ("ok", job())
            except DomainError as e:
                results[i] = ("refused", e.code)
            except Exception as e:  # noqa: BLE001 - a crash is a result the test must see
                results[i] = ("crash", repr(e))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    with one_crowd_at_a_time():
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    return results


def staff(username):
    from sqlalchemy import text
    staff_id = db.session.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": username}).scalar()
    return load_actor("staff", staff_id)


def test_fifty_threads_awarding_debiting_and_reversing_leave_the_ledger_exact(app, park, runner, sql):
    members = [m.id for m in park.members_a]
    with app.app_context():
        for _ in range(4):
            awards.propose(staff("org_a"), members, "service.volunteer", "起始积分")
    entry_ids = [r[0] for r in sql("SELECT id FROM ledger_entry ORDER BY id")]
    rng = random.Random(7)

    def award_one(member_id):
        return lambda: awards.propose(staff("org_a"), [member_id], "service.volunteer", "并发").id

    def debit(member_id, n):
        def job():
            with committed("duplicate", "重复"):
                return ledger.spend(member_id, 7, key=f"debit:{member_id}:{n}", source=("redemption", n),
                                    actor=None).id
        return job

    def reverse(entry_id):
        return lambda: ledger.reverse(staff("admin"), entry_id, "并发冲正").id

    jobs = []
    for n in range(50):
        kind = n % 3
        if kind == 0:
            jobs.append(award_one(rng.choice(members)))
        elif kind == 1:
            jobs.append(debit(rng.choice(members), n))
        else:
            jobs.append(reverse(rng.choice(entry_ids)))
    results = run_together(app, jobs)

    assert not [r for r in results if r[0] == "crash"], results
    refused = {r[1] for r in results if r[0] == "refused"}
    assert refused <= {"insufficient_points", "already_reversed"}
    ok = sum(r[0] == "ok" for r in results)
    assert sql("SELECT count(*) FROM ledger_entry") == len(entry_ids) + ok
    assert sql("SELECT count(*) FROM balance WHERE spendable < 0") == 0
    verify = runner.invoke(args=["ledger-verify"])
    assert verify.exit_code == 0, verify.output


def test_a_cap_holds_when_twenty_awards_for_one_member_arrive_at_once(app, park, sql):
    m = park.members_a[1].id
    results = run_together(app, [lambda: awards.propose(staff("org_a"), [m], "study.meeting", "三会一课").id
                                 for _ in range(20)])
    assert all(r[0] == "ok" for r in results), results
    assert sql("SELECT score FROM score WHERE member_id = :m", m=m) == 8  # monthly cap
    assert sql("SELECT spendable FROM balance WHERE member_id = :m", m=m) == 8


def test_the_same_award_retried_twenty_times_at_once_applies_once(app, park, sql):
    m = park.members_a[1].id
    results = run_together(app, [lambda: awards.propose(staff("org_a"), [m], "service.volunteer", "x",
                                                        idempotency_key="retry-1").id for _ in range(20)])
    assert all(r[0] == "ok" for r in results), results
    assert len({r[1] for r in results}) == 1
    assert sql("SELECT count(*) FROM ledger_entry") == 1
    assert sql("SELECT spendable FROM balance WHERE member_id = :m", m=m) == 5


def test_two_approvers_racing_apply_an_award_once(app, park, client, sql):
    m = park.members_a[1]
    award_id = client.post("/api/v1/awards", json={"member_ids": [m.id], "rule_code": "performance.pioneer"},
                           headers=park.auth("org_a")).get_json()["id"]
    approvers = ["admin", "org_general"] * 5
    results = run_together(app, [lambda who=who: awards.approve(staff(who), award_id).id for who in approvers])
    assert sum(r[0] == "ok" for r in results) == 1, results
    assert {r[1] for r in results if r[0] == "refused"} == {"not_pending"}
    assert sql("SELECT count(*) FROM ledger_entry") == 1


def test_forty_members_awarded_by_two_overlapping_lists_at_once_do_not_deadlock(app, park, sql):
    ids = [m.id for m in park.members_a + park.members_b]
    forward, backward = ids, list(reversed(ids))
    results = run_together(app, [lambda lst=lst: awards.propose(staff("org_general"), lst, "service.volunteer", "x").id
                                 for lst in (forward, backward) * 4])
    assert all(r[0] == "ok" for r in results), results
    assert sql("SELECT count(*) FROM ledger_entry") == len(ids) * 8
