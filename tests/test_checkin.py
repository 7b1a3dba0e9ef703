"""QR check-in: each reason code, nonce retries, screenshots, members without a phone, offline scans."""
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from points_mall.activities import codes, geo

from .helpers import iso, make_activity, nonce, now


def qr(client, park, activity_id, who="org_a"):
    r = client.get(f"/api/v1/activities/{activity_id}/qr", headers=park.auth(who))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def scan(client, park, member, payload, the_nonce=None, **extra):
    return client.post("/api/v1/checkins", json={"payload": payload, "nonce": the_nonce or nonce(), **extra},
                       headers=park.auth(member))


def old_payload(app, kind, obj_id, steps_ago):
    with app.test_request_context():
        return codes.current(kind, obj_id, now() - timedelta(seconds=30 * steps_ago))["payload"]


def test_a_member_scans_the_screen_and_earns_the_points_once(client, park, sql):
    a = make_activity(client, park)
    code = qr(client, park, a["id"])
    assert code["payload"].startswith("http") and f"/q/a/{a['id']}?t=" in code["payload"]
    assert 0 < code["expires_in"] <= 30 and code["svg"].startswith("<svg")
    m = park.members_a[1]
    r = scan(client, park, m, code["payload"])
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["points"] == 2 and r.get_json()["spendable"] == 2
    assert r.get_json()["activity"]["title"] == "七一主题党日"
    again = scan(client, park, m, code["payload"])
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_checked_in"
    assert sql("SELECT count(*) FROM ledger_entry WHERE member_id = :m", m=m.id) == 1
    assert sql("SELECT string_agg(reason, ',' ORDER BY id) FROM scan_attempt") == "ok,already_checked_in"


def test_a_retry_with_the_same_nonce_returns_the_first_answer(client, park, sql):
    a = make_activity(client, park)
    payload = qr(client, park, a["id"])["payload"]
    m = park.members_a[1]
    first = scan(client, park, m, payload, "retry-nonce-1")
    second = scan(client, park, m, payload, "retry-nonce-1")
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert sql("SELECT count(*) FROM scan_attempt") == 1
    assert sql("SELECT count(*) FROM checkin") == 1
    bad_first = scan(client, park, m, "garbage", "retry-nonce-2")
    bad_again = scan(client, park, m, payload, "retry-nonce-2")
    assert bad_first.get_json() == bad_again.get_json() and bad_again.status_code == 400


def test_the_previous_code_still_works_but_a_screenshot_from_minutes_ago_does_not(client, park, app, sql):
    a = make_activity(client, park)
    previous = old_payload(app, "a", a["id"], 1)
    assert scan(client, park, park.members_a[1], previous).status_code == 200
    screenshot = old_payload(app, "a", a["id"], 4)
    r = scan(client, park, park.members_a[2], screenshot)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "code_expired"
    assert r.get_json()["error"]["message"].startswith("二维码已过期")
    assert sql("SELECT count(*) FROM checkin") == 1


@pytest.mark.parametrize("payload", ["garbage", "https://evil.example/q/a/1?t=0000000000000000",
                                     "http://127.0.0.1:5000/q/m/1?t=0123456789abcdef"])
def test_a_forged_or_foreign_code_is_invalid(client, park, payload, sql):
    make_activity(client, park)
    r = scan(client, park, park.members_a[1], payload)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_code"
    assert sql("SELECT reason FROM scan_attempt") == "invalid_code"


def test_every_refusal_has_its_reason_and_is_stored(client, park, sql):
    m_a, m_b = park.members_a[1], park.members_a[2]
    cases = {
        "not_open_yet": make_activity(client, park, starts_at=iso(now() + timedelta(days=1)),
                                      ends_at=iso(now() + timedelta(days=1, hours=2))),
        "closed": make_activity(client, park, starts_at=iso(now() - timedelta(days=1)),
                                ends_at=iso(now() - timedelta(days=1) + timedelta(hours=2))),
        "not_published": make_activity(client, park, publish=False),
        "not_eligible": make_activity(client, park, who="org_b", org=park.branch_b),
        "location_required": make_activity(client, park, latitude=39.9, longitude=116.4, radius_m=200),
    }
    cancelled = make_activity(client, park)
    client.post(f"/api/v1/activities/{cancelled['id']}/cancel", json={"reason": "天气原因"}, headers=park.auth("org_a"))
    cases["cancelled"] = cancelled
    for reason, activity in cases.items():
        who = "org_b" if reason == "not_eligible" else "org_a"
        r = scan(client, park, m_a, qr(client, park, activity["id"], who)["payload"])
        assert r.get_json()["error"]["code"] == reason, (reason, r.get_json())
        assert 400 <= r.status_code < 500 and r.get_json()["error"]["message"]
    fenced = cases["location_required"]
    far = scan(client, park, m_a, qr(client, park, fenced["id"])["payload"], latitude=39.95, longitude=116.4)
    assert far.get_json()["error"]["code"] == "out_of_range"
    # 55 m north of the map-picked place (GCJ-02), as the phone reports it (WGS-84)
    near_lat, near_lng = geo.gcj02_to_wgs84(39.9005, 116.4)
    near = scan(client, park, m_a, qr(client, park, fenced["id"])["payload"], latitude=near_lat, longitude=near_lng)
    assert near.status_code == 200
    full = make_activity(client, park, capacity=1)
    assert scan(client, park, m_a, qr(client, park, full["id"])["payload"]).status_code == 200
    r = scan(client, park, m_b, qr(client, park, full["id"])["payload"])
    assert r.get_json()["error"]["code"] == "full"
    stored = {row[0] for row in sql("SELECT reason FROM scan_attempt")}
    assert stored == set(cases) | {"out_of_range", "ok", "full"}
    assert sql("SELECT count(*) FROM checkin") == 2


def test_an_organizer_checks_in_a_member_without_a_phone(client, park, app, sql):
    a = make_activity(client, park)
    m1, m2 = park.members_a[1], park.members_a[2]
    member_code = client.get("/api/v1/me/qr", headers=park.auth(m1)).get_json()["payload"]
    assert f"/q/m/{m1.id}?t=" in member_code
    by_code = client.post(f"/api/v1/activities/{a['id']}/checkins", json={"member_code": member_code, "nonce": nonce()},
                          headers=park.auth("org_a"))
    assert by_code.status_code == 200 and by_code.get_json()["member_id"] == m1.id
    by_name = client.post(f"/api/v1/activities/{a['id']}/checkins", json={"member_id": m2.id, "nonce": nonce()},
                          headers=park.auth("org_a"))
    assert by_name.status_code == 200 and by_name.get_json()["points"] == 2
    stale = old_payload(app, "m", m1.id, 5)
    r = client.post(f"/api/v1/activities/{a['id']}/checkins", json={"member_code": stale, "nonce": nonce()},
                    headers=park.auth("org_a"))
    assert r.get_json()["error"]["code"] == "code_expired"
    assert {r[0] for r in sql("SELECT method FROM checkin")} == {"member_code", "by_name"}


def test_an_organizer_of_another_branch_cannot_check_anyone_in(client, park, sql):
    a = make_activity(client, park)
    r = client.post(f"/api/v1/activities/{a['id']}/checkins", json={"member_id": park.members_a[1].id,
                                                                    "nonce": nonce()}, headers=park.auth("org_b"))
    # Another branch's activity is not theirs to see: it answers as an id nobody has, and the attempt is kept.
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "unknown_activity"
    assert sql("SELECT reason FROM scan_attempt") == "unknown_activity"
    assert client.get(f"/api/v1/activities/{a['id']}/qr", headers=park.auth("org_b")).status_code == 404
    assert client.get(f"/api/v1/activities/{a['id']}/qr", headers=park.auth(park.members_a[1])).status_code == 403


def test_offline_scans_upload_later_with_their_time_and_retries_are_harmless(client, park, app, sql):
    a = make_activity(client, park, starts_at=iso(now() - timedelta(hours=3)))
    m1, m2 = park.members_a[1], park.members_a[2]
    scanned = now() - timedelta(hours=1)
    with app.test_request_context():
        code = codes.current("m", m1.id, scanned)["payload"]
    batch = {"scans": [
        {"member_code": code, "scanned_at": iso(scanned), "nonce": "offline-0001"},
        {"member_id": m2.id, "scanned_at": iso(scanned), "nonce": "offline-0002"},
        {"member_id": m2.id, "scanned_at": iso(now() + timedelta(hours=1)), "nonce": "offline-0003"},
    ]}
    first = client.post(f"/api/v1/activities/{a['id']}/checkins/offline", json=batch, headers=park.auth("org_a"))
    assert first.status_code == 200
    assert [(x["outcome"], x["reason"]) for x in first.get_json()] == [
        ("ok", "ok"), ("ok", "ok"), ("refused", "invalid_time")]
    assert all(x["late_upload"] for x in first.get_json()[:2])
    again = client.post(f"/api/v1/activities/{a['id']}/checkins/offline", json=batch, headers=park.auth("org_a"))
    assert [x["outcome"] for x in again.get_json()[:2]] == ["ok", "ok"]
    assert sql("SELECT count(*) FROM checkin") == 2
    assert sql("SELECT count(*) FROM ledger_entry") == 2
    assert sql("SELECT bool_and(late_upload) FROM checkin") is True


def test_checkins_are_rate_limited_per_member(client, park, app):
    a = make_activity(client, park)
    m = park.members_a[1]
    app.config["CHECKIN_RATE_LIMIT"] = "3/minute"
    try:
        codes_seen = [scan(client, park, m, "garbage").status_code for _ in range(4)]
        other = scan(client, park, park.members_a[2], qr(client, park, a["id"])["payload"]).status_code
    finally:
        app.config["CHECKIN_RATE_LIMIT"] = "1000/minute"
    assert codes_seen == [400, 400, 400, 429]
    assert other == 200


def test_the_code_image_is_served_only_while_valid(client, park, app):
    a = make_activity(client, park)
    code = qr(client, park, a["id"])
    url = urlsplit(code["png_url"])
    png = client.get(f"{url.path}?{url.query}")
    assert png.status_code == 200 and png.data[:4] == b"\x89PNG"
    old = old_payload(app, "a", a["id"], 6)
    token = old.rsplit("=", 1)[1]
    assert client.get(f"/q/a/{a['id']}.png?t={token}").status_code == 400


# A published pair (the eviltransform project's tests): WGS-84 → GCJ-02, 475 m apart on the ground.
WGS84, GCJ02 = (31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)


def test_wgs84_and_gcj02_convert_by_the_standard_formula():
    assert geo.wgs84_to_gcj02(*WGS84) == pytest.approx(GCJ02, abs=1e-9)
    assert geo.gcj02_to_wgs84(*GCJ02) == pytest.approx(WGS84, abs=1e-7)
    assert 450 < geo.distance_m(*WGS84, *GCJ02) < 500
    assert geo.wgs84_to_gcj02(48.8584, 2.2945) == (48.8584, 2.2945)  # outside China nothing shifts


def test_the_fence_compares_the_phones_wgs84_position_with_the_map_picked_place(client, park):
    fenced = make_activity(client, park, latitude=GCJ02[0], longitude=GCJ02[1], radius_m=100)
    there = scan(client, park, park.members_a[1], qr(client, park, fenced["id"])["payload"],
                 latitude=WGS84[0], longitude=WGS84[1])  # JS-SDK getLocation({type: "wgs84"}) at the place
    assert there.status_code == 200, there.get_json()
    away = scan(client, park, park.members_a[2], qr(client, park, fenced["id"])["payload"],
                latitude=GCJ02[0], longitude=GCJ02[1])  # a phone with the map's numbers stands 475 m off
    assert away.get_json()["error"]["code"] == "out_of_range"


def test_the_projector_offers_a_mini_program_code_whose_scene_checks_in(client, park, wx_app, fake):
    a = make_activity(client, park)
    web = wx_app.test_client()
    r = web.get(f"/api/v1/activities/{a['id']}/mp-code", headers=park.auth("org_a"))
    assert r.status_code == 200, r.get_json()
    code = r.get_json()
    assert code["image"].startswith("data:image/png;base64,") and 0 < code["expires_in"] <= 30
    [call] = fake.calls("/wxa/getwxacodeunlimit")
    assert call["body"]["scene"] == code["scene"] and len(code["scene"]) <= 32
    assert call["body"]["page"] == wx_app.config["WECHAT_MP_CHECKIN_PAGE"]
    assert call["query"]["access_token"].startswith("TOKEN-")  # the mini-program's token (wx-mp)
    assert web.get(f"/api/v1/activities/{a['id']}/mp-code", headers=park.auth("org_b")).status_code == 404  # not theirs
    # the mini-program's page reads options.scene and posts it as the payload
    r = scan(client, park, park.members_a[1], code["scene"])
    assert r.status_code == 200 and r.get_json()["activity"]["id"] == a["id"]
    forged = scan(client, park, park.members_a[2], code["scene"][:-4] + "0000")
    assert forged.get_json()["error"]["code"] == "invalid_code"
