"""积分档案: staff search members and read the ledger across their scope, one member's page, exports."""
import threading
from datetime import datetime, timedelta, timezone
from io import BytesIO

import pytest
from openpyxl import load_workbook

from points_mall.extensions import db
from points_mall.year.models import Declaration, MemberChange, Membership
from points_mall.people.models import Member
from points_mall.points.models import LedgerEntry, Rule
from points_mall.points import ledger
from points_mall.people.access import SYSTEM
from points_mall.common.clock import utcnow

from .park import Person

A_DAY = timedelta(days=1)


def post(member: Person, code: str, at: datetime, key: str, actor: str = "staff:1"):
    rule = db.session.query(Rule).filter_by(code=code).one()
    return ledger.apply_rule([member.id], rule, key=key, source=("award", None), actor=actor,
                             occurred_at=at).get(member.id)


@pytest.fixture
def entries(app, park):
    """A week of entries for everyone: a volunteer award a day for branch A and B's first members, a study
    award, a deduction, a reversal and a late correction."""
    now = utcnow()
    with app.app_context():
        for day in range(7):
            for m in (park.members_a[0], park.members_a[1], park.members_b[0]):
                post(m, "service.volunteer", now - day * A_DAY, f"vol:{m.id}:{day}")
        post(park.members_a[0], "study.meeting", now - 2 * A_DAY, "study:a0")
        deduct = post(park.members_a[1], "integrity.absent", now - 3 * A_DAY, "absent:a1")
        db.session.commit()
        ledger.reverse(SYSTEM, deduct.id, "误扣")
        rule = db.session.query(Rule).filter_by(code="service.volunteer").one()
        ledger.post(LedgerEntry(member_id=park.members_a[0].id, kind="adjust", dimension="service", delta_score=5,
                                delta_spendable=5, idempotency_key="late:a0", rule_id=rule.id, rule_version=rule.version,
                                actor="staff:1", reason="补录", occurred_at=now - 40 * A_DAY, late_correction=True))
        db.session.commit()
        db.session.remove()
    return now


def get(client, park, who, path, **params):
    return client.get(path, query_string=params, headers=park.auth(who))


# --- member search ------------------------------------------------------------------------------------

def test_an_organizer_finds_members_of_their_branch_by_name_and_never_another_branchs(client, park):
    found = get(client, park, "org_a", "/api/v1/archive/members", name="明")
    assert found.status_code == 200
    assert {m["id"] for m in found.json} == {m.id for m in park.members_a}
    assert all(m["phone"].count("*") == 4 for m in found.json)  # masked, as in the member roll
    assert get(client, park, "org_a", "/api/v1/archive/members", name="华").json == []
    refused = get(client, park, "org_a", "/api/v1/archive/members", org_id=park.branch_b.id)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "out_of_scope"
    everyone = get(client, park, "admin", "/api/v1/archive/members", page_size=3)
    assert len(everyone.json) == 3 and '"total": 10' in everyone.headers["X-Pagination"]
    past_the_end = get(client, park, "admin", "/api/v1/archive/members", page=5, page_size=3)
    assert past_the_end.json == [] and '"total": 10' in past_the_end.headers["X-Pagination"]


def test_members_are_found_by_whole_phone_or_its_last_four_digits(client, park):
    b1 = park.members_b[1]
    assert [m["id"] for m in get(client, park, "admin", "/api/v1/archive/members", phone=b1.phone).json] == [b1.id]
    last4 = get(client, park, "admin", "/api/v1/archive/members", phone=b1.phone[-4:]).json
    assert {m["id"] for m in last4} == {m.id for m in park.members_a + park.members_b if m.phone.endswith(b1.phone[-4:])}
    assert get(client, park, "org_a", "/api/v1/archive/members", phone=b1.phone).json == []


def test_members_are_filtered_by_branch_subtree_type_and_status(app, client, park):
    group = get(client, park, "org_a", "/api/v1/archive/members", org_id=park.group_a.id).json
    assert [m["id"] for m in group] == [park.members_a[0].id]
    with app.app_context():
        db.session.get(Member, park.members_a[2].id).member_type = "预备党员"
        db.session.get(Member, park.members_a[3].id).status = "inactive"
        db.session.commit()
    typed = get(client, park, "org_a", "/api/v1/archive/members", member_type="预备党员").json
    assert [m["id"] for m in typed] == [park.members_a[2].id]
    off = get(client, park, "org_a", "/api/v1/archive/members", status="inactive").json
    assert [m["id"] for m in off] == [park.members_a[3].id]


def test_bad_member_filters_are_refused_with_a_message(client, park):
    for params in ({"phone": "12"}, {"phone": "abcd"}, {"member_type": "党委"}, {"status": "gone"},
                   {"org": 3}, {"page_size": 1000}, {"year": 1999}, {"name": "a\x00"}):
        answer = get(client, park, "org_a", "/api/v1/archive/members", **params)
        assert answer.status_code == 422, params
        assert answer.json["error"]["message"]
    assert get(client, park, "admin", "/api/v1/archive/members", org_id=99999).status_code == 404
    assert client.get("/api/v1/archive/members").status_code == 401
    assert get(client, park, f"member:{park.members_a[0].id}", "/api/v1/archive/members").status_code == 403


# --- one member's page --------------------------------------------------------------------------------

def test_the_member_page_shows_score_by_dimension_stars_declarations_and_memberships(app, client, park, entries):
    a0 = park.members_a[0]
    with app.app_context():
        rule = db.session.query(Rule).filter_by(code="service.volunteer").one()
        today = utcnow().date()
        db.session.add_all([
            Declaration(member_id=a0.id, org_id=a0.org_id, rule_id=rule.id, occurred_on=today, title="社区义诊",
                        status="submitted", photos=[]),
            Declaration(member_id=a0.id, org_id=a0.org_id, rule_id=rule.id, occurred_on=today - A_DAY,
                        title="扶贫帮困", status="approved", photos=[], points=5),
            MemberChange(member_id=a0.id, kind="type", before="预备党员", after="党员", effective_on=today,
                         note="转正", actor="staff:1")])
        db.session.commit()
    page = get(client, park, "org_a", f"/api/v1/archive/members/{a0.id}")
    assert page.status_code == 200, page.json
    body = page.json
    year_entries = [e for e in get(client, park, "admin", "/api/v1/archive/ledger", member_id=a0.id, limit=200).json["entries"]
                    if e["year"] == body["year"]]
    assert body["score"] == sum(e["delta_score"] for e in year_entries)
    assert body["score_by_dimension"]["study"] == 2 and body["score_by_dimension"]["integrity"] == 0
    assert body["stars"] == sum(body["score"] >= t for t in app.config["STAR_THRESHOLDS"])
    assert body["declarations"]["counts"] == {"submitted": 1, "approved": 1, "returned": 0, "rejected": 0}
    assert [d["title"] for d in body["declarations"]["items"]] == ["社区义诊", "扶贫帮困"]
    assert body["memberships"] == [{"org_id": a0.org_id, "org": park.group_a.name, "since": None, "until": None}]
    assert body["changes"][0]["after"] == "党员"
    assert body["member"]["phone"] == f"{a0.phone[:3]}****{a0.phone[-4:]}"
    assert body["attendance"] == {"invited": 0, "attended": 0, "on_leave": 0, "absent": 0, "rate": None}


def test_the_member_page_counts_attendance_of_the_branch_and_above(app, client, park):
    from points_mall.activities.models import Activity, Checkin, LeaveRequest

    a0, a1 = park.members_a[0], park.members_a[1]
    now = utcnow()
    with app.app_context():
        held = []
        for i, (org_id, status) in enumerate([(park.root.id, "published"), (park.branch_a.id, "published"),
                                              (park.branch_a.id, "published"), (park.branch_b.id, "published"),
                                              (park.branch_a.id, "cancelled")]):
            start = now - timedelta(hours=3 + i)
            act = Activity(org_id=org_id, kind="branch_meeting", title=f"会议{i}", starts_at=start,
                           ends_at=start + timedelta(hours=1), checkin_opens_at=start, checkin_closes_at=start,
                           status=status, created_by="staff:1")
            db.session.add(act)
            db.session.flush()
            held.append(act.id)
        db.session.add(Checkin(activity_id=held[0], member_id=a0.id, method="scan", scanned_at=now))
        db.session.add(LeaveRequest(activity_id=held[1], member_id=a0.id, reason="出差", status="approved"))
        db.session.commit()
    seen = get(client, park, "org_a", f"/api/v1/archive/members/{a0.id}").json["attendance"]
    # Invited to the park's meeting and branch A's two (not B's, not the cancelled one).
    assert seen == {"invited": 3, "attended": 1, "on_leave": 1, "absent": 1, "rate": round(1 / 3, 3)}
    assert get(client, park, "org_a", f"/api/v1/archive/members/{a1.id}").json["attendance"]["absent"] == 3


def test_the_member_page_of_another_branch_is_refused(client, park):
    b0 = park.members_b[0]
    refused = get(client, park, "org_a", f"/api/v1/archive/members/{b0.id}")
    assert refused.status_code == 403 and refused.json["error"]["code"] == "out_of_scope"
    assert get(client, park, "org_general", f"/api/v1/archive/members/{b0.id}").status_code == 200
    assert get(client, park, "org_a", "/api/v1/archive/members/999999").status_code == 404
    assert get(client, park, "org_a", f"/api/v1/archive/members/{b0.id}", year=3000).status_code == 422


# --- the ledger ---------------------------------------------------------------------------------------

def read_ledger(client, park, who="org_a", **params):
    answer = get(client, park, who, "/api/v1/archive/ledger", **params)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_an_organizer_reads_only_their_scopes_entries(client, park, entries):
    mine = {m.id for m in park.members_a}
    seen = read_ledger(client, park, limit=200)["entries"]
    assert seen and {e["member_id"] for e in seen} <= mine
    assert read_ledger(client, park, "org_b", limit=200)["entries"][0]["member_id"] == park.members_b[0].id
    refused = get(client, park, "org_a", "/api/v1/archive/ledger", member_id=park.members_b[0].id)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "out_of_scope"
    assert get(client, park, "org_a", "/api/v1/archive/ledger", org_id=park.branch_b.id).status_code == 403
    everything = read_ledger(client, park, "admin", limit=200)["entries"]
    assert len(everything) == 7 * 3 + 1 + 1 + 1 + 1


def test_entries_are_newest_first_and_say_what_they_were_and_who_posted_them(client, park, entries):
    seen = read_ledger(client, park, member_id=park.members_a[1].id, limit=200)["entries"]
    times = [e["occurred_at"] for e in seen]
    assert times == sorted(times, reverse=True)
    deduct = next(e for e in seen if e["kind"] == "deduct")
    reversal = next(e for e in seen if e["kind"] == "reversal")
    assert deduct["reversed_by_id"] == reversal["id"] and reversal["reverses_id"] == deduct["id"]
    assert deduct["rule_name"] == "integrity.absent" and deduct["rule_version"] == 1
    assert deduct["member_name"] == park.members_a[1].name and deduct["org"] == park.branch_a.name
    assert deduct["delta_score"] == -3 and deduct["actor"] == "staff:1" and deduct["actor_name"] == "admin"
    assert reversal["actor_name"] == "系统"


def test_each_ledger_filter_narrows_the_list(client, park, entries):
    a0 = park.members_a[0]
    by_kind = read_ledger(client, park, kind="deduct")["entries"]
    assert [e["kind"] for e in by_kind] == ["deduct"]
    assert {e["dimension"] for e in read_ledger(client, park, dimension="study")["entries"]} == {"study"}
    with client.application.app_context():
        study = db.session.query(Rule).filter_by(code="study.meeting").one().id
    assert [e["member_id"] for e in read_ledger(client, park, rule_id=study)["entries"]] == [a0.id]
    late = read_ledger(client, park, late_only="true")["entries"]
    assert [(e["kind"], e["late_correction"]) for e in late] == [("adjust", True)]
    group = read_ledger(client, park, org_id=park.group_a.id, limit=200)["entries"]
    assert {e["member_id"] for e in group} == {a0.id}
    today = (entries + timedelta(hours=8)).date()  # Beijing's day
    two_days = read_ledger(client, park, "admin", **{"from": str(today - A_DAY), "to": str(today)}, limit=200)["entries"]
    assert {e["kind"] for e in two_days} == {"award"} and len(two_days) == 2 * 3
    assert read_ledger(client, park, "admin", **{"from": str(today + A_DAY)})["entries"] == []


def test_bad_ledger_filters_are_refused(client, park, entries):
    for params in ({"kind": "gift"}, {"dimension": "wealth"}, {"from": "2026-13-01"}, {"from": "2026-05-02", "to": "2026-05-01"},
                   {"cursor": "abc"}, {"cursor": "99999999999999999999_1"}, {"limit": 0}, {"limit": 500},
                   {"late_only": "maybe"}, {"member": 1}, {"from": "1999-01-01"}):
        answer = get(client, park, "org_a", "/api/v1/archive/ledger", **params)
        assert answer.status_code == 422, (params, answer.json)
        assert answer.json["error"]["message"]
    assert get(client, park, "org_a", "/api/v1/archive/ledger", rule_id=99999).status_code == 404
    assert get(client, park, "org_a", "/api/v1/archive/ledger", member_id=99999).status_code == 404


@pytest.mark.parametrize("who", ["admin", "org_b"])  # across the tree; member by member in one branch
def test_keyset_pages_neither_repeat_nor_skip_while_entries_are_posted(app, client, park, entries, who):
    before = {e["id"] for e in read_ledger(client, park, who, limit=200)["entries"]}
    stop = threading.Event()

    def poster():
        n = 0
        with app.app_context():
            rule = db.session.query(Rule).filter_by(code="service.volunteer").one()
            while not stop.is_set() and n < 200:
                # Now, and back-dated into pages already read and pages not read yet.
                at = utcnow() - timedelta(days=n % 9)
                ledger.apply_rule([park.members_b[2].id], rule, key=f"during:{n}", source=("award", None),
                                  actor="test", occurred_at=at)
                db.session.commit()
                n += 1
            db.session.remove()

    thread = threading.Thread(target=poster)
    thread.start()
    seen, cursor = [], None
    try:
        while True:
            page = read_ledger(client, park, who, limit=4, **({"cursor": cursor} if cursor else {}))
            seen += page["entries"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
    finally:
        stop.set()
        thread.join()
    ids = [e["id"] for e in seen]
    assert len(ids) == len(set(ids)), "an entry came twice"
    assert before <= set(ids), "an entry that was there from the start was skipped"
    keys = [(e["occurred_at"], e["id"]) for e in seen]
    assert keys == sorted(keys, reverse=True)


# --- exports ------------------------------------------------------------------------------------------

def sheet(answer) -> list[list]:
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(BytesIO(answer.data)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_the_member_search_exports_what_it_found(client, park, entries):
    rows = sheet(get(client, park, "org_a", "/api/v1/archive/members/export", name="明"))
    assert rows[0] == ["姓名", "手机号", "类型", "所属组织", "状态", "年度积分", "星级", "超市积分"]
    assert sorted(r[0] for r in rows[1:]) == sorted(m.name for m in park.members_a)
    a0 = next(r for r in rows if r[0] == park.members_a[0].name)
    page = get(client, park, "org_a", f"/api/v1/archive/members/{park.members_a[0].id}").json
    assert a0[1] == page["member"]["phone"] and a0[5] == page["score"] and a0[6] == page["stars"]
    assert a0[7] == page["spendable"]


def test_the_filtered_ledger_exports_every_matching_entry(app, client, park, entries):
    with app.app_context():  # a control character that reached the database before it was refused
        db.session.execute(db.text("UPDATE ledger_entry SET reason = 'bad\x01reason' WHERE idempotency_key = 'study:a0'"))
        db.session.commit()
    rows = sheet(get(client, park, "org_a", "/api/v1/archive/ledger/export", member_id=park.members_a[0].id))
    listed = read_ledger(client, park, member_id=park.members_a[0].id, limit=200)["entries"]
    assert rows[0][:3] == ["时间", "姓名", "所属组织"] and len(rows) - 1 == len(listed)
    assert [r[7] for r in rows[1:]] == [e["delta_score"] for e in listed]
    assert any(r[9] == "badreason" for r in rows[1:])
    assert any(r[12] == "是" and r[3] == "调整" for r in rows[1:])
    deductions = sheet(get(client, park, "admin", "/api/v1/archive/ledger/export", kind="deduct"))
    assert len(deductions) == 2 and deductions[1][13] == "已被冲正"


def test_an_export_past_the_limit_is_refused_not_cut(app, client, park, entries):
    app.config["ARCHIVE_EXPORT_MAX"] = 5
    try:
        refused = get(client, park, "admin", "/api/v1/archive/ledger/export")
        assert refused.status_code == 422 and refused.json["error"]["code"] == "export_too_large"
        assert "5" in refused.json["error"]["message"]
        assert get(client, park, "admin", "/api/v1/archive/members/export").status_code == 422
        assert get(client, park, "admin", "/api/v1/archive/ledger/export", kind="deduct").status_code == 200
    finally:
        app.config.pop("ARCHIVE_EXPORT_MAX")


def test_exports_keep_the_scope(client, park, entries):
    assert get(client, park, "org_a", "/api/v1/archive/ledger/export", org_id=park.branch_b.id).status_code == 403
    rows = sheet(get(client, park, "org_b", "/api/v1/archive/ledger/export"))
    assert {r[1] for r in rows[1:]} == {park.members_b[0].name}
