"""积分申报 on PostgreSQL: a member declares an item with photos under a declarable rule; the organizer of the
member's branch approves (posting once, within the cap, on the declared day), rejects or returns it."""
from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.year import declarations
from points_mall.points import ledger

from .test_concurrency import run_together, staff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 80


def today() -> date:
    """Today where the park is (TestConfig keeps the default zone)."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def error(response):
    return response.status_code, response.get_json()["error"]["code"]


@pytest.fixture
def year_end(monkeypatch) -> date:
    """The declarations' clock at noon on 31 December of last year, so a test that needs days of the
    year behind it (three for the cap, one before a closed 公示) runs on any day, 1 January too."""
    moment = datetime(today().year - 1, 12, 31, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(declarations, "utcnow", lambda: moment)
    return moment.date()


@pytest.fixture
def photos(app, tmp_path):
    """Uploads go to a directory of this test's own."""
    app.config["UPLOAD_DIR"] = str(tmp_path)
    app.extensions.pop("pm.storage", None)
    yield tmp_path
    app.config.pop("UPLOAD_DIR", None)
    app.extensions.pop("pm.storage", None)


@pytest.fixture
def declarable(park, sql):
    """Volunteer service (5 points, no cap) and a capped morality rule are declarable; the rest are not."""
    sql("UPDATE rule SET declarable = true WHERE code = 'service.volunteer'")
    sql("INSERT INTO rule (code, name, dimension, points, cap_period, cap, needs_approval, active, declarable, version)"
        " VALUES ('morality.help', '邻里互助', 'morality', 5, 'year', 8, false, true, true, 1)")
    return {code: sql("SELECT id FROM rule WHERE code = :c", c=code)
            for code in ("service.volunteer", "morality.help", "study.meeting")}


def upload(client, park, who, data=PNG, name="a.png"):
    return client.post("/api/v1/me/photos", data={"file": (BytesIO(data), name)}, headers=park.auth(who))


def declare(client, park, who, rule_id, day=None, title="社区义务植树", photos=(), **more):
    body = {"rule_id": rule_id, "occurred_on": (day or today()).isoformat(), "title": title,
            "description": "和社区志愿者一起种了20棵树", "photos": list(photos), **more}
    return client.post("/api/v1/me/declarations", json=body, headers=park.auth(who))


def test_a_member_declares_an_item_with_photos_and_sees_it(client, park, declarable, photos, sql):
    m = park.members_a[1]
    rules = client.get("/api/v1/declarable-rules", headers=park.auth(m)).get_json()
    assert sorted(r["name"] for r in rules) == ["service.volunteer", "邻里互助"]

    shot1, shot2 = upload(client, park, m), upload(client, park, m, JPEG, "b.jpg")
    assert shot1.status_code == 201 and shot2.status_code == 201, shot1.get_json()
    keys = [shot1.get_json()["key"], shot2.get_json()["key"]]
    assert shot1.get_json()["url"] == f"/api/v1/uploads/photos/{keys[0]}"
    assert client.get(shot1.get_json()["url"]).data == PNG

    r = declare(client, park, m, declarable["service.volunteer"], photos=keys)
    assert r.status_code == 201, r.get_json()
    d = r.get_json()
    assert (d["status"], d["rule_name"], d["member_name"], d["org_id"], d["points"]) == \
        ("submitted", "service.volunteer", m.name, m.org_id, None)
    assert [p["key"] for p in d["photos"]] == keys and d["photos"][1]["url"].endswith(keys[1])

    later = declare(client, park, m, declarable["morality.help"], title="照顾独居老人").get_json()
    mine = client.get("/api/v1/me/declarations", headers=park.auth(m))
    assert [x["id"] for x in mine.get_json()] == [later["id"], d["id"]]  # newest first
    assert '"total": 2' in mine.headers["X-Pagination"]
    assert client.get(f"/api/v1/me/declarations/{d['id']}", headers=park.auth(m)).get_json()["title"] == "社区义务植树"
    # Someone else's declaration does not exist for me.
    other = park.members_a[2]
    assert error(client.get(f"/api/v1/me/declarations/{d['id']}", headers=park.auth(other))) == \
        (404, "unknown_declaration")
    assert sql("SELECT count(*) FROM audit_entry WHERE action = 'declaration.submit' AND actor_kind = 'member'") == 2
    assert sql("SELECT count(*) FROM notification WHERE member_id = :m AND event = 'declaration_submitted'",
               m=m.id) == 2


def test_only_declarable_rules_days_of_this_year_up_to_today_and_uploaded_photos(client, park, declarable, photos):
    m = park.members_a[1]
    volunteer = declarable["service.volunteer"]
    assert error(declare(client, park, m, declarable["study.meeting"])) == (422, "not_declarable")
    r = declare(client, park, m, volunteer, day=today() + timedelta(days=1))
    assert error(r) == (422, "invalid_date") and "不能晚于今天" in r.get_json()["error"]["message"]
    r = declare(client, park, m, volunteer, day=date(today().year - 1, 12, 31))
    assert error(r) == (422, "invalid_date") and f"{today().year}年" in r.get_json()["error"]["message"]
    r = declare(client, park, m, volunteer, photos=["0" * 64 + ".png"])
    assert error(r) == (422, "unknown_photo")
    key = upload(client, park, m).get_json()["key"]
    r = declare(client, park, m, volunteer, photos=[key] * 7)  # more than six
    assert error(r) == (422, "invalid_input") and r.get_json()["error"]["message"] == "最多上传6张照片"
    assert error(declare(client, park, m, volunteer, title="")) == (422, "invalid_input")
    # Photos are checked by their bytes; only members upload here.
    assert error(upload(client, park, m, b"<svg onload=alert(1)>", "x.png")) == (415, "photo_type")
    assert error(upload(client, park, "org_a")) == (403, "members_only")
    assert client.get("/api/v1/me/declarations", headers=park.auth(m)).get_json() == []


def test_the_same_item_cannot_be_declared_twice(client, park, declarable, photos, sql):
    m = park.members_a[1]
    first = declare(client, park, m, declarable["service.volunteer"])
    assert first.status_code == 201
    again = declare(client, park, m, declarable["service.volunteer"], title="换个说法")
    assert error(again) == (409, "duplicate_declaration")
    day = today()
    assert again.get_json()["error"]["message"] == \
        f"{day.month}月{day.day}日的“service.volunteer”已申报过，同一事项不能重复申报；请在“我的申报”中查看"
    assert again.get_json()["error"]["details"]["declaration_id"] == first.get_json()["id"]
    # Another rule the same day, or another member, is another item.
    assert declare(client, park, m, declarable["morality.help"]).status_code == 201
    assert declare(client, park, park.members_a[2], declarable["service.volunteer"]).status_code == 201
    assert sql("SELECT count(*) FROM declaration") == 3


def test_the_same_item_declared_from_two_phones_at_once_is_kept_once(app, park, declarable, photos, sql):
    m = park.members_a[3]
    jobs = [lambda n=n: declarations.declare(m.id, declarable["service.volunteer"], today(), f"第{n}次").id
            for n in range(6)]
    results = run_together(app, jobs)
    assert sorted(r[0] for r in results) == ["ok"] + ["refused"] * 5, results
    assert {r[1] for r in results if r[0] == "refused"} == {"duplicate_declaration"}
    assert sql("SELECT count(*) FROM declaration WHERE member_id = :m", m=m.id) == 1
    with app.app_context(), pytest.raises(DomainError) as refused:
        declarations.declare(m.id, declarable["service.volunteer"], today(), "再来")
    assert "已申报过" in refused.value.message and refused.value.details["rule"] == "service.volunteer"


def test_the_organizer_approves_and_the_points_post_once_on_the_declared_day(client, park, declarable, photos, sql):
    m = park.members_a[1]
    day = today() - timedelta(days=1) if today().timetuple().tm_yday > 1 else today()
    d = declare(client, park, m, declarable["service.volunteer"], day=day).get_json()

    inbox = client.get("/api/v1/declarations?status=submitted", headers=park.auth("org_a"))
    assert [x["id"] for x in inbox.get_json()] == [d["id"]] and '"total": 1' in inbox.headers["X-Pagination"]
    assert client.get("/api/v1/declarations/counts", headers=park.auth("org_a")).get_json()["submitted"] == 1
    r = client.post(f"/api/v1/declarations/{d['id']}/approve", json={"note": "属实"}, headers=park.auth("org_a"))
    assert r.status_code == 200, r.get_json()
    done = r.get_json()
    assert (done["status"], done["points"], done["note"], done["decided_by_name"]) == ("approved", 5, "属实", "org_a")

    entry = sql("SELECT idempotency_key, delta_score, delta_spendable, source_type, source_id, dimension,"
                " (occurred_at AT TIME ZONE 'Asia/Shanghai')::date FROM ledger_entry WHERE member_id = :m", m=m.id)
    assert entry == [(f"declaration:{d['id']}", 5, 5, "declaration", d["id"], "service", day)]
    me = client.get("/api/v1/me", headers=park.auth(m)).get_json()
    assert (me["spendable"], me["score_by_dimension"]["service"]) == (5, 5)

    again = client.post(f"/api/v1/declarations/{d['id']}/approve", json={}, headers=park.auth("admin"))
    assert error(again) == (409, "not_pending")
    assert "不能再次审核" in again.get_json()["error"]["message"]
    assert error(client.post(f"/api/v1/declarations/{d['id']}/reject", json={"note": "x"},
                             headers=park.auth("org_a"))) == (409, "not_pending")
    assert sql("SELECT count(*) FROM ledger_entry WHERE member_id = :m", m=m.id) == 1
    assert sql("SELECT title FROM notification WHERE member_id = :m AND event = 'points_changed'", m=m.id) == \
        "积分申报已通过"
    assert sql("SELECT after->>'points' FROM audit_entry WHERE action = 'declaration.approve'") == "5"
    assert ledger_verifies(client.application)


def ledger_verifies(app):
    with app.app_context():
        return ledger.verify() == []


def test_two_organizers_approving_at_once_post_once(app, park, declarable, photos, sql):
    m = park.members_a[2]
    with app.app_context():
        d = declarations.declare(m.id, declarable["service.volunteer"], today(), "扶贫助学").id
        db.session.remove()
    approvers = ["org_a", "admin_a", "org_general", "admin"] * 2
    results = run_together(app, [lambda who=who: declarations.approve(staff(who), d).status for who in approvers])
    assert sorted(results) == [("ok", "approved")] + [("refused", "not_pending")] * 7, results
    assert sql("SELECT count(*) FROM ledger_entry WHERE member_id = :m", m=m.id) == 1
    assert sql("SELECT spendable FROM balance WHERE member_id = :m", m=m.id) == 5
    assert sql("SELECT count(*) FROM notification WHERE member_id = :m AND event = 'points_changed'", m=m.id) == 1
    assert sql("SELECT count(*) FROM audit_entry WHERE action = 'declaration.approve'") == 1


def test_the_cap_gives_what_room_is_left_then_refuses_and_changes_nothing(client, park, declarable, photos, sql,
                                                                           year_end):
    m = park.members_a[1]
    year = year_end.year
    ids = [declare(client, park, m, declarable["morality.help"], day=date(year, 1, n), title=f"互助{n}").get_json()["id"]
           for n in (1, 2, 3)]
    approve = lambda i: client.post(f"/api/v1/declarations/{i}/approve", json={}, headers=park.auth("org_a"))  # noqa: E731
    assert approve(ids[0]).get_json()["points"] == 5
    assert approve(ids[1]).get_json()["points"] == 3  # the year's cap is 8: 3 were left
    full = approve(ids[2])
    assert error(full) == (409, "cap_reached")
    assert full.get_json()["error"]["message"] == "“邻里互助”本年度上限8分已记满，这次申报没有可记的分数；请驳回并写明原因"
    assert sql("SELECT status, points, decided_by FROM declaration WHERE id = :i", i=ids[2]) == [("submitted", None, None)]
    assert sql("SELECT sum(delta_score) FROM ledger_entry WHERE member_id = :m", m=m.id) == 8
    r = client.post(f"/api/v1/declarations/{ids[2]}/reject", json={"note": "本年度该项已达上限"}, headers=park.auth("org_a"))
    assert r.get_json()["status"] == "rejected"


def test_a_returned_declaration_is_completed_and_resubmitted_as_the_same_row(client, park, declarable, photos, sql):
    m = park.members_a[1]
    d = declare(client, park, m, declarable["service.volunteer"]).get_json()
    assert error(client.post(f"/api/v1/declarations/{d['id']}/return", json={"note": "  "},
                             headers=park.auth("org_a"))) == (422, "reason_required")
    assert error(client.post(f"/api/v1/declarations/{d['id']}/return", json={}, headers=park.auth("org_a"))) == \
        (422, "invalid_input")
    r = client.post(f"/api/v1/declarations/{d['id']}/return", json={"note": "请补充活动现场照片"},
                    headers=park.auth("org_a"))
    assert (r.get_json()["status"], r.get_json()["note"]) == ("returned", "请补充活动现场照片")
    message = client.get("/api/v1/me/messages", headers=park.auth(m)).get_json()["messages"][0]
    assert message["title"] == "积分申报被退回，请补充" and "请补充活动现场照片" in message["body"]
    assert message["data"]["declaration_id"] == d["id"]
    assert error(client.post(f"/api/v1/declarations/{d['id']}/approve", json={}, headers=park.auth("org_a"))) == \
        (409, "not_pending")

    key = upload(client, park, m).get_json()["key"]
    body = {"rule_id": declarable["service.volunteer"], "occurred_on": today().isoformat(), "title": "社区义务植树",
            "description": "补充了现场照片", "photos": [key]}
    again = client.post(f"/api/v1/me/declarations/{d['id']}/resubmit", json=body, headers=park.auth(m))
    assert again.status_code == 200, again.get_json()
    assert (again.get_json()["id"], again.get_json()["status"], len(again.get_json()["photos"])) == \
        (d["id"], "submitted", 1)
    assert error(client.post(f"/api/v1/me/declarations/{d['id']}/resubmit", json=body, headers=park.auth(m))) == \
        (409, "not_returned")
    assert error(client.post(f"/api/v1/me/declarations/{d['id']}/resubmit", json=body,
                             headers=park.auth(park.members_a[2]))) == (404, "unknown_declaration")
    assert client.post(f"/api/v1/declarations/{d['id']}/approve", json={}, headers=park.auth("org_a")).status_code == 200
    assert sql("SELECT count(*) FROM declaration") == 1
    assert [r[0] for r in sql("SELECT action FROM audit_entry WHERE entity = 'declaration' ORDER BY id")] == \
        ["declaration.submit", "declaration.return", "declaration.resubmit", "declaration.approve"]


def test_a_rejection_says_why_and_is_final(client, park, declarable, photos, sql):
    m = park.members_a[1]
    d = declare(client, park, m, declarable["service.volunteer"]).get_json()
    r = client.post(f"/api/v1/declarations/{d['id']}/reject", json={"note": "当天无此活动记录"}, headers=park.auth("org_a"))
    assert (r.get_json()["status"], r.get_json()["note"]) == ("rejected", "当天无此活动记录")
    mine = client.get("/api/v1/me/declarations?status=rejected", headers=park.auth(m)).get_json()
    assert [(x["id"], x["note"]) for x in mine] == [(d["id"], "当天无此活动记录")]
    body = {"rule_id": declarable["service.volunteer"], "occurred_on": today().isoformat(), "title": "再试"}
    assert error(client.post(f"/api/v1/me/declarations/{d['id']}/resubmit", json=body, headers=park.auth(m))) == \
        (409, "not_returned")
    assert sql("SELECT title FROM notification WHERE member_id = :m AND event = 'declaration_rejected'", m=m.id) == \
        "积分申报未通过"
    assert sql("SELECT count(*) FROM ledger_entry") == 0


def test_only_an_organizer_over_the_members_branch_decides(client, park, declarable, photos):
    m = park.members_a[1]
    d = declare(client, park, m, declarable["service.volunteer"]).get_json()
    for who in ("org_b",):
        assert error(client.get(f"/api/v1/declarations/{d['id']}", headers=park.auth(who))) == (403, "out_of_scope")
        assert error(client.post(f"/api/v1/declarations/{d['id']}/approve", json={}, headers=park.auth(who))) == \
            (403, "out_of_scope")
        assert error(client.post(f"/api/v1/declarations/{d['id']}/reject", json={"note": "x"},
                                 headers=park.auth(who))) == (403, "out_of_scope")
        assert client.get("/api/v1/declarations", headers=park.auth(who)).get_json() == []
    for who in ("org_a", "org_general", "admin_a", "admin"):  # the branch, the general branch above it, admins
        assert [x["id"] for x in client.get("/api/v1/declarations", headers=park.auth(who)).get_json()] == [d["id"]]
    # A member cannot decide, nor read the inbox; a keeper neither.
    for who in (m, park.members_a[2]):
        assert error(client.post(f"/api/v1/declarations/{d['id']}/approve", json={}, headers=park.auth(who))) == \
            (403, "forbidden")
        assert error(client.get("/api/v1/declarations", headers=park.auth(who))) == (403, "forbidden")
    assert error(client.get("/api/v1/me/declarations", headers=park.auth("org_a"))) == (403, "members_only")
    assert error(client.get("/api/v1/declarations/999999", headers=park.auth("org_a"))) == (404, "unknown_declaration")
    assert error(client.post("/api/v1/declarations/1/approve", json={})) == (401, "unauthorized")
    assert client.get(f"/api/v1/declarations/{d['id']}", headers=park.auth("org_a")).get_json()["status"] == "submitted"


def test_a_day_inside_a_final_period_is_refused_by_the_ledger_and_the_declaration_waits(client, park, declarable,
                                                                                      photos, sql, year_end):
    """公示 closed: the ledger refuses postings dated inside the period; approve passes its 4xx on."""
    m = park.members_a[1]
    day = year_end - timedelta(days=1)
    d = declare(client, park, m, declarable["service.volunteer"], day=day).get_json()
    sql("INSERT INTO publicity (org_id, period, period_start, period_end, title, opens_at, closes_at, published_by,"
        " created_at) VALUES (:org, 'month', :start, :end, '公示', now() - interval '6 days', now() - interval '1 hour',"
        " 'staff:1', now())", org=park.branch_a.id, start=day, end=day + timedelta(days=1))
    r = client.post(f"/api/v1/declarations/{d['id']}/approve", json={}, headers=park.auth("org_a"))
    assert error(r) == (409, "period_final") and "已结束并定稿" in r.get_json()["error"]["message"]
    assert sql("SELECT status, decided_by, points FROM declaration WHERE id = :i", i=d["id"]) == \
        [("submitted", None, None)]
    assert sql("SELECT count(*) FROM ledger_entry") == 0
    assert sql("SELECT count(*) FROM audit_entry WHERE action = 'declaration.approve'") == 0
    # The organizer can still tell the member why.
    r = client.post(f"/api/v1/declarations/{d['id']}/reject", json={"note": "该月公示已定稿"}, headers=park.auth("org_a"))
    assert r.get_json()["status"] == "rejected"


def test_a_retired_rule_posts_nothing_and_the_declaration_waits(client, park, declarable, photos, sql):
    m = park.members_a[1]
    d = declare(client, park, m, declarable["service.volunteer"]).get_json()
    sql("UPDATE rule SET active = false WHERE code = 'service.volunteer'")
    r = client.post(f"/api/v1/declarations/{d['id']}/approve", json={}, headers=park.auth("org_a"))
    assert error(r) == (409, "rule_retired")
    assert sql("SELECT status FROM declaration WHERE id = :i", i=d["id"]) == "submitted"
    assert error(declare(client, park, m, declarable["service.volunteer"], title="另一件")) == (422, "not_declarable")


def test_a_declaration_carries_only_photos_its_member_uploaded(client, park, declarable, photos, sql):
    """Keys are content hashes anyone may learn (a colleague's evidence shown in the console): a key
    uploaded by another member is refused as if it did not exist, even when the bytes are on disk."""
    me, other = park.members_a[1], park.members_a[2]
    theirs = upload(client, park, other).get_json()["key"]
    r = declare(client, park, me, declarable["service.volunteer"], photos=[theirs])
    assert error(r) == (422, "unknown_photo") and r.get_json()["error"]["details"]["key"] == theirs
    assert sql("SELECT count(*) FROM declaration") == 0
    # The same picture uploaded by me is mine too.
    mine = upload(client, park, me).get_json()["key"]
    assert mine == theirs
    r = declare(client, park, me, declarable["service.volunteer"], photos=[mine])
    assert r.status_code == 201, r.get_json()
    # A returned declaration keeps its own photos and takes no one else's.
    decl = r.get_json()["id"]
    assert client.post(f"/api/v1/declarations/{decl}/return", json={"note": "请补充照片"},
                       headers=park.auth("org_a")).status_code == 200
    foreign = upload(client, park, other, JPEG, "b.jpg").get_json()["key"]
    body = {"rule_id": declarable["service.volunteer"], "occurred_on": today().isoformat(), "title": "植树",
            "photos": [mine, foreign]}
    r = client.post(f"/api/v1/me/declarations/{decl}/resubmit", json=body, headers=park.auth(me))
    assert error(r) == (422, "unknown_photo")
    r = client.post(f"/api/v1/me/declarations/{decl}/resubmit", json=body | {"photos": [mine]}, headers=park.auth(me))
    assert r.status_code == 200, r.get_json()
