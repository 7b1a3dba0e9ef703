"""What the console's admin pages need from the API: the tree kept, members searched and edited,
the import checked before it is run, grants, rules and shops kept, photos uploaded, board views."""
import json
from io import BytesIO

from .sheets import sheet

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32


def call(client, park, who, method, url, body=None):
    return client.open(url, method=method, json=body, headers=park.auth(who))


def test_the_tree_is_listed_nested_renamed_and_moved_but_never_under_itself(client, park, sql):
    tree = call(client, park, "admin", "GET", "/api/v1/admin/orgs/tree").get_json()
    assert len(tree) == 1 and tree[0]["name"] == "综合党委"
    general = tree[0]["children"][0]
    assert {c["name"] for c in general["children"]} == {"星联电子党支部", "北辰软件党支部"}
    branch_a = next(c for c in general["children"] if c["id"] == park.branch_a.id)
    assert branch_a["members"] == 4 and branch_a["children"][0]["members"] == 1

    r = call(client, park, "admin", "PATCH", f"/api/v1/admin/orgs/{park.branch_a.id}", {"name": "星联电子第一党支部"})
    assert r.status_code == 200 and r.get_json()["name"] == "星联电子第一党支部"
    into_own = call(client, park, "admin", "PATCH", f"/api/v1/admin/orgs/{park.branch_a.id}",
                    {"parent_id": park.group_a.id})
    assert into_own.status_code == 422 and into_own.get_json()["error"]["code"] == "move_into_own_subtree"
    assert "下级" in into_own.get_json()["error"]["message"]
    moved = call(client, park, "admin", "PATCH", f"/api/v1/admin/orgs/{park.branch_a.id}", {"parent_id": park.root.id})
    assert moved.status_code == 200 and moved.get_json()["parent_id"] == park.root.id
    # The whole subtree moved with it: the group's path is under the branch's new path.
    assert sql("SELECT path FROM org WHERE id = :g", g=park.group_a.id) == f"/{park.root.id}/{park.branch_a.id}/{park.group_a.id}/"
    outside = call(client, park, "admin_a", "PATCH", f"/api/v1/admin/orgs/{park.branch_b.id}", {"name": "x"})
    assert outside.status_code == 403


def test_a_node_is_retired_only_once_it_has_no_active_members_or_children(client, park, sql):
    busy = call(client, park, "admin", "POST", f"/api/v1/admin/orgs/{park.group_a.id}/retire")
    assert busy.status_code == 409 and busy.get_json()["error"]["code"] == "org_not_empty"
    assert busy.get_json()["error"]["details"] == {"children": 0, "members": 1}
    member = park.members_a[0]
    off = call(client, park, "admin", "PATCH", f"/api/v1/admin/members/{member.id}", {"status": "inactive"})
    assert off.status_code == 200 and off.get_json()["status"] == "inactive"
    done = call(client, park, "admin", "POST", f"/api/v1/admin/orgs/{park.group_a.id}/retire")
    assert done.status_code == 200 and done.get_json()["active"] is False
    tree = call(client, park, "admin", "GET", "/api/v1/admin/orgs/tree").get_json()
    assert f'"id": {park.group_a.id},' not in json.dumps(tree)
    with_retired = call(client, park, "admin", "GET", "/api/v1/admin/orgs/tree?include_retired=true").get_json()
    assert f'"id": {park.group_a.id},' in json.dumps(with_retired)
    root = call(client, park, "admin", "POST", f"/api/v1/admin/orgs/{park.root.id}/retire")
    assert root.status_code == 422


def test_members_are_searched_and_paged_on_the_server_and_the_plain_list_still_answers(client, park):
    plain = call(client, park, "admin", "GET", "/api/v1/admin/members")
    assert plain.status_code == 200 and len(plain.get_json()) == 10
    page = call(client, park, "admin", "GET", "/api/v1/admin/members?page=2&page_size=3")
    assert [m["id"] for m in page.get_json()] == [m.id for m in sorted(
        park.members_a + park.members_b, key=lambda m: m.id)][3:6]
    assert json.loads(page.headers["X-Pagination"])["total"] == 10
    branch = call(client, park, "admin", "GET", f"/api/v1/admin/members?org_id={park.branch_b.id}&q=李1")
    assert [m["name"] for m in branch.get_json()] == ["李1华"] and branch.get_json()[0]["org"] == "北辰软件党支部"
    call(client, park, "admin", "PATCH", f"/api/v1/admin/members/{park.members_b[2].id}", {"status": "inactive"})
    off = call(client, park, "admin", "GET", "/api/v1/admin/members?status=inactive").get_json()
    assert [m["id"] for m in off] == [park.members_b[2].id]
    assert call(client, park, "org_a", "GET", "/api/v1/admin/members").status_code == 200
    assert len(call(client, park, "org_a", "GET", "/api/v1/admin/members").get_json()) == 5


def test_a_member_is_edited_with_errors_said_beside_the_field(client, park, sql):
    m = park.members_a[1]
    ok = call(client, park, "admin", "PATCH", f"/api/v1/admin/members/{m.id}",
              {"name": "张一鸣", "member_type": "预备党员", "org_id": park.branch_b.id})
    assert ok.status_code == 200 and ok.get_json()["org_id"] == park.branch_b.id
    dup = call(client, park, "admin", "PATCH", f"/api/v1/admin/members/{m.id}", {"phone": park.members_b[0].phone})
    assert dup.status_code == 409 and dup.get_json()["error"]["code"] == "duplicate_phone"
    bad = call(client, park, "admin", "PATCH", f"/api/v1/admin/members/{m.id}", {"phone": "123"})
    assert bad.status_code == 422 and "phone" in bad.get_json()["error"]["details"]["fields"]["json"]
    outside = call(client, park, "admin_a", "PATCH", f"/api/v1/admin/members/{park.members_b[0].id}", {"name": "x"})
    assert outside.status_code == 403
    assert sql("SELECT name FROM member WHERE id = :m", m=park.members_b[0].id) == park.members_b[0].name


def test_members_are_exported_as_a_workbook(client, park):
    from openpyxl import load_workbook

    r = call(client, park, "admin", "GET", f"/api/v1/admin/members/export?org_id={park.branch_b.id}")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(BytesIO(r.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "手机号", "类型", "所属组织") and len(rows) == 6
    assert rows[1][1].count("*") == 4


def test_the_import_check_lists_each_rows_errors_and_writes_nothing(client, park, sql):
    content = sheet([("王五", "13712345678", "党员", "星联电子党支部", "2020-07-01", None),
                     ("", "12345", "党员", "不存在的支部", None, None)])
    r = client.post("/api/v1/admin/members/import/check", data={"file": (BytesIO(content), "m.xlsx")},
                    headers=park.auth("admin"))
    body = r.get_json()
    assert r.status_code == 200 and body["ok"] is False and body["rows"] == 2 and body["valid"] == 1
    assert body["preview"][0]["errors"] == [] and body["preview"][0]["name"] == "王五"
    codes = {e["code"] for e in body["preview"][1]["errors"]}
    assert codes == {"invalid_name", "invalid_phone", "unknown_org"} and body["preview"][1]["row"] == 3
    assert sql("SELECT count(*) FROM member WHERE phone = '13712345678'") == 0
    organizer = client.post("/api/v1/admin/members/import/check", data={"file": (BytesIO(content), "m.xlsx")},
                            headers=park.auth("org_a"))
    assert organizer.status_code == 403


def test_grants_are_listed_in_scope_and_revoked_but_never_ones_own(client, park, sql):
    every = call(client, park, "admin", "GET", "/api/v1/admin/grants").get_json()
    assert {g["holder"] for g in every} >= {"admin", "org_a", "org_b", "admin_a"}
    assert next(g for g in every if g["holder"] == "admin")["scope"] == "全部组织"
    mine = call(client, park, "admin_a", "GET", "/api/v1/admin/grants").get_json()
    assert {g["holder"] for g in mine} == {"org_a", "admin_a"}
    org_b = next(g for g in every if g["holder"] == "org_b")
    assert call(client, park, "admin_a", "DELETE", f"/api/v1/admin/grants/{org_b['id']}").status_code == 403
    assert call(client, park, "admin", "DELETE", f"/api/v1/admin/grants/{org_b['id']}").status_code == 204
    assert call(client, park, "org_b", "GET", "/api/v1/admin/members").status_code == 403
    own = next(g for g in every if g["holder"] == "admin")
    assert call(client, park, "admin", "DELETE", f"/api/v1/admin/grants/{own['id']}").status_code == 409


def test_rules_are_listed_edited_and_retired_by_a_park_admin(client, park, sql):
    rules = call(client, park, "admin", "GET", "/api/v1/admin/rules").get_json()
    rule = next(r for r in rules if r["code"] == "study.meeting")
    r = call(client, park, "admin", "PATCH", f"/api/v1/admin/rules/{rule['id']}", {"points": 3, "name": "参加三会一课"})
    assert r.status_code == 200 and r.get_json()["points"] == 3
    bad = call(client, park, "admin", "PATCH", f"/api/v1/admin/rules/{rule['id']}", {"cap": 1})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_cap"
    assert call(client, park, "admin_a", "PATCH", f"/api/v1/admin/rules/{rule['id']}", {"points": 9}).status_code == 403
    retired = call(client, park, "admin", "POST", f"/api/v1/admin/rules/{rule['id']}/retire")
    assert retired.status_code == 200 and retired.get_json()["active"] is False
    assert "study.meeting" not in {r["code"] for r in call(client, park, "org_a", "GET", "/api/v1/rules").get_json()}
    award = call(client, park, "org_a", "POST", "/api/v1/awards",
                 {"member_ids": [park.members_a[1].id], "rule_code": "study.meeting"})
    assert award.status_code == 409 and award.get_json()["error"]["code"] == "rule_retired"


def test_shops_are_listed_and_edited_in_scope(client, park, shop):
    shops = call(client, park, "admin", "GET", "/api/v1/admin/shops").get_json()
    assert {s["name"] for s in shops} == {"积分超市（党群服务中心）", "北辰积分小站"}
    r = call(client, park, "admin", "PATCH", f"/api/v1/admin/shops/{shop.other_shop_id}",
             {"opening_hours": "周三 14:00-17:00", "active": False})
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert call(client, park, "admin_a", "PATCH", f"/api/v1/admin/shops/{shop.shop_id}", {"name": "x"}).status_code == 403


def test_a_photo_is_checked_by_its_bytes_stored_once_and_served_for_ever(client, park, shop, app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path)
    app.extensions.pop("pm.storage", None)
    try:
        up = client.post("/api/v1/uploads/photos", data={"file": (BytesIO(PNG), "rice.png")},
                         headers=park.auth("keeper"))
        assert up.status_code == 201, up.get_json()
        photo = up.get_json()
        assert photo["content_type"] == "image/png" and photo["key"].endswith(".png")
        again = client.post("/api/v1/uploads/photos", data={"file": (BytesIO(PNG), "same.png")},
                            headers=park.auth("keeper")).get_json()
        assert again["key"] == photo["key"]
        served = client.get(photo["url"])
        assert served.status_code == 200 and served.data == PNG and served.mimetype == "image/png"
        assert "immutable" in served.headers["Cache-Control"]
        assert client.get(photo["url"], headers={"If-None-Match": served.headers["ETag"]}).status_code == 304
        webp = client.post("/api/v1/uploads/photos", data={"file": (BytesIO(WEBP), "a.webp")}, headers=park.auth("admin"))
        assert webp.status_code == 201 and webp.get_json()["content_type"] == "image/webp"

        fake = client.post("/api/v1/uploads/photos", data={"file": (BytesIO(b"<svg onload=alert(1)>"), "x.png")},
                           headers=park.auth("keeper"))
        assert fake.status_code == 415 and "JPG、PNG 或 WebP" in fake.get_json()["error"]["message"]
        app.config["PHOTO_MAX_BYTES"] = 50
        big = client.post("/api/v1/uploads/photos", data={"file": (BytesIO(PNG), "big.png")}, headers=park.auth("keeper"))
        assert big.status_code == 413 and "压缩" in big.get_json()["error"]["message"]
        member = client.post("/api/v1/uploads/photos", data={"file": (BytesIO(PNG), "m.png")},
                             headers=park.auth(park.members_a[0]))
        assert member.status_code == 403
        assert client.get("/api/v1/uploads/photos/../../etc/passwd").status_code == 404
    finally:
        app.config.pop("PHOTO_MAX_BYTES", None)
        app.config.pop("UPLOAD_DIR", None)
        app.extensions.pop("pm.storage", None)


def test_the_board_by_branch_and_by_dimension(client, park):
    r = call(client, park, "org_general", "POST", "/api/v1/awards",
             {"member_ids": [park.members_a[1].id, park.members_b[1].id, park.members_b[2].id],
              "rule_code": "service.volunteer"})
    assert r.status_code == 201
    branches = client.get(f"/api/v1/boards/branches?org_id={park.root.id}").get_json()
    assert [row["org"] for row in branches["rows"]] == ["北辰软件党支部", "星联电子党支部"]
    assert branches["rows"][0]["score"] == 10 and branches["rows"][0]["average"] == 2.0
    assert branches["rows"][0]["by_dimension"]["service"] == 10
    dims = client.get(f"/api/v1/boards/dimensions?org_id={park.root.id}").get_json()
    service = next(d for d in dims["rows"] if d["dimension"] == "service")
    assert service["score"] == 15 and len(service["top"]) == 3
    assert all("*" in t["name"] for t in service["top"])


def test_a_retired_node_takes_no_new_children_or_members(client, park):
    empty = call(client, park, "admin", "POST", "/api/v1/admin/orgs", {"name": "临时党小组", "kind": "group",
                                                                    "parent_id": park.branch_b.id}).get_json()
    assert call(client, park, "admin", "POST", f"/api/v1/admin/orgs/{empty['id']}/retire").status_code == 200
    child = call(client, park, "admin", "POST", "/api/v1/admin/orgs", {"name": "x", "kind": "group", "parent_id": empty["id"]})
    assert child.status_code == 422 and child.get_json()["error"]["code"] == "org_retired"
    member = call(client, park, "admin", "POST", "/api/v1/admin/members", {"name": "钱七", "phone": "13911112222",
                                                                        "member_type": "党员", "org_id": empty["id"]})
    assert member.status_code == 422 and "已撤销" in member.get_json()["error"]["message"]
    listed = {o["id"]: o["active"] for o in call(client, park, "admin", "GET", "/api/v1/admin/orgs").get_json()}
    assert listed[empty["id"]] is False and listed[park.branch_b.id] is True


def test_a_product_shows_only_a_photo_uploaded_here(client, park, shop, app, tmp_path):
    """An image_url at any other host would let goods pages load (and track members through) someone
    else's server: only the address of one of our own uploads is taken."""
    app.config["UPLOAD_DIR"] = str(tmp_path)
    app.extensions.pop("pm.storage", None)
    try:
        url = client.post("/api/v1/uploads/photos", data={"file": (BytesIO(PNG), "rice.png")},
                          headers=park.auth("keeper")).get_json()["url"]
        body = {"shop_id": shop.shop_id, "name": "雨伞", "points_price": 30}
        never = "/api/v1/uploads/photos/" + "0" * 64 + ".png"
        for bad in ("https://evil.example/track.png", "//evil.example/a.png", "javascript:alert(1)",
                    f"https://evil.example{url}", url + "?x=1", never, "/api/v1/uploads/photos/../../etc/passwd"):
            r = client.post("/api/v1/shop/products", json=body | {"image_url": bad}, headers=park.auth("keeper"))
            assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_image_url", (bad, r.get_json())
            assert "上传" in r.get_json()["error"]["message"]
            r = client.patch(f"/api/v1/shop/products/{shop.products['毛巾']}", json={"image_url": bad},
                             headers=park.auth("keeper"))
            assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_image_url", bad
        made = client.post("/api/v1/shop/products", json=body | {"image_url": url}, headers=park.auth("keeper"))
        assert made.status_code == 201 and made.get_json()["image_url"] == url
        cleared = client.patch(f"/api/v1/shop/products/{made.get_json()['id']}", json={"image_url": ""},
                               headers=park.auth("keeper"))
        assert cleared.status_code == 200 and cleared.get_json()["image_url"] == ""
    finally:
        app.config.pop("UPLOAD_DIR", None)
        app.extensions.pop("pm.storage", None)
