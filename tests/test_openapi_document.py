"""/openapi.json tells the truth: what a client generated from it, or a tool reading it, is told is what the
service does (who must log in, what it refuses, which headers it reads, which dates it takes)."""
import inspect
import re

import pytest
from marshmallow import ValidationError

from points_mall.common.fields import Day, Moment
from points_mall.common.tx import MAX_KEY

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/openapi.json").get_json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def deref(document, node):
    """node with its $ref followed (one level at a time)."""
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].split("/")[1:]:
            target = target[part]
        node = target
    return node


def input_fields(document, node, seen=None):
    """Every property schema reachable from a request schema."""
    seen = set() if seen is None else seen
    if isinstance(node, dict) and "$ref" in node:
        if node["$ref"] in seen:
            return
        seen.add(node["$ref"])
        node = deref(document, node)
    if not isinstance(node, dict):
        return
    yield node
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield from input_fields(document, node[key], seen)
    for child in (node.get("properties") or {}).values():
        yield from input_fields(document, child, seen)
    for key in ("allOf", "anyOf", "oneOf"):
        for child in node.get(key, []):
            yield from input_fields(document, child, seen)


def request_schemas(document, operation):
    for parameter in operation.get("parameters", []):
        yield deref(document, parameter).get("schema", {})
    body = operation.get("requestBody")
    if body:
        for media in body["content"].values():
            yield media.get("schema", {})


def test_every_authenticated_operation_lists_401_and_403(document):
    secured = [(p, m, o) for p, m, o in operations(document) if o.get("security")]
    assert len(secured) > 100
    for path, method, operation in secured:
        assert {"401", "403"} <= set(operation["responses"]), f"{method} {path}"


def test_an_operation_that_refuses_a_stranger_says_it_needs_a_token(document, client):
    """Called without a token, every operation that answers 401 declares its security, and every operation
    that declares it answers 401."""
    for path, method, operation in operations(document):
        if not path.startswith("/api/"):
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        body = {"name": "张三", "phone": "13800000000"} if path == "/api/v1/auth/bind" else {}  # read before the token
        response = client.open(url, method=method.upper(), json=body if method != "get" else None)
        if operation.get("security"):
            assert response.status_code == 401, f"{method} {path}: {response.status_code}"
        else:
            assert response.status_code != 401, f"{method} {path} refuses strangers but declares no security"


def test_every_operation_with_a_body_lists_413(document):
    for path, method, operation in operations(document):
        if path.startswith("/api/") and "requestBody" in operation:
            assert "413" in operation["responses"], f"{method} {path}"


def test_every_operation_with_an_id_in_its_path_lists_404(document):
    for path, method, operation in operations(document):
        if path.startswith("/api/") and "{" in path:
            assert "404" in operation["responses"], f"{method} {path}"


def test_every_operation_reading_idempotency_key_declares_it(app, document):
    """The header is documented, with the length the service keeps, wherever a view reads it; and the
    refusals it brings (400 missing or too long, 409 reused) are listed."""
    readers = set()
    for rule in app.url_map.iter_rules():
        view = inspect.unwrap(app.view_functions[rule.endpoint])
        if "Idempotency-Key" in inspect.getsource(view):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            readers |= {(path, m.lower()) for m in rule.methods if m.lower() in METHODS}
    assert {("/api/v1/redemptions", "post"), ("/api/v1/awards", "post"),
            ("/api/v1/admin/late-corrections", "post")} <= readers
    declared = {(p, m) for p, m, o in operations(document)
                if any(deref(document, x)["name"] == "Idempotency-Key" for x in o.get("parameters", []))}
    assert declared == readers
    for path, method in readers:
        operation = document["paths"][path][method]
        header = next(x for x in operation["parameters"] if x["name"] == "Idempotency-Key")
        assert header["in"] == "header" and header["schema"]["maxLength"] == MAX_KEY
        assert {"400", "409"} <= set(operation["responses"]), f"{method} {path}"


def test_a_body_with_required_fields_is_a_required_body(document):
    for path, method, operation in operations(document):
        body = operation.get("requestBody")
        if not body:
            continue
        for media in body["content"].values():
            if deref(document, media.get("schema", {})).get("required"):
                assert body.get("required"), f"{method} {path}"


def test_every_date_a_client_sends_states_its_bounds(document):
    """A date or time in a request says 2000–2100 in a form validators read: a pattern on the year and
    formatMinimum/formatMaximum (ajv-formats)."""
    dated = 0
    for path, method, operation in operations(document):
        for schema in request_schemas(document, operation):
            for field in input_fields(document, schema):
                if field.get("format") in ("date", "date-time"):
                    dated += 1
                    assert field.get("pattern") and field.get("formatMinimum") and field.get("formatMaximum"), (
                        f"{method} {path}: {field}")
    assert dated > 10


@pytest.mark.parametrize("field, inside, outside", [
    (Day(), ["2000-01-01", "2100-12-31"], ["1999-12-31", "2101-01-01"]),
    (Moment(), ["2000-01-01T00:00:00+08:00", "2100-12-31T23:59:59-05:00"],
     ["1999-12-31T23:59:59Z", "2101-01-01T00:00:00+14:00"]),
])
def test_the_documented_date_pattern_is_what_the_field_takes(field, inside, outside):
    pattern = re.compile(field.metadata["pattern"])
    for value in inside:
        assert pattern.search(value)
        field.deserialize(value)
    for value in outside:
        assert not pattern.search(value)
        with pytest.raises(ValidationError):
            field.deserialize(value)
