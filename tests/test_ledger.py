"""The ledger: two numbers per member, caps, deductions, reversals, verification."""
from sqlalchemy import text

from points_mall.extensions import db
from points_mall.points.models import Balance, LedgerEntry
from points_mall.people.models import Org
from points_mall.points import ledger


def award(client, park, who, member_ids, rule_code, **kw):
    return client.post("/api/v1/awards", json={"member_ids": member_ids, "rule_code": rule_code,
                                               "reason": "测试"}, headers=park.auth(who), **kw)


def me(client, park, member):
    return client.get("/api/v1/me", headers=park.auth(member)).get_json()


def test_an_award_raises_both_score_and_spendable(client, park):
    m = park.members_a[1]
    r = award(client, park, "org_a", [m.id], "service.volunteer")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["status"] == "applied"
    mine = me(client, park, m)
    assert mine["spendable"] == 5
    assert mine["score"] == 5
    assert mine["score_by_dimension"]["service"] == 5


def test_a_deduction_lowers_score_fully_but_spendable_never_below_zero(client, park):
    m = park.members_a[1]
    award(client, park, "org_a", [m.id], "study.meeting")  # +2
    r = award(client, park, "org_a", [m.id], "integrity.absent")  # -3
    assert r.status_code == 201
    mine = me(client, park, m)
    assert mine["spendable"] == 0
    assert mine["score"] == -1
    entries = client.get("/api/v1/me/ledger", headers=park.auth(m)).get_json()["entries"]
    assert [(e["kind"], e["delta_score"], e["delta_spendable"]) for e in entries] == [
        ("deduct", -3, -2), ("award", 2, 2)]


def test_a_monthly_cap_stops_awards_once_reached(client, park):
    m = park.members_a[1]
    outcomes = [award(client, park, "org_a", [m.id], "study.meeting").get_json()["lines"][0]["outcome"]
                for _ in range(5)]
    assert outcomes == ["applied"] * 4 + ["cap_reached"]
    assert me(client, park, m)["score"] == 8


def test_a_theme_day_for_forty_members_is_one_request(client, park, app, sql):
    from points_mall.people.members import add_member

    with app.app_context():
        org = db.session.get(Org, park.branch_a.id)
        ids = [add_member(f"王{i}", f"1370000{i:04d}", "党员", org).id for i in range(40)]
        db.session.commit()
    r = award(client, park, "org_a", ids, "study.meeting")
    assert r.status_code == 201
    assert sum(line["points"] for line in r.get_json()["lines"]) == 80
    assert sql("SELECT count(*) FROM ledger_entry") == 40


def test_my_ledger_pages_newest_first_with_a_cursor(client, park):
    m = park.members_a[1]
    for _ in range(5):
        award(client, park, "org_a", [m.id], "service.volunteer")
    first = client.get("/api/v1/me/ledger?limit=2", headers=park.auth(m)).get_json()
    second = client.get(f"/api/v1/me/ledger?limit=2&cursor={first['next_cursor']}", headers=park.auth(m)).get_json()
    third = client.get(f"/api/v1/me/ledger?limit=2&cursor={second['next_cursor']}", headers=park.auth(m)).get_json()
    ids = [e["id"] for e in first["entries"] + second["entries"] + third["entries"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 5
    assert third["next_cursor"] is None


def test_a_reversal_is_a_new_entry_and_cannot_happen_twice(client, park, sql):
    m = park.members_a[1]
    award(client, park, "org_a", [m.id], "service.volunteer")
    entry_id = sql("SELECT id FROM ledger_entry")
    r = client.post(f"/api/v1/ledger/{entry_id}/reverse", json={"reason": "误录"}, headers=park.auth("admin"))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["reverses_id"] == entry_id
    again = client.post(f"/api/v1/ledger/{entry_id}/reverse", json={"reason": "误录"}, headers=park.auth("admin"))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_reversed"
    assert me(client, park, m)["spendable"] == 0 and me(client, park, m)["score"] == 0
    assert sql("SELECT count(*) FROM ledger_entry") == 2


def test_only_a_park_wide_admin_reverses(client, park, sql):
    m = park.members_a[1]
    award(client, park, "org_a", [m.id], "service.volunteer")
    entry_id = sql("SELECT id FROM ledger_entry")
    for who in ("org_a", "admin_a"):
        r = client.post(f"/api/v1/ledger/{entry_id}/reverse", json={"reason": "x"}, headers=park.auth(who))
        assert r.status_code == 403
    assert sql("SELECT count(*) FROM ledger_entry") == 1


def test_spending_more_than_the_balance_is_refused_and_changes_nothing(park, ctx):
    m = park.members_a[1]
    import pytest

    from points_mall.errors import DomainError
    with pytest.raises(DomainError) as e:
        ledger.spend(m.id, 1, key="t:1", source=("redemption", 1), actor=None)
    db.session.rollback()
    assert e.value.code == "insufficient_points"
    assert db.session.get(Balance, m.id).spendable == 0
    assert db.session.query(LedgerEntry).count() == 0


def test_ledger_verify_names_a_member_whose_balance_was_tampered_with(client, park, runner, sql):
    m = park.members_a[1]
    award(client, park, "org_a", [m.id], "service.volunteer")
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0
    sql("UPDATE balance SET spendable = spendable + 7 WHERE member_id = :m", m=m.id)
    result = runner.invoke(args=["ledger-verify"])
    assert result.exit_code == 1
    assert f"member_id={m.id}" in result.output


def test_ledger_verify_catches_a_score_that_disagrees(client, park, runner, sql):
    m = park.members_a[1]
    award(client, park, "org_a", [m.id], "service.volunteer")
    sql("UPDATE score SET score = 99 WHERE member_id = :m", m=m.id)
    result = runner.invoke(args=["ledger-verify"])
    assert result.exit_code == 1 and "problem=score" in result.output


def test_the_database_refuses_a_negative_balance(park, ctx):
    import pytest
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE balance SET spendable = -1 WHERE member_id = :m"),
                           {"m": park.members_a[1].id})
    db.session.rollback()
