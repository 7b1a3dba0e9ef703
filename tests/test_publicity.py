"""Score sheets, 公示 with appeals, and final periods, on PostgreSQL."""
from datetime import date, datetime, time, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.points.models import Rule
from points_mall.year import appeals
from points_mall.points import ledger

from .test_concurrency import run_together, staff
from .test_declarations import upload

ZONE = ZoneInfo("Asia/Shanghai")
TODAY = datetime.now(ZONE).date()
LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)  # the first of last month
MONTH_END = TODAY.replace(day=1)  # exclusive
PHOTO = "a" * 64 + ".jpg"


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), ZONE)


def rule(code: str) -> Rule:
    return db.session.query(Rule).filter_by(code=code).one()


def post(member_id: int, code: str, when: datetime, key: str):
    entry = ledger.apply_rule([member_id], rule(code), key=key, source=("award", None), actor="test",
                              occurred_at=when).get(member_id)
    db.session.commit()
    return entry


@pytest.fixture
def month(app, park):
    """Last month in branch A: a0 (in the party group) 2+5, a1 5+5, a2 5 (tied with nobody), a3 a deduction;
    entries just outside the month that must not count; b0 in branch B."""
    a, b = park.members_a, park.members_b
    with app.app_context():
        post(a[0].id, "study.meeting", at(LAST_MONTH, 0), "s0")           # local midnight: inside
        post(a[0].id, "service.volunteer", at(LAST_MONTH + timedelta(days=3)), "s1")
        post(a[1].id, "service.volunteer", at(LAST_MONTH + timedelta(days=4)), "s2")
        post(a[1].id, "service.volunteer", at(LAST_MONTH + timedelta(days=5)), "s3")
        post(a[2].id, "service.volunteer", at(MONTH_END - timedelta(days=1), 23), "s4")
        post(a[3].id, "integrity.absent", at(LAST_MONTH + timedelta(days=6)), "s5")
        post(a[2].id, "service.volunteer", at(LAST_MONTH - timedelta(days=1), 23), "before")  # day before: out
        post(a[2].id, "service.volunteer", at(MONTH_END, 0), "after")     # the next month's first moment: out
        post(b[0].id, "service.volunteer", at(LAST_MONTH + timedelta(days=2)), "b0")
        db.session.remove()
    return LAST_MONTH


def sheet(client, park, org_id, who="org_a", **query):
    return client.get("/api/v1/score-sheets", query_string={"org_id": org_id, "period": "month",
                                                            "start": LAST_MONTH.isoformat(), **query},
                      headers=park.auth(who))


def publish(client, park, org_id=None, who="org_a", **body):
    return client.post("/api/v1/publicities", json={"org_id": org_id or park.branch_a.id, "period": "month",
                                                    "start": LAST_MONTH.isoformat(), **body}, headers=park.auth(who))


def close_window(sql, publicity_id):
    sql("UPDATE publicity SET closes_at = now() - interval '1 minute' WHERE id = :id", id=publicity_id)


# --- score sheets ---------------------------------------------------------------------------------

def test_the_sheet_sums_the_entries_inside_the_period_by_dimension_and_ties_share_a_rank(client, park, month, sql):
    r = sheet(client, park, park.branch_a.id)
    assert r.status_code == 200, r.get_json()
    data = r.get_json()
    assert data["members"] == 5 and data["label"] == f"{LAST_MONTH.year}年{LAST_MONTH.month}月"
    assert data["start"] == LAST_MONTH.isoformat() and data["end"] == (MONTH_END - timedelta(days=1)).isoformat()
    rows = {r["member_id"]: r for r in data["rows"]}
    a = park.members_a
    assert rows[a[1].id]["total"] == 10 and rows[a[1].id]["rank"] == 1
    assert rows[a[0].id]["by_dimension"] == {"study": 2, "service": 5, "performance": 0, "morality": 0, "integrity": 0}
    assert rows[a[0].id]["total"] == 7 and rows[a[0].id]["rank"] == 2
    assert rows[a[2].id]["total"] == 5 and rows[a[2].id]["rank"] == 3
    assert rows[a[4].id]["total"] == 0 and rows[a[3].id]["total"] == -3
    assert rows[a[4].id]["rank"] == 4 and rows[a[3].id]["rank"] == 5
    assert park.members_b[0].id not in rows
    # every figure equals the entries of the period, counted by the database itself
    start, end = at(LAST_MONTH, 0).replace(hour=0), at(MONTH_END, 0).replace(hour=0)
    for member_id, row in rows.items():
        expected = sql("SELECT coalesce(sum(delta_score), 0) FROM ledger_entry WHERE member_id = :m "
                       "AND occurred_at >= :s AND occurred_at < :e", m=member_id, s=start, e=end)
        assert row["total"] == expected
    # ties share a rank: a4 gets a5's 0 → both 0 share the place
    with_tie = sheet(client, park, park.branch_a.id).get_json()["rows"]
    assert [r["rank"] for r in with_tie] == [1, 2, 3, 4, 5]


def test_members_with_equal_totals_share_a_place(client, park, month, app):
    with app.app_context():
        post(park.members_a[4].id, "service.volunteer", at(LAST_MONTH + timedelta(days=8)), "tie")
        db.session.remove()
    rows = sheet(client, park, park.branch_a.id).get_json()["rows"]
    assert [r["rank"] for r in rows] == [1, 2, 3, 3, 5]


def test_a_member_transferred_mid_period_shows_with_the_dates_they_belonged(client, park, month, sql):
    b0, mid = park.members_b[0], LAST_MONTH + timedelta(days=10)
    sql("UPDATE membership SET until = :d WHERE member_id = :m", d=mid, m=b0.id)
    sql("INSERT INTO membership (member_id, org_id, since) VALUES (:m, :o, :d)", m=b0.id, o=park.branch_a.id, d=mid)
    in_a = {r["member_id"]: r for r in sheet(client, park, park.branch_a.id).get_json()["rows"]}
    assert in_a[b0.id]["belonged_from"] == mid.isoformat()
    assert in_a[b0.id]["belonged_to"] == (MONTH_END - timedelta(days=1)).isoformat()
    assert in_a[b0.id]["total"] == 5  # the period's score follows the member
    in_b = {r["member_id"]: r for r in sheet(client, park, park.branch_b.id, who="org_b").get_json()["rows"]}
    assert in_b[b0.id]["belonged_from"] == LAST_MONTH.isoformat()
    assert in_b[b0.id]["belonged_to"] == (mid - timedelta(days=1)).isoformat()
    assert in_a[park.members_a[1].id]["belonged_from"] is None  # there all month
    # someone who joined after the period is not on it
    sql("UPDATE membership SET until = :d WHERE member_id = :m", d=MONTH_END, m=park.members_b[1].id)
    sql("INSERT INTO membership (member_id, org_id, since) VALUES (:m, :o, :d)",
        m=park.members_b[1].id, o=park.branch_a.id, d=MONTH_END)
    assert park.members_b[1].id not in {r["member_id"] for r in sheet(client, park, park.branch_a.id).get_json()["rows"]}


def test_the_sheet_is_scoped_paged_and_exports_to_xlsx(client, park, month):
    assert sheet(client, park, park.branch_b.id).status_code == 403
    assert sheet(client, park, park.branch_a.id, who=park.members_a[0]).status_code == 403
    assert sheet(client, park, park.root.id, who="admin").get_json()["members"] == 10
    page = sheet(client, park, park.branch_a.id, page=2, page_size=2)
    assert [r["rank"] for r in page.get_json()["rows"]] == [3, 4]
    assert '"total": 5' in page.headers["X-Pagination"]
    r = sheet(client, park, park.branch_a.id, format="xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("sheet")
    ws = openpyxl.load_workbook(BytesIO(r.data)).active
    values = list(ws.values)
    assert "积分汇总表" in values[0][0] and values[2][:3] == ("名次", "姓名", "所在组织")
    assert values[3][0] == 1 and values[3][-2] == 10 and len(values) == 3 + 5
    quarter = client.get("/api/v1/score-sheets", query_string={"org_id": park.branch_a.id, "period": "quarter",
                                                               "start": LAST_MONTH.isoformat()},
                         headers=park.auth("org_a")).get_json()
    assert quarter["start"].endswith(("-01-01", "-04-01", "-07-01", "-10-01"))


# --- publishing --------------------------------------------------------------------------------------

def test_an_organizer_publishes_an_ended_period_once_and_the_members_are_told(client, park, month, sql):
    this_month = client.post("/api/v1/publicities", json={"org_id": park.branch_a.id, "period": "month",
                                                          "start": TODAY.isoformat()}, headers=park.auth("org_a"))
    assert this_month.status_code == 409 and this_month.get_json()["error"]["code"] == "period_not_ended"
    assert publish(client, park, park.branch_b.id).status_code == 403
    r = publish(client, park)
    assert r.status_code == 201, r.get_json()
    pub = r.get_json()
    assert pub["status"] == "open" and pub["label"] == f"{LAST_MONTH.year}年{LAST_MONTH.month}月"
    opens, closes = datetime.fromisoformat(pub["opens_at"]), datetime.fromisoformat(pub["closes_at"])
    assert closes - opens == timedelta(days=5)
    again = publish(client, park, start=(LAST_MONTH + timedelta(days=9)).isoformat())
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "publicity_exists"
    told = sql("SELECT member_id FROM notification WHERE event = 'publicity_opened' ORDER BY member_id")
    assert [t[0] for t in told] == sorted(m.id for m in park.members_a)
    assert sql("SELECT count(*) FROM audit_entry WHERE action = 'publicity.publish' AND entity_id = :i", i=pub["id"]) == 1
    # a general branch may publish its own subtree's sheet for the same month
    assert publish(client, park, park.root.id, who="org_general").status_code == 403
    listed = client.get("/api/v1/publicities", headers=park.auth("org_a")).get_json()
    assert [p["id"] for p in listed] == [pub["id"]] and listed[0]["open_appeals"] == 0
    assert client.get("/api/v1/publicities", headers=park.auth("org_b")).get_json() == []


def test_members_see_the_publicity_of_their_branch_with_their_row_and_the_board_shows_it_masked(client, park, month):
    pub = publish(client, park, window_days=3).get_json()
    me = park.members_a[1]
    mine = client.get("/api/v1/me/publicities", headers=park.auth(me)).get_json()
    assert [p["id"] for p in mine] == [pub["id"]]
    assert client.get("/api/v1/me/publicities", headers=park.auth(park.members_b[0])).get_json() == []
    outsider = client.get(f"/api/v1/me/publicities/{pub['id']}", headers=park.auth(park.members_b[0]))
    assert outsider.status_code == 403 and outsider.get_json()["error"]["code"] == "not_in_publicity"
    detail = client.get(f"/api/v1/me/publicities/{pub['id']}", headers=park.auth(me)).get_json()
    rows = detail["sheet"]["rows"]
    own = [r for r in rows if r["mine"]]
    assert len(own) == 1 and own[0]["name"] == me.name and own[0]["total"] == 10
    assert all("*" in r["name"] for r in rows if not r["mine"])
    assert detail["sheet"]["my_row"]["total"] == 10
    board = client.get("/api/v1/boards/publicities", query_string={"org_id": park.root.id}).get_json()
    assert [p["id"] for p in board] == [pub["id"]]
    public = client.get(f"/api/v1/boards/publicities/{pub['id']}").get_json()
    assert {r["name"] for r in public["sheet"]["rows"]} == {"张*明"} and "member_id" not in public["sheet"]["rows"][0]
    assert client.get("/api/v1/boards/publicities", query_string={"org_id": park.branch_b.id}).get_json() == []


# --- appeals ---------------------------------------------------------------------------------------

def entry_of(sql, key):
    return sql("SELECT id FROM ledger_entry WHERE idempotency_key = :k", k=key)


def appeal(client, park, who, pub_id, **body):
    return client.post(f"/api/v1/me/publicities/{pub_id}/appeals", json={"reason": "次数记少了", **body},
                       headers=park.auth(who))


def test_appeal_rules(client, park, month, sql):
    pub = publish(client, park).get_json()
    a1 = park.members_a[1]
    own = entry_of(sql, "s2")
    entries = client.get(f"/api/v1/me/publicities/{pub['id']}/entries", headers=park.auth(a1)).get_json()["entries"]
    assert sorted(e["id"] for e in entries) == sorted([own, entry_of(sql, "s3")])
    others = appeal(client, park, a1, pub["id"], entry_id=entry_of(sql, "s1"))
    assert others.status_code == 404 and others.get_json()["error"]["code"] == "unknown_entry"
    outside = appeal(client, park, park.members_a[2], pub["id"], entry_id=entry_of(sql, "after"))
    assert outside.status_code == 422 and outside.get_json()["error"]["code"] == "entry_not_in_period"
    both = appeal(client, park, a1, pub["id"], entry_id=own, rule_id=1)
    assert both.status_code == 422 and both.get_json()["error"]["code"] == "invalid_appeal"
    assert appeal(client, park, a1, pub["id"]).get_json()["error"]["code"] == "invalid_appeal"
    bad_photo = appeal(client, park, a1, pub["id"], entry_id=own, photos=["../../etc/passwd"])
    assert bad_photo.status_code == 422 and bad_photo.get_json()["error"]["code"] == "invalid_photos"
    assert appeal(client, park, a1, pub["id"], entry_id=own, photos=[PHOTO] * 7).status_code == 422
    outsider = appeal(client, park, park.members_b[0], pub["id"], entry_id=entry_of(sql, "b0"))
    assert outsider.status_code == 403 and outsider.get_json()["error"]["code"] == "not_in_publicity"
    assert appeal(client, park, "org_a", pub["id"], entry_id=own).status_code == 403
    theirs = upload(client, park, park.members_a[2]).get_json()["key"]
    taken = appeal(client, park, a1, pub["id"], entry_id=own, photos=[theirs])
    assert taken.status_code == 422 and taken.get_json()["error"]["code"] == "unknown_photo"  # not a1's photo
    mine = [upload(client, park, a1, name=name).get_json()["key"] for name in ("a.jpg", "b.png")]
    ok = appeal(client, park, a1, pub["id"], entry_id=own, photos=mine)
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["status"] == "open" and len(ok.get_json()["photos"]) == 2
    assert appeal(client, park, a1, pub["id"], entry_id=own).get_json()["error"]["code"] == "duplicate_appeal"
    rules = client.get(f"/api/v1/me/publicities/{pub['id']}/rules", headers=park.auth(a1)).get_json()
    assert [r["points"] > 0 for r in rules] == [True] * 3
    missing = appeal(client, park, a1, pub["id"], rule_id=rule_id(sql, "study.meeting"), reason="党课漏记")
    assert missing.status_code == 201 and missing.get_json()["kind"] == "missing"
    assert sql("SELECT count(*) FROM audit_entry WHERE action = 'appeal.lodge'") == 2
    assert sql("SELECT count(*) FROM notification WHERE event = 'appeal_lodged' AND staff_id IS NOT NULL") == 2
    close_window(sql, pub["id"])
    late = appeal(client, park, park.members_a[2], pub["id"], entry_id=entry_of(sql, "s4"))
    assert late.status_code == 409
    error = late.get_json()["error"]
    assert error["code"] == "appeal_window_closed" and "不能再申诉" in error["message"] and "结束" in error["message"]


def rule_id(sql, code):
    return sql("SELECT id FROM rule WHERE code = :c", c=code)


def test_an_organizer_corrects_through_the_ledger_and_the_member_is_told(client, park, month, sql, runner):
    pub = publish(client, park).get_json()
    a1 = park.members_a[1]
    lodged = appeal(client, park, a1, pub["id"], entry_id=entry_of(sql, "s2")).get_json()
    inbox = client.get("/api/v1/appeals", headers=park.auth("org_a")).get_json()
    assert [a["id"] for a in inbox] == [lodged["id"]] and inbox[0]["member"] == a1.name
    assert client.get("/api/v1/appeals", headers=park.auth("org_b")).get_json() == []
    assert client.post(f"/api/v1/appeals/{lodged['id']}/correct", json={"delta": 3},
                       headers=park.auth("org_b")).status_code == 403
    no_delta = client.post(f"/api/v1/appeals/{lodged['id']}/correct", json={}, headers=park.auth("org_a"))
    assert no_delta.status_code == 422 and no_delta.get_json()["error"]["code"] == "invalid_points"
    r = client.post(f"/api/v1/appeals/{lodged['id']}/correct", json={"delta": 3, "resolution": "核实为3次"},
                    headers=park.auth("org_a"))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "corrected" and body["correction"]["delta_score"] == 3
    assert body["correction"]["late_correction"] is False
    kind, dim, key, when = sql("SELECT kind, dimension, idempotency_key, occurred_at FROM ledger_entry "
                               "WHERE id = :i", i=body["correction"]["id"])[0]
    assert (kind, dim, key) == ("adjust", "service", f"appeal:{lodged['id']}")
    assert LAST_MONTH <= when.astimezone(ZONE).date() < MONTH_END
    rows = {r["member_id"]: r for r in sheet(client, park, park.branch_a.id).get_json()["rows"]}
    assert rows[a1.id]["total"] == 13
    again = client.post(f"/api/v1/appeals/{lodged['id']}/correct", json={"delta": 3}, headers=park.auth("org_a"))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "not_pending"
    assert sql("SELECT body FROM notification WHERE event = 'appeal_resolved' AND member_id = :m", m=a1.id) \
        .endswith("+3分")
    assert sql("SELECT count(*) FROM audit_entry WHERE action = 'appeal.correct'") == 1
    mine = client.get("/api/v1/me/appeals", headers=park.auth(a1)).get_json()
    assert mine[0]["status"] == "corrected" and mine[0]["resolution"] == "核实为3次"
    # a missing award: the rule's points; a refusal: the reason
    missing = appeal(client, park, a1, pub["id"], rule_id=rule_id(sql, "study.meeting")).get_json()
    fixed = client.post(f"/api/v1/appeals/{missing['id']}/correct", json={}, headers=park.auth("org_a")).get_json()
    assert fixed["correction"]["delta_score"] == 2 and fixed["dimension"] == "study"
    other = appeal(client, park, park.members_a[2], pub["id"], entry_id=entry_of(sql, "s4")).get_json()
    no_reason = client.post(f"/api/v1/appeals/{other['id']}/refuse", json={}, headers=park.auth("org_a"))
    assert no_reason.status_code == 422
    refused = client.post(f"/api/v1/appeals/{other['id']}/refuse", json={"resolution": "记录无误"},
                          headers=park.auth("org_a")).get_json()
    assert refused["status"] == "refused" and refused["correction"] is None
    assert sql("SELECT count(*) FROM notification WHERE event = 'appeal_resolved'") == 3
    assert sql("SELECT count(*) FROM audit_entry WHERE action = 'appeal.refuse'") == 1
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0


def test_an_appeal_resolved_twice_at_once_corrects_once(app, client, park, month, sql):
    pub = publish(client, park).get_json()
    lodged = appeal(client, park, park.members_a[1], pub["id"], entry_id=entry_of(sql, "s2")).get_json()
    jobs = [lambda who=who: appeals.correct(staff(who), lodged["id"], 4, "并发").status
            for who in ("org_a", "org_general", "admin", "org_a")]
    results = run_together(app, jobs)
    assert sorted(results) == [("ok", "corrected")] + [("refused", "not_pending")] * 3, results
    assert sql("SELECT count(*) FROM ledger_entry WHERE kind = 'adjust'") == 1
    assert sql("SELECT count(*) FROM notification WHERE event = 'appeal_resolved'") == 1


# --- final periods ---------------------------------------------------------------------------------

def test_a_posting_into_a_final_period_is_refused_but_not_one_dated_now(app, client, park, month, sql):
    pub = publish(client, park).get_json()
    a1, b0 = park.members_a[1], park.members_b[0]
    inside = at(LAST_MONTH + timedelta(days=12))
    with app.app_context():  # while the window is open the period is not final yet
        post(a1.id, "service.volunteer", inside, "during-window")
    close_window(sql, pub["id"])
    with app.app_context():
        with pytest.raises(DomainError) as refused:  # an award with a back date (the awards' posting)
            ledger.apply_rule([a1.id, park.members_a[2].id], rule("service.volunteer"), key_prefix="late-award:",
                              source=("award", None), actor="staff:1", occurred_at=inside)
        db.session.rollback()
        assert refused.value.code == "period_final" and refused.value.status == 409
        assert "管理员" in refused.value.message and refused.value.details["member_ids"] == [a1.id, park.members_a[2].id]
        with pytest.raises(DomainError) as declared:  # a declaration-style back-dated posting
            ledger.apply_rule([park.members_a[0].id], rule("study.meeting"), key="decl:1",
                              source=("declaration", 1), actor="staff:1", occurred_at=inside)
        db.session.rollback()
        assert declared.value.code == "period_final"
        with pytest.raises(DomainError):  # the group below the branch is in the subtree too
            post(park.members_a[0].id, "service.volunteer", at(LAST_MONTH, 0), "group-late")
        db.session.rollback()
        post(a1.id, "service.volunteer", datetime.now(ZONE), "now")             # now: fine
        post(a1.id, "service.volunteer", at(MONTH_END + timedelta(days=0), 1), "next-month")  # next period: fine
        post(b0.id, "service.volunteer", inside, "other-branch")                 # outside the subtree: fine
        db.session.remove()
    assert sql("SELECT count(*) FROM ledger_entry WHERE idempotency_key LIKE 'late-award:%'") == 0
    # reversing an entry of the final period is a posting into it too
    r = client.post(f"/api/v1/ledger/{entry_of(sql, 's2')}/reverse", json={"reason": "错记"}, headers=park.auth("admin"))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "period_final"


def test_a_member_transferred_in_after_the_period_is_not_bound_by_it(app, client, park, month, sql):
    pub = publish(client, park).get_json()
    close_window(sql, pub["id"])
    b1 = park.members_b[1]
    sql("UPDATE membership SET until = :d WHERE member_id = :m", d=MONTH_END, m=b1.id)
    sql("INSERT INTO membership (member_id, org_id, since) VALUES (:m, :o, :d)", m=b1.id, o=park.branch_a.id, d=MONTH_END)
    with app.app_context():
        post(b1.id, "service.volunteer", at(LAST_MONTH + timedelta(days=3)), "b1-old")  # B's period is not final
        db.session.remove()


def late(client, park, who, member, **body):
    return client.post("/api/v1/admin/late-corrections", json={
        "member_id": member.id, "dimension": "service", "delta": 5,
        "occurred_on": (LAST_MONTH + timedelta(days=7)).isoformat(), "reason": "补录志愿服务", **body},
        headers=park.auth(who))


def test_an_admin_records_a_late_correction_flagged_and_audited(client, park, month, sql, runner):
    pub = publish(client, park).get_json()
    a1 = park.members_a[1]
    early = late(client, park, "admin", a1)
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "period_not_final"
    close_window(sql, pub["id"])
    assert late(client, park, "org_a", a1).status_code == 403
    assert late(client, park, "admin_a", park.members_b[0]).status_code == 403
    assert late(client, park, "admin", a1, reason="").status_code == 422
    r = late(client, park, "admin_a", a1, delta=-2, reason="多记了一次")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["kind"] == "adjust" and body["late_correction"] is True and body["delta_score"] == -2
    key = {"Idempotency-Key": "late-1"}
    first = client.post("/api/v1/admin/late-corrections", json={
        "member_id": a1.id, "dimension": "service", "delta": 5, "occurred_on": LAST_MONTH.isoformat(),
        "reason": "补录"}, headers=park.auth("admin") | key).get_json()
    second = client.post("/api/v1/admin/late-corrections", json={
        "member_id": a1.id, "dimension": "service", "delta": 5, "occurred_on": LAST_MONTH.isoformat(),
        "reason": "补录"}, headers=park.auth("admin") | key).get_json()
    assert first["id"] == second["id"]
    assert sql("SELECT count(*) FROM ledger_entry WHERE late_correction") == 2
    audit = sql("SELECT after FROM audit_entry WHERE action = 'ledger.late_correction' ORDER BY id")
    assert len(audit) == 2 and audit[0][0]["reason"] == "多记了一次"
    rows = {r["member_id"]: r for r in sheet(client, park, park.branch_a.id).get_json()["rows"]}
    assert rows[a1.id]["total"] == 10 - 2 + 5
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0


def test_an_appeal_lodged_in_time_is_resolved_after_the_window_as_a_late_correction(client, park, month, sql):
    pub = publish(client, park).get_json()
    lodged = appeal(client, park, park.members_a[1], pub["id"], entry_id=entry_of(sql, "s2")).get_json()
    close_window(sql, pub["id"])
    r = client.post(f"/api/v1/appeals/{lodged['id']}/correct", json={"delta": 1}, headers=park.auth("org_a"))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["correction"]["late_correction"] is True
    listed = client.get("/api/v1/publicities", query_string={"status": "closed"}, headers=park.auth("org_a")).get_json()
    assert listed[0]["status"] == "closed"
