"""No one approves, corrects or awards their own points, however they log in: a member token with an organizer's
grant, or a staff account linked to the member. Appeals are bounded by what they correct and lodged once."""
from datetime import timedelta

import pytest

from points_mall.year import appeals

from .helpers import make_activity, nonce, now
from .sheets import sheet
from .test_concurrency import run_together
from .test_declarations import declarable, declare  # noqa: F401 - the fixture is used by name
from .test_opening_balances import COLUMNS, upload
from .test_publicity import LAST_MONTH, appeal, close_window, entry_of, month, post, publish, rule_id  # noqa: F401


@pytest.fixture
def secretary(park, sql):
    """Member a1 is also the secretary of branch A: an organizer's grant on their member token, and the staff
    account org_a is theirs too (a console login linked to the member). org_general is a second organizer."""
    a1 = park.members_a[1]
    sql("INSERT INTO \"grant\" (member_id, role, org_id, created_at) VALUES (:m, 'organizer', :o, now())",
        m=a1.id, o=park.branch_a.id)
    sql("UPDATE staff_user SET member_id = :m WHERE username = 'org_a'", m=a1.id)
    return a1


def code(response):
    return response.get_json()["error"]["code"]


def total(sql, member_id):
    return sql("SELECT coalesce(sum(delta_score), 0) FROM ledger_entry WHERE member_id = :m", m=member_id)


# --- appeals ---------------------------------------------------------------------------------------

def test_no_one_resolves_their_own_appeal_by_either_login(client, park, month, sql, secretary, runner):
    pub = publish(client, park, who="org_general").get_json()
    lodged = appeal(client, park, secretary, pub["id"], entry_id=entry_of(sql, "s2")).get_json()
    before = total(sql, secretary.id)
    for who in (secretary, "org_a"):
        minted = client.post(f"/api/v1/appeals/{lodged['id']}/correct", json={"delta": 1000}, headers=park.auth(who))
        assert minted.status_code == 403 and code(minted) == "own_points", minted.get_json()
        assert "自己的申诉" in minted.get_json()["error"]["message"]
        refused = client.post(f"/api/v1/appeals/{lodged['id']}/refuse", json={"resolution": "x"},
                              headers=park.auth(who))
        assert refused.status_code == 403 and code(refused) == "own_points"
    assert total(sql, secretary.id) == before
    ok = client.post(f"/api/v1/appeals/{lodged['id']}/correct", json={"delta": 3}, headers=park.auth("org_general"))
    assert ok.status_code == 200 and ok.get_json()["status"] == "corrected"
    assert total(sql, secretary.id) == before + 3
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0


def test_a_correction_beyond_the_appealed_item_waits_for_a_second_organizer(client, park, month, sql):
    pub = publish(client, park).get_json()
    a1 = park.members_a[1]
    lodged = appeal(client, park, a1, pub["id"], entry_id=entry_of(sql, "s2")).get_json()  # a 5-point entry
    before = total(sql, a1.id)
    big = client.post(f"/api/v1/appeals/{lodged['id']}/correct", json={"delta": 1000, "resolution": "核实"},
                      headers=park.auth("org_a"))
    assert big.status_code == 200, big.get_json()
    assert big.get_json()["status"] == "pending" and big.get_json()["proposed_delta"] == 1000
    assert big.get_json()["correction"] is None and total(sql, a1.id) == before
    again = client.post(f"/api/v1/appeals/{lodged['id']}/correct", json={"delta": 2}, headers=park.auth("org_a"))
    assert again.status_code == 409
    mine = client.post(f"/api/v1/appeals/{lodged['id']}/approve", headers=park.auth("org_a"))
    assert mine.status_code == 403 and code(mine) == "self_approval"
    approved = client.post(f"/api/v1/appeals/{lodged['id']}/approve", headers=park.auth("org_general"))
    assert approved.status_code == 200 and approved.get_json()["status"] == "corrected"
    assert approved.get_json()["correction"]["delta_score"] == 1000 and total(sql, a1.id) == before + 1000
    assert sql("SELECT count(*) FROM audit_entry WHERE action IN ('appeal.propose', 'appeal.correct')") == 2
    # within the bound: at once (a deduction of -3 restored by +3)
    a3 = park.members_a[3]
    fair = appeal(client, park, a3, pub["id"], entry_id=entry_of(sql, "s5")).get_json()
    restored = client.post(f"/api/v1/appeals/{fair['id']}/correct", json={"delta": 3}, headers=park.auth("org_a"))
    assert restored.get_json()["status"] == "corrected"
    # a missing award: up to the rule's points at once, more waits
    missing = appeal(client, park, a1, pub["id"], rule_id=rule_id(sql, "study.meeting")).get_json()
    more = client.post(f"/api/v1/appeals/{missing['id']}/correct", json={"delta": 20}, headers=park.auth("org_a"))
    assert more.get_json()["status"] == "pending"
    withdrawn = client.post(f"/api/v1/appeals/{missing['id']}/refuse", json={"resolution": "按细则只记2分"},
                            headers=park.auth("org_general"))
    assert withdrawn.get_json()["status"] == "refused" and withdrawn.get_json()["correction"] is None


def test_corrections_of_one_entry_in_two_publicities_share_one_bound(client, park, month, sql):
    pub = publish(client, park).get_json()
    above = publish(client, park, org_id=park.root.id, who="admin").get_json()
    a1 = park.members_a[1]
    first = appeal(client, park, a1, pub["id"], entry_id=entry_of(sql, "s2")).get_json()
    second = appeal(client, park, a1, above["id"], entry_id=entry_of(sql, "s2")).get_json()
    assert client.post(f"/api/v1/appeals/{first['id']}/correct", json={"delta": 4},
                       headers=park.auth("org_a")).get_json()["status"] == "corrected"
    twice = client.post(f"/api/v1/appeals/{second['id']}/correct", json={"delta": 4}, headers=park.auth("admin"))
    assert twice.get_json()["status"] == "pending"


def test_one_appeal_per_item_open_or_closed(client, park, month, sql):
    pub = publish(client, park).get_json()
    a1 = park.members_a[1]
    first = appeal(client, park, a1, pub["id"], entry_id=entry_of(sql, "s2")).get_json()
    client.post(f"/api/v1/appeals/{first['id']}/refuse", json={"resolution": "记录无误"}, headers=park.auth("org_a"))
    again = appeal(client, park, a1, pub["id"], entry_id=entry_of(sql, "s2"))
    assert again.status_code == 409 and code(again) == "duplicate_appeal"
    assert "只能申诉一次" in again.get_json()["error"]["message"]


def test_one_appeal_when_the_same_one_is_lodged_at_once(app, client, park, month, sql):
    pub = publish(client, park).get_json()
    a1 = park.members_a[1]
    entry = entry_of(sql, "s2")
    jobs = [lambda: appeals.lodge(a1.id, pub["id"], entry_id=entry, rule_id=None, reason="并发", photos=[]).id
            for _ in range(4)]
    results = run_together(app, jobs)
    assert sorted(r[0] for r in results) == ["ok", "refused", "refused", "refused"], results
    assert {r[1] for r in results if r[0] == "refused"} == {"duplicate_appeal"}
    assert sql("SELECT count(*) FROM appeal") == 1


# --- every other place where staff change points ------------------------------------------------------

def test_no_one_awards_themselves_or_approves_an_award_for_themselves(client, park, sql, secretary):
    other = park.members_a[2]
    for who in (secretary, "org_a"):
        own = client.post("/api/v1/awards", json={"member_ids": [other.id, secretary.id],
                                                  "rule_code": "service.volunteer", "reason": "志愿服务"},
                          headers=park.auth(who))
        assert own.status_code == 403 and code(own) == "own_points", own.get_json()
    assert total(sql, secretary.id) == 0
    pending = client.post("/api/v1/awards", json={"member_ids": [secretary.id], "rule_code": "performance.pioneer",
                                                  "reason": "先锋"}, headers=park.auth("org_general")).get_json()
    for who in (secretary, "org_a"):
        approve = client.post(f"/api/v1/awards/{pending['id']}/approve", json={}, headers=park.auth(who))
        assert approve.status_code == 403 and code(approve) == "self_approval", approve.get_json()
    # proposed under one login, approved under the other: the same person
    proposed = client.post("/api/v1/awards", json={"member_ids": [other.id], "rule_code": "performance.pioneer",
                                                   "reason": "先锋"}, headers=park.auth(secretary)).get_json()
    same = client.post(f"/api/v1/awards/{proposed['id']}/approve", json={}, headers=park.auth("org_a"))
    assert same.status_code == 403 and code(same) == "self_approval"
    assert client.post(f"/api/v1/awards/{pending['id']}/approve", json={},
                       headers=park.auth("admin")).status_code == 200


def test_no_one_approves_their_own_declaration_from_the_console(client, park, declarable, sql, secretary):
    d = declare(client, park, secretary, declarable["service.volunteer"]).get_json()
    r = client.post(f"/api/v1/declarations/{d['id']}/approve", json={}, headers=park.auth("org_a"))
    assert r.status_code == 403 and code(r) == "self_approval"
    assert total(sql, secretary.id) == 0


def test_an_organizer_does_not_check_themselves_in_by_name_or_code(client, park, sql, secretary):
    a = make_activity(client, park)
    my_code = client.get("/api/v1/me/qr", headers=park.auth(secretary)).get_json()["payload"]
    for body in ({"member_id": secretary.id}, {"member_code": my_code}):
        r = client.post(f"/api/v1/activities/{a['id']}/checkins", json={**body, "nonce": nonce()},
                        headers=park.auth("org_a"))
        assert r.status_code == 403 and code(r) == "own_points", r.get_json()
    assert sql("SELECT count(*) FROM checkin") == 0
    assert sql("SELECT count(*) FROM scan_attempt WHERE reason = 'own_points'") == 2
    assert total(sql, secretary.id) == 0


def test_no_one_decides_their_own_leave(client, park, secretary):
    a = make_activity(client, park, kind="branch_meeting", title="支部党员大会")
    leave = client.post(f"/api/v1/activities/{a['id']}/leave", json={"reason": "出差"},
                        headers=park.auth(secretary)).get_json()
    for who in (secretary, "org_a"):
        r = client.post(f"/api/v1/leave/{leave['id']}/approve", headers=park.auth(who))
        assert r.status_code == 403 and code(r) == "own_points"
    assert client.post(f"/api/v1/leave/{leave['id']}/approve", headers=park.auth("org_general")).status_code == 200


@pytest.fixture
def own_admin(park, sql):
    """The park's admin is member a1 too."""
    sql("UPDATE staff_user SET member_id = :m WHERE username = 'admin'", m=park.members_a[1].id)
    return park.members_a[1]


def test_no_admin_corrects_reverses_or_imports_their_own_points(app, client, park, month, sql, own_admin):
    close_window(sql, publish(client, park).get_json()["id"])
    late = client.post("/api/v1/admin/late-corrections", json={
        "member_id": own_admin.id, "dimension": "service", "delta": 50,
        "occurred_on": (LAST_MONTH + timedelta(days=7)).isoformat(), "reason": "补录"}, headers=park.auth("admin"))
    assert late.status_code == 403 and code(late) == "own_points", late.get_json()
    with app.app_context():
        post(own_admin.id, "integrity.absent", now(), "own-deduction")
    reversed_ = client.post(f"/api/v1/ledger/{entry_of(sql, 'own-deduction')}/reverse", json={"reason": "撤销"},
                            headers=park.auth("admin"))
    assert reversed_.status_code == 403 and code(reversed_) == "own_points", reversed_.get_json()
    content = sheet([(own_admin.name, own_admin.phone, 900, 90, 0, 0, 0, 0)], COLUMNS)
    imported = upload(client, park, content)
    assert imported.status_code == 422
    assert [e["code"] for e in imported.get_json()["error"]["details"]["errors"]] == ["own_points"]
    assert sql("SELECT count(*) FROM ledger_entry WHERE source_type = 'opening_import'") == 0


def test_an_admin_account_made_for_a_member_is_that_member(client, park, sql, runner):
    a2 = park.members_a[2]
    unknown = runner.invoke(args=["create-admin", "chief", "--password", "long-enough-pw", "--member-phone", "13900009999"])
    assert unknown.exit_code == 1 and sql("SELECT count(*) FROM staff_user WHERE username = 'chief'") == 0
    made = runner.invoke(args=["create-admin", "chief", "--password", "long-enough-pw", "--member-phone", a2.phone])
    assert made.exit_code == 0, made.output
    token = client.post("/api/v1/auth/staff-login", json={"username": "chief", "password": "long-enough-pw"}).get_json()
    own = client.post("/api/v1/awards", json={"member_ids": [a2.id], "rule_code": "service.volunteer", "reason": "x"},
                      headers={"Authorization": f"Bearer {token['token']}"})
    assert own.status_code == 403 and code(own) == "own_points"


def test_a_pending_correction_approved_twice_at_once_posts_once(app, client, park, month, sql):
    from .test_concurrency import staff

    pub = publish(client, park).get_json()
    lodged = appeal(client, park, park.members_a[1], pub["id"], entry_id=entry_of(sql, "s2")).get_json()
    client.post(f"/api/v1/appeals/{lodged['id']}/correct", json={"delta": 40}, headers=park.auth("org_a"))
    jobs = [lambda who=who: appeals.approve(staff(who), lodged["id"]).status for who in ("org_general", "admin") * 2]
    results = run_together(app, jobs)
    assert sorted(results) == [("ok", "corrected")] + [("refused", "not_pending")] * 3, results
    assert sql("SELECT count(*) FROM ledger_entry WHERE kind = 'adjust'") == 1
