"""Opening balances (期初积分) on PostgreSQL: every row checked first, all rows or none, `adjust` entries
naming the import, one import per member even when two imports run at once."""
from io import BytesIO

from openpyxl import load_workbook

from points_mall.year import opening
from points_mall.people.access import load_actor

from .sheets import sheet
from .test_concurrency import run_together

COLUMNS = opening.COLUMNS


def upload(client, park, content, who="admin", check=False, year=2026):
    url = "/api/v1/admin/opening-imports/check" if check else f"/api/v1/admin/opening-imports?year={year}"
    return client.post(url, data={"file": (BytesIO(content), "期初.xlsx")}, headers=park.auth(who),
                       content_type="multipart/form-data")


def rows_for(people, spendable=100):
    return [(p.name, p.phone, spendable + i, 10, 5, 0, 3, -2) for i, p in enumerate(people)]


def test_the_template_has_the_columns_and_says_how(client, park):
    r = client.get("/api/v1/admin/opening-imports/template", headers=park.auth("admin"))
    book = load_workbook(BytesIO(r.data))
    assert r.status_code == 200 and next(book.active.iter_rows(values_only=True)) == COLUMNS
    assert "填写说明" in book.sheetnames
    assert client.get("/api/v1/admin/opening-imports/template", headers=park.auth("org_a")).status_code == 403


def test_an_import_writes_adjust_entries_that_name_it(client, park, sql, runner):
    people = park.members_a[:3]
    r = upload(client, park, sheet(rows_for(people), COLUMNS))
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert (made["rows"], made["spendable"], made["year"]) == (3, 303, 2026)
    first = people[0].id
    assert sql("SELECT spendable FROM balance WHERE member_id = :m", m=first) == 100
    assert sql("SELECT dimension, score FROM score WHERE member_id = :m AND year = 2026 ORDER BY dimension", m=first) == [
        ("integrity", -2), ("morality", 3), ("service", 5), ("study", 10)]
    entries = sql("SELECT DISTINCT kind, source_type, source_id, year FROM ledger_entry")
    assert entries == [("adjust", "opening_import", made["id"], 2026)]
    assert sql("SELECT count(*) FROM ledger_entry") == 3 * 5  # spendable + four non-zero dimensions
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0
    assert sql("SELECT action FROM audit_entry") == "opening.import"
    listed = client.get("/api/v1/admin/opening-imports", headers=park.auth("admin")).get_json()
    assert listed["total"] == 1 and listed["items"][0]["spendable"] == 303


def test_every_rows_errors_are_shown_and_nothing_is_written(client, park, sql):
    a, b, c = park.members_a[:3]
    rows = [(a.name, a.phone, 50, 1, 0, 0, 0, 0),
            ("王错名", b.phone, 20, 0, 0, 0, 0, 0),
            (c.name, "13812345678", 20, 0, 0, 0, 0, 0),
            (c.name, c.phone, -5, "十", 0, 0, 0, 0),
            (a.name, a.phone, 1, 0, 0, 0, 0, 0)]
    check = upload(client, park, sheet(rows, COLUMNS), check=True).get_json()
    assert (check["rows"], check["valid"], check["ok"]) == (5, 1, False)
    codes = {p["row"]: [e["code"] for e in p["errors"]] for p in check["preview"]}
    assert codes == {2: [], 3: ["name_mismatch"], 4: ["unknown_member"], 5: ["invalid_points", "invalid_points"],
                     6: ["duplicate_phone"]}
    assert "登记的是" in check["preview"][1]["errors"][0]["message"]
    r = upload(client, park, sheet(rows, COLUMNS))
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "import_rejected"
    assert r.get_json()["error"]["message"] == "有5处错误，未导入任何数据"
    assert sql("SELECT count(*) FROM ledger_entry") == 0 and sql("SELECT count(*) FROM opening_import") == 0


def test_a_member_is_imported_once(client, park, sql):
    people = park.members_a[:2]
    assert upload(client, park, sheet(rows_for(people[:1]), COLUMNS)).status_code == 201
    r = upload(client, park, sheet(rows_for(people), COLUMNS))
    errors = r.get_json()["error"]["details"]["errors"]
    assert r.status_code == 422 and [(e["row"], e["code"]) for e in errors] == [(2, "already_imported")]
    assert "已在第1号导入中导入过期初积分" in errors[0]["message"]
    assert sql("SELECT count(*) FROM opening_import") == 1


def test_a_sub_admin_imports_only_their_own_members(client, park, sql):
    r = upload(client, park, sheet(rows_for([park.members_a[1], park.members_b[0]]), COLUMNS), who="admin_a",
               check=True)
    assert [e["code"] for e in r.get_json()["errors"]] == ["out_of_scope"]
    assert upload(client, park, sheet(rows_for(park.members_a[:1]), COLUMNS), who="org_a").status_code == 403
    assert upload(client, park, sheet(rows_for(park.members_b[:1]), COLUMNS)).status_code == 201
    listed = lambda who: client.get("/api/v1/admin/opening-imports", headers=park.auth(who)).get_json()["total"]  # noqa: E731
    assert (listed("admin"), listed("admin_a")) == (1, 0)  # branch b's import is none of branch a's business


def test_a_bad_file_is_refused_with_the_columns_it_needs(client, park):
    r = upload(client, park, sheet([("张三", "13800000000")], ("姓名", "手机号")))
    assert r.status_code == 422 and r.get_json()["error"]["message"].startswith("表头应为：姓名、手机号、超市积分")
    r = upload(client, park, sheet(rows_for(park.members_a[:1]), COLUMNS), year=2099)
    assert r.status_code == 422 and r.get_json()["error"]["message"] == "2099年还没有到，请选择今年或以前的年份"
    r = upload(client, park, b"not a workbook")
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_file"


def test_two_imports_of_the_same_members_at_once_write_one(app, park, sql, runner):
    shared = park.members_a[:4]
    first = sheet(rows_for(shared, 100), COLUMNS)
    second = sheet(rows_for(list(reversed(shared)) + park.members_b[:1], 200), COLUMNS)

    def job(content):
        return lambda: opening.import_opening(load_actor("staff", admin_id), content, 2026)["id"]

    admin_id = sql("SELECT id FROM staff_user WHERE username = 'admin'")
    results = run_together(app, [job(first), job(second), job(first)])
    assert [r[0] for r in results].count("ok") == 1, results
    assert {r[1] for r in results if r[0] != "ok"} == {"import_rejected"}
    assert sql("SELECT count(*) FROM opening_import") == 1
    assert sql("SELECT count(DISTINCT source_id) FROM ledger_entry") == 1
    assert sql("SELECT count(*) FROM ledger_entry WHERE dimension IS NULL") in (4, 5)
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0
