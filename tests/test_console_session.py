"""GET /api/v1/auth/session: what the console builds its menu from."""
from points_mall.extensions import db
from points_mall.people.models import Grant

from .park import PASSWORD


def test_a_staff_organizer_sees_their_name_role_and_branch(client, park):
    answer = client.get("/api/v1/auth/session", headers=park.auth("org_a"))
    assert answer.status_code == 200
    assert answer.get_json() == {"kind": "staff", "id": answer.get_json()["id"], "name": "org_a", "roles": ["organizer"],
                                 "grants": [{"role": "organizer", "org_id": park.branch_a.id, "org_name": "星联电子党支部",
                                             "shop_id": None, "shop_name": None}]}


def test_a_keeper_sees_the_shop_they_keep(client, park, shop):
    body = client.get("/api/v1/auth/session", headers=park.auth("keeper")).get_json()
    assert body["roles"] == ["shopkeeper"]
    assert body["grants"][0]["shop_name"] == "积分超市（党群服务中心）" and body["grants"][0]["org_id"] is None


def test_a_member_with_a_grant_logs_in_with_wechat_and_sees_it(client, park, app):
    m = park.members_a[1]
    with app.app_context():
        db.session.add(Grant(member_id=m.id, role="organizer", org_id=park.branch_a.id))
        db.session.commit()
    body = client.get("/api/v1/auth/session", headers=park.auth(m)).get_json()
    assert body["kind"] == "member" and body["name"] == m.name and body["roles"] == ["organizer"]


def test_a_member_without_a_grant_has_no_roles(client, park):
    body = client.get("/api/v1/auth/session", headers=park.auth(park.members_a[2])).get_json()
    assert body["roles"] == [] and body["grants"] == []


def test_without_a_token_the_session_is_401(client, park):
    answer = client.get("/api/v1/auth/session")
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "unauthorized"


def test_the_token_from_staff_login_opens_the_session(client, park):
    token = client.post("/api/v1/auth/staff-login", json={"username": "admin", "password": PASSWORD}).get_json()["token"]
    body = client.get("/api/v1/auth/session", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["roles"] == ["admin"] and body["grants"][0]["org_id"] is None


def test_the_organizer_lists_an_activitys_leave_requests_pending_first(client, park):
    from .helpers import make_activity

    a = make_activity(client, park)
    first, second = park.members_a[1], park.members_a[2]
    for m, why in ((first, "出差"), (second, "生病")):
        assert client.post(f"/api/v1/activities/{a['id']}/leave", json={"reason": why}, headers=park.auth(m)).status_code == 201
    listed = client.get(f"/api/v1/activities/{a['id']}/leave", headers=park.auth("org_a")).get_json()
    assert client.post(f"/api/v1/leave/{listed[0]['id']}/approve", headers=park.auth("org_a")).status_code == 200
    after = client.get(f"/api/v1/activities/{a['id']}/leave", headers=park.auth("org_a")).get_json()
    assert [(r["name"], r["reason"], r["status"]) for r in after] == [(second.name, "生病", "pending"),
                                                                       (first.name, "出差", "approved")]
    assert after[0]["org"] == "星联电子党支部"
    assert client.get(f"/api/v1/activities/{a['id']}/leave", headers=park.auth("org_b")).status_code == 404  # not theirs to see
    assert client.get(f"/api/v1/activities/{a['id']}/leave", headers=park.auth(first)).status_code == 403


def test_the_approvals_inbox_names_the_rule_and_the_members(client, park):
    members = park.members_a[:2]
    r = client.post("/api/v1/awards", json={"member_ids": [m.id for m in members], "rule_code": "performance.pioneer",
                                            "reason": "防汛突击"}, headers=park.auth("org_a") | {"Idempotency-Key": "k-names"})
    assert r.status_code == 201 and r.get_json()["status"] == "pending"
    pending = client.get("/api/v1/awards/pending", headers=park.auth("admin")).get_json()
    assert pending[0]["rule_name"] == "performance.pioneer" and pending[0]["proposer_name"] == "org_a"
    assert [line["name"] for line in pending[0]["lines"]] == [m.name for m in members]


def test_a_keeper_picks_who_paid_from_the_committee_and_branches_not_groups(client, park, shop):
    funders = client.get("/api/v1/shop/funding-orgs", headers=park.auth("keeper")).get_json()
    names = [o["name"] for o in funders]
    assert names[0] == "综合党委" and "星联电子党支部" in names and "星联第一党小组" not in names
    assert client.get("/api/v1/shop/funding-orgs", headers=park.auth("org_a")).status_code == 403


def test_the_organizers_activities_page_on_the_server_and_filter_by_month(client, park):
    from datetime import timedelta

    from .helpers import iso, make_activity, now

    for day in (1, 2, 3, 40):
        make_activity(client, park, title=f"第{day}天", starts_at=iso(now() + timedelta(days=day)),
                      ends_at=iso(now() + timedelta(days=day, hours=2)))
    page = client.get("/api/v1/activities?scope=managed&status=upcoming&page=1&page_size=2", headers=park.auth("org_a"))
    assert [a["title"] for a in page.get_json()] == ["第1天", "第2天"]
    assert '"total": 4' in page.headers["X-Pagination"]
    second = client.get("/api/v1/activities?scope=managed&status=upcoming&page=2&page_size=2", headers=park.auth("org_a"))
    assert [a["title"] for a in second.get_json()] == ["第3天", "第40天"]
    # A window a day wider each side than the UTC dates, whatever the service's time zone makes of them.
    first_day = (now() + timedelta(days=1)).date()
    window = client.get(f"/api/v1/activities?scope=managed&from={first_day - timedelta(days=1)}&to={first_day + timedelta(days=4)}",
                        headers=park.auth("org_a")).get_json()
    assert sorted(a["title"] for a in window) == ["第1天", "第2天", "第3天"]
    assert client.get("/api/v1/activities?scope=managed", headers=park.auth("org_b")).get_json() == []
