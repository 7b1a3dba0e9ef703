"""Manual awards: scope, approval by someone else, idempotency, clear refusals."""


def award(client, park, who, member_ids, rule_code="service.volunteer", headers=None):
    return client.post("/api/v1/awards", json={"member_ids": member_ids, "rule_code": rule_code, "reason": "测试"},
                       headers=park.auth(who) | (headers or {}))


def test_an_organizer_of_one_branch_cannot_award_in_another(client, park, sql):
    mixed = [park.members_a[1].id, park.members_b[1].id]
    r = award(client, park, "org_a", mixed)
    assert r.status_code == 403
    error = r.get_json()["error"]
    assert error["code"] == "out_of_scope" and error["details"]["member_ids"] == [park.members_b[1].id]
    assert sql("SELECT count(*) FROM ledger_entry") == 0
    assert sql("SELECT count(*) FROM award") == 0


def test_a_branch_organizer_reaches_party_groups_below_and_a_general_branch_reaches_both(client, park):
    in_group = park.members_a[0]
    assert award(client, park, "org_a", [in_group.id]).status_code == 201
    both = award(client, park, "org_general", [park.members_a[1].id, park.members_b[1].id])
    assert both.status_code == 201 and len(both.get_json()["lines"]) == 2


def test_members_cannot_award_themselves(client, park):
    m = park.members_a[1]
    r = award(client, park, m, [m.id])
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"


def test_an_award_that_needs_approval_waits_and_the_proposer_cannot_approve_it(client, park, sql):
    m = park.members_a[1]
    r = award(client, park, "org_a", [m.id], "performance.pioneer")
    assert r.status_code == 201 and r.get_json()["status"] == "pending"
    award_id = r.get_json()["id"]
    assert sql("SELECT count(*) FROM ledger_entry") == 0
    own = client.post(f"/api/v1/awards/{award_id}/approve", json={}, headers=park.auth("org_a"))
    assert own.status_code == 403 and own.get_json()["error"]["code"] == "self_approval"
    outside = client.post(f"/api/v1/awards/{award_id}/approve", json={}, headers=park.auth("org_b"))
    assert outside.status_code == 403 and outside.get_json()["error"]["code"] == "out_of_scope"
    pending = client.get("/api/v1/awards/pending", headers=park.auth("org_general")).get_json()
    assert [a["id"] for a in pending] == [award_id]
    ok = client.post(f"/api/v1/awards/{award_id}/approve", json={"note": "同意"}, headers=park.auth("org_general"))
    assert ok.status_code == 200 and ok.get_json()["status"] == "applied"
    assert sql("SELECT delta_score FROM ledger_entry WHERE member_id = :m", m=m.id) == 10
    twice = client.post(f"/api/v1/awards/{award_id}/approve", json={}, headers=park.auth("admin"))
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "not_pending"
    assert sql("SELECT count(*) FROM ledger_entry") == 1


def test_a_rejected_award_gives_nothing_and_tells_the_member(client, park, sql):
    m = park.members_a[1]
    award_id = award(client, park, "org_a", [m.id], "performance.pioneer").get_json()["id"]
    r = client.post(f"/api/v1/awards/{award_id}/reject", json={"note": "材料不全"}, headers=park.auth("admin"))
    assert r.status_code == 200 and r.get_json()["status"] == "rejected"
    assert sql("SELECT count(*) FROM ledger_entry") == 0
    assert sql("SELECT body FROM notification WHERE member_id = :m", m=m.id).endswith("材料不全")


def test_an_applied_award_notifies_each_member_in_the_same_transaction(client, park, sql):
    ids = [m.id for m in park.members_a]
    award(client, park, "org_a", ids)
    assert sql("SELECT count(*) FROM notification WHERE event = 'points_changed' AND status = 'pending'") == len(ids)


def test_the_same_award_sent_twice_with_one_idempotency_key_counts_once(client, park, sql):
    m = park.members_a[1]
    first = award(client, park, "org_a", [m.id], headers={"Idempotency-Key": "theme-day-0701"})
    second = award(client, park, "org_a", [m.id], headers={"Idempotency-Key": "theme-day-0701"})
    assert first.get_json()["id"] == second.get_json()["id"]
    assert sql("SELECT spendable FROM balance WHERE member_id = :m", m=m.id) == 5


def test_unknown_rules_and_members_and_empty_lists_are_refused(client, park, sql):
    assert award(client, park, "org_a", [park.members_a[1].id], "no.such.rule").get_json()["error"]["code"] == "unknown_rule"
    unknown = award(client, park, "org_a", [99999])
    assert unknown.status_code == 404 and unknown.get_json()["error"]["details"]["member_ids"] == [99999]
    empty = award(client, park, "org_a", [])
    assert empty.status_code == 422 and empty.get_json()["error"]["code"] == "invalid_input"
    assert sql("SELECT count(*) FROM award") == 0


def test_an_inactive_member_gets_no_points(client, park, sql):
    m = park.members_a[1]
    sql("UPDATE member SET status = 'transferred' WHERE id = :m", m=m.id)
    r = award(client, park, "org_a", [m.id])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "member_inactive"
