"""The edges of the contract: any input a stranger sends gets a clear 4xx and changes nothing."""
import pytest

from .helpers import make_activity, nonce

TOO_BIG = 2**31  # one past the id columns on PostgreSQL


def error(response):
    return response.status_code, response.get_json()["error"]["code"]


def test_an_id_past_the_column_is_the_entitys_own_404(client, park, shop):
    m = park.members_a[0]
    assert error(client.get("/api/v1/activities/99999999999", headers=park.auth("org_a"))) == (404, "unknown_activity")
    assert error(client.post(f"/api/v1/redemptions/{TOO_BIG}/cancel", headers=park.auth(m))) == (
        404, "unknown_redemption")
    assert error(client.post(f"/api/v1/shop/redemptions/{10**40}/fulfil", headers=park.auth("keeper"))) == (
        404, "unknown_redemption")


@pytest.mark.parametrize("where, body", [
    ("/api/v1/redemptions", {"shop_id": 1, "items": [{"product_id": TOO_BIG, "qty": 1}]}),
    ("/api/v1/redemptions", {"shop_id": TOO_BIG, "items": [{"product_id": 1, "qty": 1}]}),
])
def test_an_id_past_the_column_in_a_body_is_refused(client, park, shop, where, body, sql):
    r = client.post(where, json=body, headers=park.auth(park.members_a[0]) | {"Idempotency-Key": nonce()})
    assert error(r) == (422, "invalid_input")
    assert sql("SELECT count(*) FROM redemption") == 0


def test_ids_past_the_column_in_queries_and_lists(client, park):
    assert error(client.get(f"/api/v1/boards/points?org_id={TOO_BIG}")) == (422, "invalid_input")
    assert error(client.get(f"/api/v1/me/ledger?cursor={TOO_BIG}", headers=park.auth(park.members_a[0]))) == (
        422, "invalid_input")
    r = client.post("/api/v1/awards", json={"member_ids": [TOO_BIG], "rule_code": "study.meeting"},
                    headers=park.auth("org_a") | {"Idempotency-Key": nonce()})
    assert error(r) == (422, "invalid_input")


def test_dates_at_the_ends_of_the_calendar_are_refused(client, park):
    r = client.post("/api/v1/activities", json={
        "org_id": park.branch_a.id, "kind": "theme_day", "title": "t", "starts_at": "0001-01-01T00:00:00+00:00",
        "ends_at": "0001-01-01T02:00:00+00:00"}, headers=park.auth("org_a"))
    assert error(r) == (422, "date_out_of_range")
    assert r.get_json()["error"]["message"] == "时间应在2000年至2100年之间"
    for url in (f"/api/v1/attendance?org_id={park.branch_a.id}&from=0001-01-01&to=9999-12-31",
                f"/api/v1/reports/mall?org_id={park.root.id}&from=0001-01-01&to=9999-12-31"):
        assert error(client.get(url, headers=park.auth("admin"))) == (422, "date_out_of_range")


def test_a_nul_in_a_nonce_is_refused_and_the_attempt_is_still_stored(client, park, sql):
    a = make_activity(client, park)
    m = park.members_a[0]
    r = client.post("/api/v1/checkins", json={"payload": "x", "nonce": "abc\x00defgh"}, headers=park.auth(m))
    assert error(r) == (422, "invalid_input")
    assert sql("SELECT reason FROM scan_attempt WHERE member_id = :m", m=m.id) == "invalid_input"
    r = client.post(f"/api/v1/activities/{a['id']}/checkins", json={"member_id": m.id, "nonce": "\x00" * 10},
                    headers=park.auth("org_a"))
    assert error(r) == (422, "invalid_input")
    assert sql("SELECT count(*) FROM scan_attempt WHERE activity_id = :a AND reason = 'invalid_input'", a=a["id"]) == 1


@pytest.mark.parametrize("text", ["赵\x00六", "赵\x07六", "赵\x1b六"])
def test_control_characters_never_reach_a_name(client, park, sql, text):
    r = client.post("/api/v1/admin/members", json={"name": text, "phone": "13611112222", "member_type": "党员",
                                                   "org_id": park.branch_a.id}, headers=park.auth("admin"))
    assert error(r) == (422, "invalid_input")
    assert r.get_json()["error"]["message"] == "不能包含控制字符"
    assert sql("SELECT count(*) FROM member WHERE phone = '13611112222'") == 0


def test_minutes_keep_their_line_breaks(client, park):
    a = make_activity(client, park)
    r = client.put(f"/api/v1/activities/{a['id']}/minutes", json={"minutes": "议程：\n1. 学习\t2. 讨论"},
                   headers=park.auth("org_a"))
    assert r.status_code == 200


@pytest.mark.parametrize("body", [[1], "admin", 7, None, {"username": ["a"], "password": "x"}])
def test_a_staff_login_body_that_is_not_an_object_is_a_422(client, body):
    r = client.post("/api/v1/auth/staff-login", json=body)
    assert error(r) == (422, "invalid_input")


def test_a_fraction_or_a_boolean_is_not_a_whole_number(client, park, shop, sql):
    m = park.members_a[0]
    for qty in (1.5, True, "1"):
        r = client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id, "items": [
            {"product_id": shop.products["毛巾"], "qty": qty}]}, headers=park.auth(m) | {"Idempotency-Key": nonce()})
        assert error(r) == (422, "invalid_input"), qty
    assert sql("SELECT count(*) FROM redemption") == 0


def test_a_validation_error_says_which_field_in_chinese(client, park):
    r = client.post("/api/v1/admin/members", json={"name": "赵六", "phone": "12345", "member_type": "党员",
                                                   "org_id": park.branch_a.id}, headers=park.auth("admin"))
    assert r.status_code == 422
    body = r.get_json()["error"]
    assert (body["code"], body["message"]) == ("invalid_phone", "手机号格式不正确")
    assert body["details"]["fields"]["json"]["phone"] == ["手机号格式不正确"]


@pytest.mark.parametrize("method, url", [
    ("get", "/api/v1/admin/members"), ("get", "/api/v1/admin/orgs"), ("get", "/api/v1/awards/pending"),
    ("post", "/api/v1/admin/members"), ("post", "/api/v1/admin/rules"), ("get", "/api/v1/reports/mall"),
    ("get", "/api/v1/admin/outbox"),
])
def test_a_member_or_a_keeper_is_refused_before_anything_is_read(client, park, shop, method, url):
    for who in (park.members_a[0], "keeper"):
        # whatever the body or query, the answer is the same 403
        for body in (None, {}, [1], {"org_id": TOO_BIG}):
            r = getattr(client, method)(url, json=body, headers=park.auth(who))
            assert error(r) == (403, "forbidden"), (who, body)
    assert error(getattr(client, method)(url, json={})) == (401, "unauthorized")


def test_a_wrong_method_keeps_its_allow_header(client):
    r = client.delete("/api/v1/auth/staff-login")
    assert error(r) == (405, "method_not_allowed")
    assert "POST" in r.headers["Allow"]


def test_every_code_raised_is_in_the_catalogue():
    import ast
    import pathlib

    from points_mall.errors import CATALOGUE

    raised = set()
    for path in pathlib.Path("points_mall").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if (node.func.id in ("DomainError", "NotFound", "Forbidden", "Conflict", "refusal", "committed", "Invalid")
                    and node.args and isinstance(node.args[0], ast.Constant)):
                raised.add(node.args[0].value)
                # the message and status come from the catalogue, never from the raise site
                assert len(node.args) == 1 or node.func.id == "committed", (str(path), node.lineno)
            if node.func.id == "Pattern" and len(node.args) == 2 and isinstance(node.args[1], ast.Constant):
                raised.add(node.args[1].value)  # a schema's pattern refused with its code
    assert raised - set(CATALOGUE) == set()


def test_a_patch_with_nothing_to_change_is_refused(client, park, shop):
    r = client.patch(f"/api/v1/shop/products/{shop.products['毛巾']}", headers=park.auth("keeper"))
    assert r.status_code == 422


def test_one_name_per_idea_with_the_old_names_still_accepted(client, park, shop, sql):
    url = f"/api/v1/shop/products/{shop.products['毛巾']}/stock"
    new = client.post(url, json={"delta": 5, "kind": "purchase", "unit_cost": 6.5, "funding_org_id": park.root.id},
                      headers=park.auth("keeper")).get_json()
    old = client.post(url, json={"delta": 5, "kind": "purchase", "unit_cost": 6.5, "funding_source": park.root.id},
                      headers=park.auth("keeper")).get_json()
    assert new["funding_org_id"] == old["funding_org_id"] == park.root.id
    assert new["delta"] == 5 and new["unit_cost"] == 6.5  # a number, not "6.50"
    order = client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id, "items": [
        {"product_id": shop.products["毛巾"], "qty": 2}]}, headers=park.auth(park.members_a[0]) | {
        "Idempotency-Key": nonce()}).get_json()
    assert order["lines"][0]["qty"] == 2
    doc = client.get("/openapi.json").get_json()
    assert doc["components"]["schemas"]["StockIn"]["properties"]["unit_cost"]["minimum"] == 0
    assert doc["components"]["schemas"]["StockIn"]["properties"]["funding_source"]["deprecated"] is True
    assert "/api/v1/redemptions/{redemption_id}" in doc["paths"]


def test_an_idempotency_key_too_long_says_so(client, park, shop):
    r = client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id, "items": [
        {"product_id": shop.products["毛巾"], "qty": 1}]}, headers=park.auth(park.members_a[0]) | {
        "Idempotency-Key": "k" * 101})
    assert error(r) == (400, "idempotency_key_too_long")


def test_an_award_key_reused_for_another_award_is_refused(client, park, sql):
    key = {"Idempotency-Key": nonce()}
    a, b = park.members_a[0].id, park.members_a[1].id
    first = client.post("/api/v1/awards", json={"member_ids": [a], "rule_code": "study.meeting"},
                        headers=park.auth("org_a") | key)
    again = client.post("/api/v1/awards", json={"member_ids": [a], "rule_code": "study.meeting"},
                        headers=park.auth("org_a") | key)
    other = client.post("/api/v1/awards", json={"member_ids": [a, b], "rule_code": "study.meeting"},
                        headers=park.auth("org_a") | key)
    assert first.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]
    assert error(other) == (409, "idempotency_key_reused")
    assert sql("SELECT count(*) FROM award") == 1


def test_a_control_character_stored_before_the_fix_does_not_break_an_export(client, park, shop, sql):
    sql("UPDATE product SET name = :n WHERE id = :p", n="毛\x07巾", p=shop.products["毛巾"])
    sql("UPDATE member SET name = :n WHERE id = :m", n="赵\x1b六", m=park.members_a[0].id)
    r = client.get(f"/api/v1/reports/stock?shop_id={shop.shop_id}&format=xlsx", headers=park.auth("keeper"))
    assert r.status_code == 200 and r.data[:2] == b"PK"
    from openpyxl import load_workbook
    from io import BytesIO
    cells = {v for ws in load_workbook(BytesIO(r.data)) for row in ws.iter_rows(values_only=True) for v in row}
    assert "毛巾" in cells


def test_a_query_parameter_the_document_does_not_know_is_refused(client):
    r = client.get("/api/v1/boards/points?org=1")
    assert error(r) == (422, "invalid_input")
    assert r.get_json()["error"]["message"] == "不认识的字段：org，请检查名称"


def test_every_message_in_the_catalogue_is_said_once():
    from collections import Counter

    from points_mall.errors import CATALOGUE

    said = Counter(message for _status, message in CATALOGUE.values())
    assert [m for m, n in said.items() if n > 1] == []
