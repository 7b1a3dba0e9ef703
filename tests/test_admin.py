"""Administration: the tree, members, imports, grants, rules — each within the admin's scope."""
from io import BytesIO

from .park import PASSWORD
from .sheets import sheet


def post(client, park, who, url, body):
    return client.post(url, json=body, headers=park.auth(who))


def test_a_park_admin_builds_the_tree_and_a_branch_admin_only_below_their_branch(client, park, sql):
    r = post(client, park, "admin", "/api/v1/admin/orgs", {"name": "智芯传感党支部", "kind": "branch",
                                                           "parent_id": park.root.id})
    assert r.status_code == 201
    below = post(client, park, "admin_a", "/api/v1/admin/orgs", {"name": "星联第二党小组", "kind": "group",
                                                                 "parent_id": park.branch_a.id})
    assert below.status_code == 201
    outside = post(client, park, "admin_a", "/api/v1/admin/orgs", {"name": "北辰第二党小组", "kind": "group",
                                                                   "parent_id": park.branch_b.id})
    assert outside.status_code == 403 and outside.get_json()["error"]["code"] == "out_of_scope"
    organizer = post(client, park, "org_a", "/api/v1/admin/orgs", {"name": "x", "kind": "group",
                                                                   "parent_id": park.branch_a.id})
    assert organizer.status_code == 403
    assert sql("SELECT count(*) FROM org WHERE name IN ('北辰第二党小组', 'x')") == 0


def test_bad_org_input_is_refused_clearly(client, park):
    kind = post(client, park, "admin", "/api/v1/admin/orgs", {"name": "x", "kind": "club", "parent_id": park.root.id})
    assert kind.status_code == 422
    body = kind.get_json()["error"]
    assert body["code"] == "invalid_input" and "kind" in body["details"]["fields"]["json"]
    dup = post(client, park, "admin", "/api/v1/admin/orgs", {"name": "星联电子党支部", "kind": "branch",
                                                             "parent_id": park.branch_a.id - 1})
    assert dup.status_code == 409 and dup.get_json()["error"]["code"] == "duplicate_org"
    missing = post(client, park, "admin", "/api/v1/admin/orgs", {"name": "y", "kind": "branch", "parent_id": 9999})
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "unknown_org"


def test_members_are_registered_in_scope_with_a_valid_unique_phone(client, park, sql):
    ok = post(client, park, "admin_a", "/api/v1/admin/members", {"name": "赵六", "phone": "13611112222",
                                                                 "member_type": "预备党员", "org_id": park.branch_a.id})
    assert ok.status_code == 201 and ok.get_json()["phone"] == "136****2222"
    assert sql("SELECT spendable FROM balance WHERE member_id = :m", m=ok.get_json()["id"]) == 0
    dup = post(client, park, "admin", "/api/v1/admin/members", {"name": "赵七", "phone": "13611112222",
                                                                "member_type": "党员", "org_id": park.branch_a.id})
    assert dup.status_code == 409 and dup.get_json()["error"]["code"] == "duplicate_phone"
    bad = post(client, park, "admin", "/api/v1/admin/members", {"name": "赵八", "phone": "12345",
                                                                "member_type": "党员", "org_id": park.branch_a.id})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_phone"
    outside = post(client, park, "admin_a", "/api/v1/admin/members", {"name": "赵九", "phone": "13611113333",
                                                                      "member_type": "党员", "org_id": park.branch_b.id})
    assert outside.status_code == 403
    assert sql("SELECT count(*) FROM member WHERE name LIKE '赵%'") == 1


def test_staff_list_only_the_members_in_their_scope(client, park):
    mine = client.get("/api/v1/admin/members", headers=park.auth("org_a")).get_json()
    assert {m["id"] for m in mine} == {m.id for m in park.members_a}
    other = client.get(f"/api/v1/admin/members?org_id={park.branch_b.id}", headers=park.auth("org_a"))
    assert other.status_code == 403


def upload(client, park, who, content, name="members.xlsx"):
    return client.post("/api/v1/admin/members/import", data={"file": (BytesIO(content), name)},
                       headers=park.auth(who), content_type="multipart/form-data")


def test_an_import_brings_in_every_row(client, park, sql):
    content = sheet([("孙一", "13500000001", "党员", "星联电子党支部", "2010-07-01", "2020-01-01"),
                     ("孙二", 13500000002, "入党积极分子", "星联第一党小组", None, None)])
    r = upload(client, park, "admin_a", content)
    assert r.status_code == 201 and r.get_json() == {"imported": 2}
    assert sql("SELECT party_birthday::text FROM member WHERE phone = '13500000001'") == "2010-07-01"


def test_an_import_with_bad_rows_imports_nothing_and_names_each_row(client, park, sql):
    content = sheet([
        ("孙一", "13500000001", "党员", "星联电子党支部", None, None),
        ("孙二", "13500000001", "党员", "星联电子党支部", None, None),   # duplicate in the file
        ("孙三", "13800000001", "党员", "星联电子党支部", None, None),   # already registered
        ("孙四", "1350000", "党员", "星联电子党支部", None, None),       # bad phone
        ("孙五", "13500000005", "党员", "不存在的支部", None, None),      # unknown branch
        ("孙六", "13500000006", "党员", "北辰软件党支部", None, None),    # outside the admin's scope
        ("孙七", "13500000007", "党员", "星联电子党支部", "去年", None),  # bad date
    ])
    r = upload(client, park, "admin_a", content)
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] == "import_rejected"
    assert {(e["row"], e["code"]) for e in error["details"]["errors"]} == {
        (3, "duplicate_phone"), (4, "duplicate_phone"), (5, "invalid_phone"), (6, "unknown_org"),
        (7, "out_of_scope"), (8, "invalid_date")}
    assert sql("SELECT count(*) FROM member WHERE name LIKE '孙%'") == 0


def test_an_import_of_something_that_is_not_a_sheet_is_refused(client, park):
    r = upload(client, park, "admin", b"name,phone\n", "members.csv")
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_file"
    wrong_header = upload(client, park, "admin", sheet([], header=("name", "phone")))
    assert wrong_header.get_json()["error"]["code"] == "invalid_file"
    missing = client.post("/api/v1/admin/members/import", headers=park.auth("admin"),
                          content_type="multipart/form-data", data={})
    assert missing.status_code == 422


def test_the_import_command_reports_row_errors_and_exits_non_zero(runner, park, tmp_path, sql):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(sheet([("孙一", "1350000", "党员", "星联电子党支部", None, None)]))
    result = runner.invoke(args=["import-members", str(bad)])
    assert result.exit_code == 1 and "第2行" in result.output
    good = tmp_path / "good.xlsx"
    good.write_bytes(sheet([("孙一", "13500000001", "党员", "北辰软件党支部", None, None)]))
    assert runner.invoke(args=["import-members", str(good)]).exit_code == 0
    assert sql("SELECT count(*) FROM member WHERE name = '孙一'") == 1


def test_create_admin_makes_a_login_over_the_whole_tree(runner, client, park):
    assert runner.invoke(args=["create-admin", "chief", "--password", "short"]).exit_code == 1
    assert runner.invoke(args=["create-admin", "chief", "--password", "long-enough-pw"]).exit_code == 0
    login = client.post("/api/v1/auth/staff-login", json={"username": "chief", "password": "long-enough-pw"})
    token = login.get_json()["token"]
    r = client.post("/api/v1/admin/orgs", json={"name": "新区综合党委", "kind": "committee"},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201


def test_a_grant_makes_a_member_an_organizer_of_their_branch_only(client, park):
    secretary = park.members_a[1]
    g = post(client, park, "admin_a", "/api/v1/admin/grants", {"member_id": secretary.id, "role": "organizer",
                                                               "org_id": park.branch_a.id})
    assert g.status_code == 201
    ok = client.post("/api/v1/awards", json={"member_ids": [park.members_a[2].id], "rule_code": "study.meeting"},
                     headers=park.auth(secretary))
    assert ok.status_code == 201
    no = client.post("/api/v1/awards", json={"member_ids": [park.members_b[2].id], "rule_code": "study.meeting"},
                     headers=park.auth(secretary))
    assert no.status_code == 403


def test_grants_cannot_reach_outside_the_granting_admins_scope(client, park):
    outside = post(client, park, "admin_a", "/api/v1/admin/grants", {"username": "org_a", "role": "organizer",
                                                                     "org_id": park.branch_b.id})
    assert outside.status_code == 403
    nonsense = post(client, park, "admin", "/api/v1/admin/grants", {"username": "org_a", "role": "organizer"})
    assert nonsense.status_code == 422 and nonsense.get_json()["error"]["code"] == "invalid_scope"
    nobody = post(client, park, "admin", "/api/v1/admin/grants", {"username": "ghost", "role": "organizer",
                                                                  "org_id": park.branch_a.id})
    assert nobody.status_code == 404


def test_rules_are_set_by_a_park_admin_with_a_valid_dimension_and_cap(client, park):
    body = {"code": "study.reading", "name": "读书分享", "dimension": "study", "points": 2,
            "cap_period": "month", "cap": 4}
    assert post(client, park, "admin_a", "/api/v1/admin/rules", body).status_code == 403
    assert post(client, park, "admin", "/api/v1/admin/rules", body).status_code == 201
    assert post(client, park, "admin", "/api/v1/admin/rules", body).get_json()["error"]["code"] == "duplicate_rule"
    bad_dim = post(client, park, "admin", "/api/v1/admin/rules", body | {"code": "x.y", "dimension": "fun"})
    assert bad_dim.status_code == 422
    bad_cap = post(client, park, "admin", "/api/v1/admin/rules", body | {"code": "x.z", "cap_period": None})
    assert bad_cap.status_code == 422 and bad_cap.get_json()["error"]["code"] == "invalid_cap"
    zero = post(client, park, "admin", "/api/v1/admin/rules", body | {"code": "x.w", "points": 0})
    assert zero.get_json()["error"]["code"] == "invalid_points"


def test_staff_login_of_a_demo_like_account_gives_roles(client, park):
    r = client.post("/api/v1/auth/staff-login", json={"username": "admin", "password": PASSWORD})
    assert r.get_json()["roles"] == ["admin"]
