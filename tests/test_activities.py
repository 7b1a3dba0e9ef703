"""Posting activities, who sees them, leave, the meeting record and attendance reports."""
from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook

from .helpers import iso, make_activity, nonce, now


def test_organizers_post_activities_only_for_their_scope_with_sensible_times(client, park, sql):
    base = {"kind": "theme_day", "title": "主题党日", "starts_at": iso(now()), "ends_at": iso(now() + timedelta(hours=1))}
    outside = client.post("/api/v1/activities", json=base | {"org_id": park.branch_b.id}, headers=park.auth("org_a"))
    assert outside.status_code == 403
    backwards = client.post("/api/v1/activities", json=base | {"org_id": park.branch_a.id,
                                                               "ends_at": iso(now() - timedelta(hours=1))},
                            headers=park.auth("org_a"))
    assert backwards.status_code == 422 and backwards.get_json()["error"]["code"] == "invalid_time"
    no_rule = client.post("/api/v1/activities", json=base | {"org_id": park.branch_a.id, "rule_code": "nope"},
                          headers=park.auth("org_a"))
    assert no_rule.status_code == 404 and no_rule.get_json()["error"]["code"] == "unknown_rule"
    naive = client.post("/api/v1/activities", json=base | {"org_id": park.branch_a.id,
                                                           "starts_at": "2026-07-01T09:00:00"},
                        headers=park.auth("org_a"))
    assert naive.status_code == 422
    assert sql("SELECT count(*) FROM activity") == 0


def test_publishing_tells_every_member_of_the_branch_in_the_same_transaction(client, park, sql):
    a = make_activity(client, park, publish=False)
    assert sql("SELECT count(*) FROM notification") == 0
    r = client.post(f"/api/v1/activities/{a['id']}/publish", headers=park.auth("org_a"))
    assert r.status_code == 200 and r.get_json()["status"] == "published"
    assert sql("SELECT count(*) FROM notification WHERE event = 'activity_published'") == len(park.members_a)
    again = client.post(f"/api/v1/activities/{a['id']}/publish", headers=park.auth("org_a"))
    assert again.status_code == 409


def test_an_organizer_edits_the_place_and_time(client, park):
    a = make_activity(client, park)
    r = client.patch(f"/api/v1/activities/{a['id']}", json={"place": "二楼会议室", "capacity": 30},
                     headers=park.auth("org_a"))
    assert r.status_code == 200 and r.get_json()["place"] == "二楼会议室" and r.get_json()["capacity"] == 30
    other = client.patch(f"/api/v1/activities/{a['id']}", json={"place": "x"}, headers=park.auth("org_b"))
    assert other.status_code == 404  # another branch's activity is not theirs to see


def test_members_see_upcoming_activities_of_their_branch_and_above_only(client, park):
    mine = make_activity(client, park, title="支部党课")
    above = make_activity(client, park, who="admin", org=park.root, title="园区道德讲堂")
    elsewhere = make_activity(client, park, who="org_b", org=park.branch_b, title="北辰志愿服务")
    make_activity(client, park, title="草稿", publish=False)
    make_activity(client, park, title="已结束", starts_at=iso(now() - timedelta(days=3)),
                  ends_at=iso(now() - timedelta(days=3) + timedelta(hours=1)))
    in_group = park.members_a[0]  # a party group below branch A
    seen = client.get("/api/v1/activities?scope=mine&status=upcoming", headers=park.auth(in_group)).get_json()
    assert {x["id"] for x in seen} == {mine["id"], above["id"]}
    assert elsewhere["id"] not in {x["id"] for x in seen}


def test_leave_and_the_meeting_record_fill_in_the_roll(client, park):
    a = make_activity(client, park, kind="branch_meeting", title="支部党员大会")
    came, excused, missing = park.members_a[1], park.members_a[2], park.members_a[3]
    client.post(f"/api/v1/activities/{a['id']}/checkins", json={"member_id": came.id, "nonce": nonce()},
                headers=park.auth("org_a"))
    leave = client.post(f"/api/v1/activities/{a['id']}/leave", json={"reason": "出差"}, headers=park.auth(excused))
    assert leave.status_code == 201 and leave.get_json()["status"] == "pending"
    twice = client.post(f"/api/v1/activities/{a['id']}/leave", json={"reason": "出差"}, headers=park.auth(excused))
    assert twice.status_code == 409
    wrong = client.post(f"/api/v1/leave/{leave.get_json()['id']}/approve", headers=park.auth("org_b"))
    assert wrong.status_code == 404 and wrong.get_json()["error"]["code"] == "unknown_leave"
    ok = client.post(f"/api/v1/leave/{leave.get_json()['id']}/approve", headers=park.auth("org_a"))
    assert ok.status_code == 200 and ok.get_json()["status"] == "approved"
    record = client.put(f"/api/v1/activities/{a['id']}/minutes", json={"minutes": "学习党章，讨论发展党员。"},
                        headers=park.auth("org_a"))
    assert record.status_code == 200
    roll = record.get_json()
    assert roll["minutes"] == "学习党章，讨论发展党员。"
    assert [p["member_id"] for p in roll["present"]] == [came.id]
    assert [p["member_id"] for p in roll["on_leave"]] == [excused.id]
    assert missing.id in [p["member_id"] for p in roll["absent"]]
    assert roll["counts"] == {"expected": len(park.members_a), "present": 1, "on_leave": 1,
                              "absent": len(park.members_a) - 2}


def test_attendance_downloads_as_a_spreadsheet(client, park):
    a = make_activity(client, park)
    client.post(f"/api/v1/activities/{a['id']}/checkins", json={"member_id": park.members_a[1].id, "nonce": nonce()},
                headers=park.auth("org_a"))
    r = client.get(f"/api/v1/activities/{a['id']}/attendance?format=xlsx", headers=park.auth("org_a"))
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(BytesIO(r.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "组织", "状态")
    assert (park.members_a[1].name, "已签到") == (rows[1][0], rows[1][2])
    assert len(rows) == 1 + len(park.members_a)


def test_branch_attendance_over_a_period(client, park):
    a = make_activity(client, park, title="主题党日一")
    make_activity(client, park, who="org_b", org=park.branch_b, title="北辰活动")
    client.post(f"/api/v1/activities/{a['id']}/checkins", json={"member_id": park.members_a[1].id, "nonce": nonce()},
                headers=park.auth("org_a"))
    today = now().date()
    url = f"/api/v1/attendance?org_id={park.branch_a.id}&from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"
    rows = client.get(url, headers=park.auth("org_a")).get_json()
    assert [(r["title"], r["present"], r["expected"]) for r in rows] == [("主题党日一", 1, len(park.members_a))]
    sheet = client.get(url + "&format=xlsx", headers=park.auth("org_a"))
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"
    other = client.get(f"/api/v1/attendance?org_id={park.branch_b.id}&from={today}&to={today}",
                       headers=park.auth("org_a"))
    assert other.status_code == 403
    bad = client.get(f"/api/v1/attendance?org_id={park.branch_a.id}&from=yesterday&to={today}",
                     headers=park.auth("org_a"))
    assert bad.status_code == 422


def test_a_secretary_sees_their_own_invitations_and_what_they_manage(client, park):
    secretary = park.members_a[1]
    client.post("/api/v1/admin/grants", json={"member_id": secretary.id, "role": "organizer",
                                              "org_id": park.branch_a.id}, headers=park.auth("admin"))
    above = make_activity(client, park, who="admin", org=park.root, title="园区党课")
    draft = make_activity(client, park, title="支部草稿", publish=False)
    mine = client.get("/api/v1/activities?scope=mine", headers=park.auth(secretary)).get_json()
    assert above["id"] in {a["id"] for a in mine} and draft["id"] not in {a["id"] for a in mine}
    managed = client.get("/api/v1/activities?scope=managed", headers=park.auth(secretary)).get_json()
    assert draft["id"] in {a["id"] for a in managed} and above["id"] not in {a["id"] for a in managed}


def test_an_activity_exists_only_for_those_who_may_see_it(client, park, app):
    """Staff see their subtree; a member sees what they are invited to once it is published. To anyone
    else an activity answers exactly as an id nobody has: 404 unknown_activity, on every endpoint."""
    from points_mall.extensions import db
    from points_mall.people.models import Grant

    draft = make_activity(client, park, title="支部草稿", publish=False)
    published = make_activity(client, park, title="支部党课")
    member_a, member_b, in_group = park.members_a[1], park.members_b[1], park.members_a[0]

    def status(who, method, url, body=None):
        r = client.open(url, method=method, json=body, headers=park.auth(who))
        if r.status_code == 404:
            assert r.get_json()["error"] == {"code": "unknown_activity", "message": "活动不存在",
                                             "details": r.get_json()["error"]["details"]}
        return r.status_code

    nobody = 999999
    for who in ("org_a", "admin", "org_general", "admin_a"):
        assert status(who, "GET", f"/api/v1/activities/{draft['id']}") == 200, who
    for a in (draft, published):
        for who, method, url, body in (
                ("org_b", "GET", "/api/v1/activities/{}", None),
                ("org_b", "GET", "/api/v1/activities/{}/qr", None),
                ("org_b", "GET", "/api/v1/activities/{}/attendance", None),
                ("org_b", "GET", "/api/v1/activities/{}/attendance?format=xlsx", None),
                ("org_b", "GET", "/api/v1/activities/{}/leave", None),
                ("org_b", "PATCH", "/api/v1/activities/{}", {"place": "x"}),
                ("org_b", "POST", "/api/v1/activities/{}/publish", None),
                ("org_b", "POST", "/api/v1/activities/{}/cancel", {"reason": "x"}),
                ("org_b", "PUT", "/api/v1/activities/{}/minutes", {"minutes": "x"}),
                ("org_b", "POST", "/api/v1/activities/{}/checkins", {"member_id": member_a.id, "nonce": nonce()}),
                ("org_b", "POST", "/api/v1/activities/{}/checkins/offline",
                 {"scans": [{"member_id": member_a.id, "nonce": nonce(), "scanned_at": iso(now())}]}),
                (member_b, "GET", "/api/v1/activities/{}", None),
                (member_b, "GET", "/api/v1/me/activities/{}", None),
                (member_b, "POST", "/api/v1/activities/{}/leave", {"reason": "出差"})):
            seen = status(who, method, url.format(a["id"]), body)
            unknown = status(who, method, url.format(nobody), body)
            if "offline" in url:  # the batch answers per scan: refused as unknown_activity either way
                continue
            assert seen == unknown == 404, (who, method, url, a["title"], seen, unknown)
    offline = client.post(f"/api/v1/activities/{draft['id']}/checkins/offline", headers=park.auth("org_b"),
                          json={"scans": [{"member_id": member_a.id, "nonce": nonce(), "scanned_at": iso(now())}]})
    assert offline.status_code == 404, offline.get_json()
    # A member of the branch sees the published one, not the draft, by either way in.
    for url in ("/api/v1/activities/{}", "/api/v1/me/activities/{}"):
        assert status(member_a, "GET", url.format(published["id"])) == 200
        assert status(member_a, "GET", url.format(draft["id"])) == 404
    assert status(member_a, "POST", f"/api/v1/activities/{draft['id']}/leave", {"reason": "出差"}) == 404
    # Lists hold the same: another branch's organizer and members never see them.
    listed = lambda who, scope: {x["id"] for x in client.get(f"/api/v1/activities?scope={scope}",  # noqa: E731
                                                             headers=park.auth(who)).get_json()}
    assert not {draft["id"], published["id"]} & (listed("org_b", "managed") | listed(member_b, "mine")
                                                 | listed(member_b, "managed") | listed(member_a, "managed"))
    assert listed(member_a, "mine") & {draft["id"], published["id"]} == {published["id"]}
    # A member who organizes their party group sees the branch's activity as a member, but does not run it.
    with app.app_context():
        db.session.add(Grant(member_id=in_group.id, role="organizer", org_id=park.group_a.id))
        db.session.commit()
    assert status(in_group, "GET", f"/api/v1/activities/{published['id']}") == 200
    assert status(in_group, "GET", f"/api/v1/activities/{draft['id']}") == 404
    r = client.get(f"/api/v1/activities/{published['id']}/qr", headers=park.auth(in_group))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "out_of_scope"
