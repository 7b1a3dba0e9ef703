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
