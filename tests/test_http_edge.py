"""The HTTP edge: what any client, logged in or not, can send before a service sees it, and the headers
every answer carries."""
import json
from io import BytesIO

import pytest

MB = 1024 * 1024


def error(response):
    return response.status_code, response.get_json()["error"]["code"]


# --- body size ----------------------------------------------------------------------------------------

def test_a_json_body_of_a_few_mb_is_refused_before_it_is_read(client):
    body = json.dumps({"code": "dev:x" + "x" * (3 * MB)})
    r = client.post("/api/v1/auth/wechat-login", data=body, content_type="application/json")
    assert error(r) == (413, "too_large")
    assert r.get_json()["error"]["message"] == "提交的内容过大，请删减内容或压缩图片后重试"


def test_a_declared_300_mb_body_is_refused_without_reading_it(client):
    """The client says 300 MB and sends a trickle: the answer comes from the length alone."""
    r = client.post("/api/v1/auth/wechat-login", data=b'{"code": "dev:x"}', content_type="application/json",
                    environ_overrides={"CONTENT_LENGTH": str(300 * MB)})
    assert error(r) == (413, "too_large")


def test_a_workbook_larger_than_a_json_body_still_reaches_the_import(client, park):
    content = b"PK" + b"\0" * (3 * MB)  # not a workbook: the import reads it and says so
    r = client.post("/api/v1/admin/members/import/check", data={"file": (BytesIO(content), "m.xlsx")},
                    headers=park.auth("admin"))
    assert error(r) == (422, "invalid_file")


def test_a_photo_over_its_limit_is_refused_by_the_photo_rule(client, park):
    r = client.post("/api/v1/uploads/photos", data={"file": (BytesIO(b"\x89PNG" + b"\0" * (3 * MB)), "a.png")},
                    headers=park.auth("admin"))
    assert error(r) == (413, "photo_too_large")


def test_an_upload_past_the_upload_limit_is_refused(client, park):
    content = b"PK" + b"\0" * (9 * MB)
    r = client.post("/api/v1/admin/members/import/check", data={"file": (BytesIO(content), "m.xlsx")},
                    headers=park.auth("admin"))
    assert error(r) == (413, "too_large")


# --- JSON bodies that parse but would break an endpoint --------------------------------------------------

SURROGATE = '"\\ud800"'  # the JSON text of a lone UTF-16 surrogate


@pytest.mark.parametrize("path, body", [
    ("/api/v1/auth/staff-login", '{"username": %s, "password": "x"}' % SURROGATE),
    ("/api/v1/auth/staff-login", '{"username": "admin", "password": %s}' % SURROGATE),
    ("/api/v1/auth/wechat-login", '{"code": "dev:a%s"}' % SURROGATE[1:-1]),
    ("/api/v1/auth/staff-login", '{%s: "x", "username": "admin", "password": "x"}' % SURROGATE),
])
def test_a_lone_surrogate_is_refused_at_the_edge(client, park, path, body):
    r = client.post(path, data=body, content_type="application/json")
    assert error(r) == (422, "invalid_input")
    assert r.get_json()["error"]["message"] == "文字中有无法识别的字符，请删除后重试"


def test_a_lone_surrogate_is_refused_on_a_logged_in_endpoint_and_nothing_is_written(client, park, sql):
    r = client.post("/api/v1/admin/orgs", data='{"name": "支部\\udfff", "kind": "branch", "parent_id": %d}'
                    % park.root.id, content_type="application/json", headers=park.auth("admin"))
    assert error(r) == (422, "invalid_input")
    assert sql("SELECT count(*) FROM org WHERE name LIKE '支部%'") == 0


def test_a_surrogate_pair_is_an_ordinary_character(client, park):
    r = client.post("/api/v1/auth/staff-login", data='{"username": "\\ud83d\\ude00", "password": "x"}',
                    content_type="application/json")
    assert error(r) == (401, "bad_credentials")


@pytest.mark.parametrize("path", ["/api/v1/auth/staff-login", "/api/v1/auth/wechat-login", "/api/v1/checkins"])
@pytest.mark.parametrize("body", [
    "[" * 100000 + "]" * 100000,
    '{"code": %s"x"%s}' % ("[" * 40, "]" * 40),
    '{"username": "a", "password": "b", "code": %s}' % ("9" * 5000),
    '{"username": "a", "password": "b", "code": -%s}' % ("9" * 4301),
], ids=["deep-100000", "deep-40", "digits-5000", "digits-4301"])
def test_deep_bodies_and_huge_numbers_are_refused_on_every_json_endpoint(client, park, path, body):
    r = client.post(path, data=body, content_type="application/json", headers=park.auth(park.members_a[0]))
    assert error(r) == (422, "invalid_input")


def test_ordinary_nesting_and_long_numbers_pass_the_edge(client, park):
    r = client.post("/api/v1/auth/staff-login", data='{"username": "a", "password": %s}' % ("9" * 4000),
                    content_type="application/json")
    assert error(r) == (422, "invalid_input")  # the schema's own answer: a password is text
    assert r.get_json()["error"]["details"]["fields"]["json"]["password"]


def test_a_body_that_is_not_json_is_still_a_bad_request(client):
    r = client.post("/api/v1/auth/staff-login", data='{"username": ', content_type="application/json")
    assert error(r) == (400, "bad_request")


# --- paging -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/activities", "/api/v1/admin/members", "/api/v1/declarations",
                                  "/api/v1/archive/members", "/api/v1/appeals", "/api/v1/publicities"])
def test_a_page_past_the_documented_maximum_is_refused(client, park, path):
    spec = client.get("/openapi.json").get_json()
    page = next(p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "page")
    maximum = page["schema"]["maximum"]
    assert client.get(f"{path}?page={maximum}", headers=park.auth("admin")).status_code == 200
    for number in (maximum + 1, 10**30):
        r = client.get(f"{path}?page={number}", headers=park.auth("admin"))
        assert error(r) == (422, "invalid_input")
        assert r.get_json()["error"]["details"]["fields"]["query"]["page"]


def test_every_page_parameter_in_the_document_has_a_maximum(client):
    spec = client.get("/openapi.json").get_json()
    pages = [(path, p) for path, ops in spec["paths"].items() for op in ops.values() if isinstance(op, dict)
             for p in op.get("parameters", []) if p.get("name") == "page"]
    assert len(pages) >= 5
    assert all("maximum" in p["schema"] for _, p in pages), [path for path, p in pages if "maximum" not in p["schema"]]


# --- tokens -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, sub", [("staff", "admin"), ("member", "1e3"), ("member", "99999999999"),
                                       ("staff", "-1"), ("member", "١٢"), ("staff", "0")])
def test_a_signed_token_whose_subject_is_not_an_id_is_refused(app, client, park, kind, sub):
    from points_mall.accounts.auth import issue_token

    with app.app_context():
        token = issue_token(kind, sub, 600)
    headers = {"Authorization": f"Bearer {token}"}
    for path in ("/api/v1/me", "/api/v1/auth/session", "/api/v1/activities"):
        assert error(client.get(path, headers=headers)) == (401, "invalid_token"), path


# --- headers ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/console/", "/m/", "/docs", "/board", "/openapi.json", "/api/v1/me",
                                  "/api/v1/boards/points", "/healthz", "/no-such-page"])
def test_every_answer_carries_the_security_headers(client, path):
    r = client.get(path)
    csp = dict(part.strip().split(" ", 1) for part in r.headers["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'"
    assert csp["script-src"].split()[0] == "'self'" and "'unsafe-inline'" not in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert r.headers["X-Frame-Options"] == "DENY"


def test_the_docs_page_may_run_its_own_inline_script_and_no_other(client):
    import base64
    import hashlib
    import re

    r = client.get("/docs")
    inline = re.findall(rb"<script>(.*?)</script>", r.data, re.S)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0]).digest()).decode()
    script_src = next(p for p in r.headers["Content-Security-Policy"].split(";") if p.strip().startswith("script-src"))
    assert script_src.split()[1:] == ["'self'", f"'sha256-{digest}'"]
    assert "sha256" not in client.get("/").headers["Content-Security-Policy"]
