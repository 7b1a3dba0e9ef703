"""The public contract: OpenAPI document, docs, and one error envelope for everything."""


def test_the_openapi_document_lists_the_contract(client):
    spec = client.get("/openapi.json").get_json()
    for path in ("/api/v1/auth/wechat-login", "/api/v1/auth/bind", "/api/v1/auth/staff-login", "/api/v1/me",
                 "/api/v1/me/ledger", "/api/v1/awards", "/api/v1/admin/orgs", "/api/v1/admin/members",
                 "/api/v1/admin/members/import", "/api/v1/admin/grants", "/api/v1/admin/rules",
                 "/api/v1/activities", "/api/v1/checkins", "/api/v1/redemptions", "/api/v1/shop/redemptions/lookup",
                 "/api/v1/reports/mall", "/api/v1/boards/points", "/api/v1/me/messages", "/api/v1/admin/outbox"):
        assert path in spec["paths"], path
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_the_docs_page_is_served(client):
    r = client.get("/docs")
    assert r.status_code == 200 and b"swagger" in r.data.lower()


def test_unknown_paths_and_wrong_methods_get_the_envelope(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.get_json()["error"] == {"code": "not_found", "message": "未找到", "details": {}}
    wrong = client.delete("/api/v1/auth/staff-login")
    assert wrong.status_code == 405 and wrong.get_json()["error"]["code"] == "method_not_allowed"


def test_malformed_json_is_a_clear_4xx(client, park):
    r = client.post("/api/v1/awards", data="{not json", content_type="application/json", headers=park.auth("org_a"))
    assert 400 <= r.status_code < 500
    assert r.get_json()["error"]["message"]


def test_wrong_types_are_reported_per_field(client, park):
    r = client.post("/api/v1/awards", json={"member_ids": "all", "rule_code": 5}, headers=park.auth("org_a"))
    assert r.status_code == 422
    fields = r.get_json()["error"]["details"]["fields"]["json"]
    assert set(fields) == {"member_ids", "rule_code"}


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
