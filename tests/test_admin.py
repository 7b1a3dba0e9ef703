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


def test_parallel_creations_of_one_org_shop_product_or_grant_make_one_and_answer_409(app, client, park, sql):
    """Without a unique index the check-then-insert lets a double click in two tabs make two; the index
    decides and the loser gets a clear 409 with its catalogue code."""
    from points_mall.mall import shop as shops
    from points_mall.people import orgs

    from .test_concurrency import run_together, staff

    def eight(job):
        results = run_together(app, [job] * 8)
        assert sorted({r[0] for r in results}) == ["ok", "refused"], results
        assert [r[0] for r in results].count("ok") == 1
        return {r[1] for r in results if r[0] == "refused"}

    assert eight(lambda: orgs.create_org(staff("admin"), "智芯传感党支部", "branch", park.root.id).id) == \
        {"duplicate_org"}
    assert sql("SELECT count(*) FROM org WHERE name = '智芯传感党支部'") == 1
    assert eight(lambda: shops.create_shop(staff("admin"), "智芯积分小站", park.branch_a.id).id) == {"duplicate_shop"}
    shop_id = sql("SELECT id FROM shop WHERE name = '智芯积分小站'")
    assert eight(lambda: shops.create_product(staff("admin"), shop_id, name="食用油", points_price=30).id) == \
        {"duplicate_product"}
    assert sql("SELECT count(*) FROM product WHERE name = '食用油'") == 1
    member = park.members_a[1]
    assert eight(lambda: orgs.grant_role(staff("admin"), "organizer", member_id=member.id,
                                         org_id=park.branch_a.id).id) == {"duplicate_grant"}
    assert sql("SELECT count(*) FROM \"grant\" WHERE member_id = :m", m=member.id) == 1
    # One after the other, over HTTP, the same answers with a message that says what to do.
    for url, body, code in (
            ("/api/v1/admin/orgs", {"name": "智芯传感党支部", "kind": "branch", "parent_id": park.root.id},
             "duplicate_org"),
            ("/api/v1/admin/shops", {"name": "智芯积分小站", "org_id": park.branch_a.id}, "duplicate_shop"),
            ("/api/v1/shop/products", {"shop_id": shop_id, "name": "食用油", "points_price": 30}, "duplicate_product"),
            ("/api/v1/admin/grants", {"member_id": member.id, "role": "organizer", "org_id": park.branch_a.id},
             "duplicate_grant")):
        r = post(client, park, "admin", url, body)
        assert r.status_code == 409 and r.get_json()["error"]["code"] == code, (url, r.get_json())
        assert "{" not in r.get_json()["error"]["message"]
    # The same name elsewhere is fine: another parent, another shop, another scope.
    assert post(client, park, "admin", "/api/v1/admin/orgs", {"name": "智芯传感党支部", "kind": "group",
                                                               "parent_id": park.branch_b.id}).status_code == 201
    assert post(client, park, "admin", "/api/v1/admin/grants", {"member_id": member.id, "role": "organizer",
                                                                 "org_id": park.group_a.id}).status_code == 201
    # A rename onto a shop's or product's neighbour is refused the same way.
    other = post(client, park, "admin", "/api/v1/admin/shops", {"name": "智芯二号站", "org_id": park.branch_a.id})
    r = client.patch(f"/api/v1/admin/shops/{other.get_json()['id']}", json={"name": "智芯积分小站"},
                     headers=park.auth("admin"))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "duplicate_shop"


def test_the_migration_keeps_existing_duplicates_apart_before_indexing_them(app):
    """Duplicates made before the unique indexes existed are renamed (orgs, shops, goods: "名称（id）") or,
    for identical grants, kept once; nothing else changes."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from points_mall import create_app
    from points_mall.config import TestConfig
    from points_mall.extensions import db

    from .conftest import _recreate_database

    class Fresh(TestConfig):
        SQLALCHEMY_DATABASE_URI = TestConfig.SQLALCHEMY_DATABASE_URI + "_dups"

    _recreate_database(Fresh.SQLALCHEMY_DATABASE_URI)
    fresh = create_app(Fresh)
    with fresh.app_context():
        upgrade(revision="0010_selfpoints")
        run = lambda s, params=None: db.session.execute(text(s), params)  # noqa: E731
        run("INSERT INTO org (id, name, kind, parent_id, path, active) VALUES (1, '综合党委', 'committee', NULL, '/1/', "
            "true), (2, '一支部', 'branch', 1, '/1/2/', true), (3, '一支部', 'branch', 1, '/1/3/', true), "
            "(4, '一支部', 'branch', 2, '/1/2/4/', true)")
        run("INSERT INTO shop (id, name, org_id, address, opening_hours, active) VALUES (1, '小站', 1, '', '', true), "
            "(2, '小站', 1, '', '', true)")
        ours = "/api/v1/uploads/photos/" + "a" * 64 + ".png"
        run("INSERT INTO product (id, shop_id, name, description, image_url, category, points_price, active, on_hand, "
            f"low_stock_threshold) VALUES (1, 1, '毛巾', '', '{ours}', '', 10, true, 0, 5), "
            "(2, 1, '毛巾', '', 'https://evil.example/t.png', '', 10, true, 0, 5)")
        run("INSERT INTO staff_user (id, username, password_hash, display_name, active, created_at) VALUES "
            "(1, 'a', 'x', 'a', true, now())")
        run("INSERT INTO \"grant\" (id, staff_id, role, org_id, created_at) VALUES (1, 1, 'admin', NULL, now()), "
            "(2, 1, 'admin', NULL, now()), (3, 1, 'organizer', 2, now())")
        run("INSERT INTO member (id, name, phone, member_type, org_id, status, created_at) VALUES "
            "(1, '张明', '13800000000', '党员', 2, 'active', now())")
        run("INSERT INTO rule (id, code, name, dimension, points, needs_approval, active, declarable, version) VALUES "
            "(1, 'service.volunteer', '志愿服务', 'service', 5, false, true, true, 1)")
        evidence = "b" * 64 + ".jpg"
        run("INSERT INTO declaration (member_id, org_id, rule_id, occurred_on, title, description, photos, status, "
            f"note, created_at, updated_at) VALUES (1, 2, 1, current_date, '植树', '', '[\"{evidence}\"]', "
            "'returned', '', now(), now())")
        db.session.commit()
        upgrade()
        # A declaration's photos stay its member's, so a resubmission may keep them.
        assert run("SELECT owner FROM photo_upload WHERE key = :k", {"k": evidence}).scalar() == "member:1"
        names = dict(run("SELECT id, name FROM org").all())
        assert names == {1: "综合党委", 2: "一支部", 3: "一支部（3）", 4: "一支部"}
        assert dict(run("SELECT id, name FROM shop").all()) == {1: "小站", 2: "小站（2）"}
        assert dict(run("SELECT id, name FROM product").all()) == {1: "毛巾", 2: "毛巾（2）"}
        assert sorted(run("SELECT id FROM \"grant\"").scalars()) == [1, 3]
        # Pictures at our own addresses stay (and count as uploaded here); one at another host is cleared.
        assert dict(run("SELECT id, image_url FROM product").all()) == {1: ours, 2: ""}
        assert run("SELECT owner FROM photo_upload WHERE key = :k", {"k": "a" * 64 + ".png"}).scalar() == "system:0"
        db.session.commit()
        downgrade(revision="0010_selfpoints")
        db.session.remove()
        db.engine.dispose()
