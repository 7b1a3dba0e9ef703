"""Members change without losing history: switched off (no log-in, no new postings, history kept) and on,
transferred to another branch from a date (组织关系转接), their type changed (转正), every change dated,
audited and shown in the member's history."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.people.models import Grant
from points_mall.points.models import Rule
from points_mall.points import ledger
from points_mall.people import member_changes

from .helpers import make_activity, nonce
from .test_concurrency import run_together, staff


def call(client, park, who, method, url, body=None):
    return client.open(url, method=method, json=body, headers=park.auth(who))


def today():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the park's day (TIMEZONE)


def award(client, park, members, who="org_a", code="service.volunteer"):
    return call(client, park, who, "POST", "/api/v1/awards", {"member_ids": [m.id for m in members], "rule_code": code})


def history(client, park, member, who="admin"):
    r = call(client, park, who, "GET", f"/api/v1/admin/members/{member.id}/history")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_a_member_switched_off_cannot_log_in_anywhere(client, park, sql, app):
    m = park.members_a[1]
    sql("UPDATE member SET openid = 'wx-off', oa_openid = 'oa-off' WHERE id = :m", m=m.id)
    with app.app_context():  # a member who organizes their branch, with a console token already
        db.session.add(Grant(member_id=m.id, role="organizer", org_id=park.branch_a.id))
        db.session.commit()
    assert call(client, park, m, "GET", "/api/v1/admin/members").status_code == 200
    off = call(client, park, "admin", "POST", f"/api/v1/admin/members/{m.id}/deactivate", {"note": "长期外出"})
    assert off.status_code == 200 and off.get_json()["status"] == "inactive"
    # WeChat mini-program, the public account's web pages, binding again, the console's QR log-in.
    for url in ("/api/v1/auth/wechat-login", "/api/v1/auth/web-login"):
        r = client.post(url, json={"code": "dev:wx-off" if "wechat" in url else "dev:oa-off"})
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "member_inactive", (url, r.get_json())
    ticket = client.post("/api/v1/auth/console-tickets").get_json()["ticket"]
    for action in ("scan", "confirm"):
        r = client.post(f"/api/v1/auth/console-tickets/{ticket}/{action}", headers=park.auth(m))
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "member_inactive"
    # The token issued before no longer opens the console.
    r = call(client, park, m, "GET", "/api/v1/admin/members")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "member_inactive"
    outcomes = {row[0] for row in sql("SELECT after->>'outcome' FROM audit_entry WHERE action IN "
                                      "('wechat-login', 'web-login')")}
    assert outcomes == {"member_inactive"}


def test_a_member_switched_off_gets_no_new_postings_but_keeps_history_and_comes_back(client, park, sql, app):
    m, other = park.members_a[1], park.members_a[2]
    assert award(client, park, [m]).status_code == 201
    assert call(client, park, "admin", "POST", f"/api/v1/admin/members/{m.id}/deactivate", {}).status_code == 200
    again = call(client, park, "admin", "POST", f"/api/v1/admin/members/{m.id}/deactivate", {})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "same_status"
    # An award listing them is refused and names them.
    r = award(client, park, [m, other])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "member_inactive"
    assert m.name in r.get_json()["error"]["message"] and r.get_json()["error"]["details"]["member_ids"] == [m.id]
    # A check-in refuses them, and says why.
    activity = make_activity(client, park)
    r = client.post(f"/api/v1/activities/{activity['id']}/checkins", json={"member_id": m.id, "nonce": nonce()},
                    headers=park.auth("org_a"))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "member_inactive"
    # The ledger itself refuses, by either way in.
    with app.app_context():
        rule = db.session.scalar(db.select(Rule).where(Rule.code == "service.volunteer"))
        for post in (lambda: ledger.apply_rule([m.id, other.id], rule, key_prefix="t:", source=(None, None), actor="t"),
                     lambda: ledger.apply_rule([m.id], rule, key="t1", source=(None, None), actor="t")):
            try:
                post()
                raise AssertionError("posted to a member switched off")
            except DomainError as e:
                assert e.code == "member_inactive" and e.details["member_ids"] == [m.id]
            db.session.rollback()
    assert sql("SELECT count(*) FROM ledger_entry WHERE member_id IN (:a, :b)", a=m.id, b=other.id) == 1
    # History kept and visible.
    assert sql("SELECT spendable FROM balance WHERE member_id = :m", m=m.id) == 5
    changes = history(client, park, m)["changes"]
    assert [(c["kind"], c["before_label"], c["after_label"]) for c in changes] == [("status", "正常", "停用")]
    # Back on: postings again.
    on = call(client, park, "admin", "POST", f"/api/v1/admin/members/{m.id}/activate", {"note": "返回"})
    assert on.status_code == 200 and on.get_json()["status"] == "active"
    assert award(client, park, [m, other]).status_code == 201
    assert [c["after"] for c in history(client, park, m)["changes"]] == ["inactive", "active"]
    assert sql("SELECT count(*) FROM audit_entry WHERE action = 'member.status' AND entity_id = :m", m=m.id) == 2


def test_a_transfer_closes_one_membership_opens_the_next_and_the_score_follows(client, park, sql):
    m = park.members_a[1]
    assert award(client, park, [m], who="org_a").status_code == 201
    day = today() - timedelta(days=3)
    r = call(client, park, "admin", "POST", f"/api/v1/admin/members/{m.id}/transfer",
             {"org_id": park.branch_b.id, "effective_on": day.isoformat(), "note": "调往北辰软件"})
    assert r.status_code == 200 and r.get_json()["org_id"] == park.branch_b.id
    rows = [tuple(x) for x in sql("SELECT org_id, since, until FROM membership WHERE member_id = :m ORDER BY id", m=m.id)]
    assert rows == [(park.branch_a.id, None, day), (park.branch_b.id, day, None)]
    # The new branch's organizer now covers the member; the old one no longer does.
    assert award(client, park, [m], who="org_b").status_code == 201
    assert award(client, park, [m], who="org_a").status_code == 403
    me = client.get("/api/v1/me", headers=park.auth(m)).get_json()
    assert me["score_by_dimension"]["service"] == 10 and me["spendable"] == 10
    assert sql("SELECT count(*) FROM score WHERE member_id = :m", m=m.id) == 1
    h = history(client, park, m, who="org_b")
    assert [(x["org"], x["since"], x["until"]) for x in h["memberships"]] == [
        (park.branch_a.name, None, day.isoformat()), (park.branch_b.name, day.isoformat(), None)]
    assert [(c["kind"], c["before_label"], c["after_label"], c["effective_on"], c["note"], c["actor_name"])
            for c in h["changes"]] == [("transfer", park.branch_a.name, park.branch_b.name, day.isoformat(),
                                        "调往北辰软件", "admin")]
    audit = sql("SELECT after FROM audit_entry WHERE action = 'member.transfer' AND entity_id = :m", m=m.id)
    assert audit["transfer"] == park.branch_b.id and audit["effective_on"] == day.isoformat()


def test_a_transfer_is_refused_with_a_reason_for_bad_input(client, park, sql):
    m = park.members_a[1]
    url = f"/api/v1/admin/members/{m.id}/transfer"

    def refused(body, who="admin"):
        r = call(client, park, who, "POST", url, body)
        assert 400 <= r.status_code < 500, r.get_json()
        return r.status_code, r.get_json()["error"]["code"]

    assert refused({"org_id": park.branch_a.id}) == (422, "same_org")
    assert refused({"org_id": park.branch_b.id, "effective_on": (today() + timedelta(days=1)).isoformat()}) == \
        (422, "future_date")
    assert refused({"org_id": 999999}) == (404, "unknown_org")
    assert refused({"org_id": park.branch_b.id}, who="admin_a") == (403, "out_of_scope")  # not over branch B
    assert refused({"org_id": park.branch_b.id}, who="org_a") == (403, "forbidden")
    assert refused({"effective_on": today().isoformat()})[0] == 422
    assert call(client, park, "admin", "POST", "/api/v1/admin/members/999999/transfer",
                {"org_id": park.branch_b.id}).status_code == 404
    retired = call(client, park, "admin", "POST", "/api/v1/admin/orgs",
                   {"name": "已撤销支部", "kind": "branch", "parent_id": park.root.id}).get_json()
    assert call(client, park, "admin", "POST", f"/api/v1/admin/orgs/{retired['id']}/retire").status_code == 200
    assert refused({"org_id": retired["id"]}) == (422, "org_retired")
    # Not before the current membership began.
    ok = call(client, park, "admin", "POST", url, {"org_id": park.branch_b.id,
                                                   "effective_on": (today() - timedelta(days=5)).isoformat()})
    assert ok.status_code == 200
    code = refused({"org_id": park.group_a.id, "effective_on": (today() - timedelta(days=6)).isoformat()})
    assert code == (422, "before_membership")
    assert sql("SELECT count(*) FROM membership WHERE member_id = :m", m=m.id) == 2


def test_an_admin_over_both_branches_may_transfer(client, park, sql):
    # admin_a covers branch A and its group only: a move inside is theirs to make.
    m = park.members_a[1]
    r = call(client, park, "admin_a", "POST", f"/api/v1/admin/members/{m.id}/transfer", {"org_id": park.group_a.id})
    assert r.status_code == 200 and sql("SELECT org_id FROM member WHERE id = :m", m=m.id) == park.group_a.id
    assert sql("SELECT since FROM membership WHERE member_id = :m AND until IS NULL", m=m.id) == today()


def test_a_change_of_type_is_dated_and_refused_when_wrong(client, park, sql):
    m = park.members_a[1]
    sql("UPDATE member SET member_type = '预备党员' WHERE id = :m", m=m.id)
    url = f"/api/v1/admin/members/{m.id}/type"
    day = (today() - timedelta(days=10)).isoformat()
    r = call(client, park, "admin", "POST", url, {"member_type": "党员", "effective_on": day, "note": "支部大会通过转正"})
    assert r.status_code == 200 and r.get_json()["member_type"] == "党员"
    same = call(client, park, "admin", "POST", url, {"member_type": "党员"})
    assert same.status_code == 422 and same.get_json()["error"]["code"] == "same_type"
    unknown = call(client, park, "admin", "POST", url, {"member_type": "团员"})
    assert unknown.status_code == 422
    future = call(client, park, "admin", "POST", url, {"member_type": "预备党员",
                                                       "effective_on": (today() + timedelta(days=2)).isoformat()})
    assert future.status_code == 422 and future.get_json()["error"]["code"] == "future_date"
    changes = history(client, park, m)["changes"]
    assert [(c["kind"], c["before"], c["after"], c["effective_on"]) for c in changes] == [("type", "预备党员", "党员", day)]


def test_an_edit_that_moves_or_retypes_a_member_is_a_dated_change_too(client, park, sql):
    m = park.members_a[1]
    r = call(client, park, "admin", "PATCH", f"/api/v1/admin/members/{m.id}",
             {"org_id": park.branch_b.id, "member_type": "预备党员", "name": "张一鸣"})
    assert r.status_code == 200, r.get_json()
    kinds = [c["kind"] for c in history(client, park, m)["changes"]]
    assert kinds == ["transfer", "type"]
    assert sql("SELECT count(*) FROM membership WHERE member_id = :m AND until IS NULL", m=m.id) == 1
    assert sql("SELECT org_id FROM membership WHERE member_id = :m AND until IS NULL", m=m.id) == park.branch_b.id


def test_a_transfer_under_concurrent_postings_loses_nothing(app, park, sql):
    m = park.members_a[1]
    from points_mall.points import awards

    def post(n):
        return lambda: awards.propose(staff("admin"), [m.id], "service.volunteer", f"并发{n}").id

    jobs = [post(n) for n in range(12)] + [
        lambda: member_changes.transfer(staff("admin"), m.id, park.branch_b.id, today(), "并发转接").org_id]
    results = run_together(app, jobs)
    assert all(r[0] == "ok" for r in results), results
    assert sql("SELECT sum(delta_score) FROM ledger_entry WHERE member_id = :m", m=m.id) == 60
    assert sql("SELECT score FROM score WHERE member_id = :m", m=m.id) == 60
    assert sql("SELECT org_id FROM member WHERE id = :m", m=m.id) == park.branch_b.id
    with app.app_context():
        assert ledger.verify() == []


def test_two_transfers_at_once_leave_one_open_membership(app, park, sql):
    m = park.members_a[1]
    jobs = [lambda org=org: member_changes.transfer(staff("admin"), m.id, org, today()).org_id
            for org in (park.branch_b.id, park.group_a.id, park.branch_b.id)]
    results = run_together(app, jobs)
    assert all(r[0] in ("ok", "refused") for r in results), results
    assert any(r[0] == "ok" for r in results)
    open_rows = sql("SELECT count(*) FROM membership WHERE member_id = :m AND until IS NULL", m=m.id)
    assert open_rows == 1
    current = sql("SELECT org_id FROM membership WHERE member_id = :m AND until IS NULL", m=m.id)
    assert current == sql("SELECT org_id FROM member WHERE id = :m", m=m.id)
    moves = sql("SELECT count(*) FROM member_change WHERE member_id = :m", m=m.id)
    assert moves == sum(r[0] == "ok" for r in results) == sql(
        "SELECT count(*) FROM membership WHERE member_id = :m", m=m.id) - 1


def test_a_member_switched_off_spends_nothing_even_with_a_token_from_before(client, park, shop, sql):
    m = park.members_a[1]
    token = park.auth(m)  # issued while the member was active; it lives for days
    assert call(client, park, "admin", "POST", f"/api/v1/admin/members/{m.id}/deactivate", {}).status_code == 200
    r = client.post("/api/v1/redemptions", headers=token | {"Idempotency-Key": "off-1"},
                    json={"shop_id": shop.shop_id, "items": [{"product_id": shop.products["大米5kg"], "qty": 1}]})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "member_inactive"
    assert sql("SELECT spendable FROM balance WHERE member_id = :m", m=m.id) == 100
    assert sql("SELECT count(*) FROM redemption") == 0


def test_a_member_switched_off_is_refused_on_every_members_page_with_the_token_issued_before(client, park, app,
                                                                                           sql):
    from points_mall.activities import codes

    m = park.members_a[1]
    activity = make_activity(client, park)
    assert call(client, park, m, "GET", "/api/v1/me").status_code == 200
    assert call(client, park, "admin", "POST", f"/api/v1/admin/members/{m.id}/deactivate", {}).status_code == 200
    for method, url in (("GET", "/api/v1/me"), ("GET", "/api/v1/me/ledger"), ("GET", "/api/v1/me/messages"),
                        ("GET", "/api/v1/me/redemptions"), ("GET", "/api/v1/me/shops"),
                        ("GET", "/api/v1/me/activities"), ("GET", "/api/v1/me/declarations"),
                        ("POST", "/api/v1/me/messages/read-all")):
        r = call(client, park, m, method, url)
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "member_inactive", (url, r.get_json())
    # A scan is refused by the check-in itself, so the attempt is stored with its reason (invariant 2).
    with app.app_context():
        payload = codes.current("a", activity["id"])["payload"]
    r = call(client, park, m, "POST", "/api/v1/checkins", {"payload": payload, "nonce": nonce()})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "member_inactive"
    assert sql("SELECT reason FROM scan_attempt WHERE member_id = :m", m=m.id) == "member_inactive"
    # Switched on again, the same token works.
    assert call(client, park, "admin", "POST", f"/api/v1/admin/members/{m.id}/activate", {}).status_code == 200
    assert call(client, park, m, "GET", "/api/v1/me/ledger").status_code == 200
