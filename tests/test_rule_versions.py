"""Rules change without rewriting history: every edit of what a posting uses is a new version, entries keep
the version they were posted under, and a retired rule posts nothing new, whoever asks."""
from points_mall.extensions import db
from points_mall.points import ledger, rule_admin

from .helpers import make_activity, nonce
from .test_concurrency import run_together, staff


def call(client, park, who, method, url, body=None):
    return client.open(url, method=method, json=body, headers=park.auth(who))


def rule_id(sql, code):
    return sql("SELECT id FROM rule WHERE code = :c", c=code)


def award(client, park, members, code="service.volunteer", who="org_a"):
    return call(client, park, who, "POST", "/api/v1/awards", {"member_ids": [m.id for m in members], "rule_code": code})


def test_a_new_rule_is_its_version_1_made_by_the_admin_and_declarable_when_asked(client, park, sql):
    r = call(client, park, "admin", "POST", "/api/v1/admin/rules",
             {"code": "performance.good_deed", "name": "好人好事", "dimension": "performance", "points": 4,
              "declarable": True})
    assert r.status_code == 201, r.get_json()
    rule = r.get_json()
    assert rule["version"] == 1 and rule["declarable"] is True
    versions = call(client, park, "admin", "GET", f"/api/v1/admin/rules/{rule['id']}/versions").get_json()
    assert [(v["version"], v["points"], v["declarable"], v["created_by_name"]) for v in versions] == \
        [(1, 4, True, "admin")]
    listed = next(x for x in call(client, park, "org_a", "GET", "/api/v1/admin/rules").get_json() if x["id"] == rule["id"])
    assert listed["declarable"] is True and listed["version"] == 1


def test_post_edit_post_keeps_each_entry_at_the_version_and_points_it_was_posted_under(client, park, sql):
    rid = rule_id(sql, "service.volunteer")
    member = park.members_a[1]
    assert award(client, park, [member]).status_code == 201
    edited = call(client, park, "admin", "PATCH", f"/api/v1/admin/rules/{rid}", {"points": 8, "name": "志愿服务（新）"})
    assert edited.status_code == 200 and edited.get_json()["version"] == 2
    assert award(client, park, [member]).status_code == 201
    entries = sql("SELECT rule_version, delta_score FROM ledger_entry WHERE member_id = :m ORDER BY id", m=member.id)
    assert [tuple(e) for e in entries] == [(1, 5), (2, 8)]
    versions = call(client, park, "admin", "GET", f"/api/v1/admin/rules/{rid}/versions").get_json()
    assert [(v["version"], v["points"], v["name"]) for v in versions] == [(2, 8, "志愿服务（新）"), (1, 5, "service.volunteer")]
    assert versions[0]["created_by_name"] == "admin" and versions[0]["created_at"]
    # The member's own ledger says under which version each entry was posted.
    mine = client.get("/api/v1/me/ledger", headers=park.auth(member)).get_json()["entries"]
    assert [(e["rule_version"], e["delta_score"]) for e in mine] == [(2, 8), (1, 5)]
    assert {e["rule_id"] for e in mine} == {rid}


def test_only_changes_to_what_a_posting_uses_make_a_version_and_each_is_audited(client, park, sql):
    rid = rule_id(sql, "study.meeting")
    url = f"/api/v1/admin/rules/{rid}"
    steps = [({"cap": 10}, 2), ({"needs_approval": True}, 3), ({"declarable": True}, 4), ({"cap": 10}, 4),
             ({"active": False}, 4), ({"active": True}, 4), ({"cap_period": None, "cap": None}, 5)]
    for body, version in steps:
        r = call(client, park, "admin", "PATCH", url, body)
        assert r.status_code == 200 and r.get_json()["version"] == version, (body, r.get_json())
    rows = sql("SELECT version, cap_period, cap, needs_approval, declarable FROM rule_version WHERE rule_id = :r "
               "ORDER BY version", r=rid)
    assert [tuple(x) for x in rows] == [(1, "month", 8, False, False), (2, "month", 10, False, False),
                                        (3, "month", 10, True, False), (4, "month", 10, True, True),
                                        (5, None, None, True, True)]
    audited = sql("SELECT count(*) FROM audit_entry WHERE entity = 'rule' AND entity_id = :r", r=rid)
    assert audited == len(steps)
    bad = call(client, park, "admin", "PATCH", url, {"points": 0})
    assert bad.status_code == 422 and sql("SELECT version FROM rule WHERE id = :r", r=rid) == 5
    assert call(client, park, "org_a", "PATCH", url, {"points": 3}).status_code == 403
    assert call(client, park, "admin_a", "PATCH", url, {"points": 3}).status_code == 403
    assert call(client, park, "org_a", "GET", "/api/v1/admin/rules/999999/versions").status_code == 404


def test_two_admins_editing_one_rule_at_once_make_two_distinct_versions(app, park, sql):
    rid = rule_id(sql, "service.volunteer")
    results = run_together(app, [lambda p=p: rule_admin.edit_rule(staff("admin"), rid, points=p).version
                                 for p in (6, 7, 9, 11)])
    assert sorted(r[1] for r in results) == [2, 3, 4, 5], results
    assert sql("SELECT version FROM rule WHERE id = :r", r=rid) == 5
    rows = [tuple(x) for x in sql("SELECT version, points FROM rule_version WHERE rule_id = :r ORDER BY version", r=rid)]
    assert [v for v, _ in rows] == [1, 2, 3, 4, 5] and len({p for _, p in rows[1:]}) == 4
    # The rule as it stands is its last version.
    assert sql("SELECT points FROM rule WHERE id = :r", r=rid) == rows[-1][1]


def test_postings_racing_an_edit_are_each_worth_their_versions_points(app, park, sql):
    rid = rule_id(sql, "service.volunteer")
    members = [m.id for m in park.members_a + park.members_b]

    def post(member_id):
        from points_mall.points import awards
        return lambda: awards.propose(staff("admin"), [member_id], "service.volunteer", "并发").id

    jobs = [post(m) for m in members] + [lambda: rule_admin.edit_rule(staff("admin"), rid, points=8).version]
    results = run_together(app, jobs)
    assert all(r[0] == "ok" for r in results), results
    rows = sql("SELECT e.delta_score, v.points FROM ledger_entry e JOIN rule_version v "
               "ON v.rule_id = e.rule_id AND v.version = e.rule_version")
    assert len(rows) == len(members) and all(delta == points for delta, points in rows)
    with app.app_context():
        assert ledger.verify() == []


def test_a_retired_rule_posts_nothing_new_anywhere(client, park, sql, app):
    rid = rule_id(sql, "study.meeting")
    activity = make_activity(client, park)  # awards study.meeting
    assert call(client, park, "admin", "POST", f"/api/v1/admin/rules/{rid}/retire").status_code == 200
    # An award names the retired rule.
    r = award(client, park, [park.members_a[1]], code="study.meeting")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "rule_retired"
    assert "study.meeting" in r.get_json()["error"]["message"]
    # A check-in under it is refused, and the refusal is stored with its reason.
    r = client.post(f"/api/v1/activities/{activity['id']}/checkins", json={"member_id": park.members_a[1].id,
                                                                           "nonce": nonce()}, headers=park.auth("org_a"))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "rule_retired"
    assert "更换细则" in r.get_json()["error"]["message"]
    assert sql("SELECT reason FROM scan_attempt ORDER BY id DESC LIMIT 1") == "rule_retired"
    # The ledger itself refuses, whoever calls it.
    with app.app_context():
        from points_mall.points.models import Rule
        from points_mall.errors import DomainError
        rule = db.session.get(Rule, rid)
        try:
            ledger.apply_rule([park.members_a[2].id], rule, key="x", source=(None, None), actor="test")
            raise AssertionError("posted under a retired rule")
        except DomainError as e:
            assert e.code == "rule_retired"
        db.session.rollback()
    assert sql("SELECT count(*) FROM ledger_entry WHERE rule_id = :r", r=rid) == 0
    # Brought back, it posts again.
    assert call(client, park, "admin", "PATCH", f"/api/v1/admin/rules/{rid}", {"active": True}).status_code == 200
    assert award(client, park, [park.members_a[1]], code="study.meeting").status_code == 201


def test_a_pending_award_under_a_rule_retired_meanwhile_is_not_approved(client, park, sql):
    pending = award(client, park, [park.members_a[1]], code="performance.pioneer")  # needs approval
    assert pending.status_code == 201 and pending.get_json()["status"] == "pending"
    rid = rule_id(sql, "performance.pioneer")
    assert call(client, park, "admin", "POST", f"/api/v1/admin/rules/{rid}/retire").status_code == 200
    r = call(client, park, "admin", "POST", f"/api/v1/awards/{pending.get_json()['id']}/approve", {})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "rule_retired"
    assert sql("SELECT status FROM award") == "pending" and sql("SELECT count(*) FROM ledger_entry") == 0
