"""Fuzz every operation of /openapi.json on PostgreSQL and Redis, as every kind of caller.

For each operation schemathesis generates valid and invalid requests from the document; each is
sent without a token and with the token of a member, an organizer, a keeper and an admin. An
answer fails the stage when it is a 5xx, does not match the documented schema, status or
headers, accepts input the document forbids, or refuses with a field error (invalid_input)
input the document allows. FUZZ_EXAMPLES sets how many generated requests per operation and role.

Two more stages look for what generated valid-looking input misses:
- flows: schemathesis's state machine follows the document's links (activity → code → check-in, product →
  redemption → fulfil, award → approve, and the links it infers from the schemas), each step sent as the
  role its operation is for, so a later request works on what an earlier one made;
- edge values: a valid request with one value replaced by what breaks parsers and drivers (a lone UTF-16
  surrogate, NUL, right-to-left marks, 4-byte characters, 100,000 characters, integers of 5,000 digits, JSON
  nested 100,000 deep); the answer must be a 4xx with the error envelope, never a 5xx.
FUZZ_STEPS sets the flows' runs, FUZZ_EDGE_EXAMPLES the edge values per operation.

`make test` runs the document's examples and the generated requests; `make fuzz` adds schemathesis's
coverage phase (FUZZ_COVERAGE=1: every boundary value, every invalid type and every undeclared method of
every operation), which takes several times as long as the rest of the suite, and more examples.
"""
import inspect
import json
import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings, strategies as st
from schemathesis.generation import GenerationMode
from schemathesis import checks as builtin
from schemathesis.specs.openapi import checks as openapi_checks
from schemathesis.core.failures import Failure

from points_mall import create_app
from points_mall.config import TestConfig

from .conftest import SNAPSHOTS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
STEPS = int(os.environ.get("FUZZ_STEPS", "15"))
EDGE_EXAMPLES = int(os.environ.get("FUZZ_EDGE_EXAMPLES", "2"))

APP = create_app(TestConfig)
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)
if not os.environ.get("FUZZ_COVERAGE"):
    schema.config.phases.update(phases=["examples", "fuzzing"])


class SchemaLie(Failure):
    """The document allowed the input, yet a field validator refused it."""


def no_field_error_on_valid_input(ctx, response, case):
    """Valid input per the document may be refused by a rule of the domain (400/403/404/409, or a 422
    with the rule's own code), never by a field check the document does not declare."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 422:
        return None
    body = response.json()
    if body["error"]["code"] == "invalid_input":
        raise SchemaLie(operation=case.operation.label, title="Valid data refused by a field check",
                        message=f"the document allows it, the service said: {body['error']}")
    return None


CHECKS = [builtin.not_a_server_error, openapi_checks.status_code_conformance,
          openapi_checks.content_type_conformance, openapi_checks.response_schema_conformance,
          openapi_checks.response_headers_conformance, openapi_checks.negative_data_rejection,
          no_field_error_on_valid_input]


@pytest.fixture
def callers(park, shop):
    """Without a token, and as each role."""
    return {"anonymous": {}, "member": park.auth(park.members_a[0]), "organizer": park.auth("org_a"),
            "keeper": park.auth("keeper"), "admin": park.auth("admin")}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_input_breaks_the_contract(case, callers):
    for who, headers in callers.items():
        merged = {**(case.headers or {}), **headers}
        if "Idempotency-Key" in merged and not merged["Idempotency-Key"]:
            merged.pop("Idempotency-Key")
        case.call_and_validate(headers=merged, checks=CHECKS)


# --- flows: the state machine over the document's links ----------------------------------------------------

ROLE_CALLER = {"member": "member", "organizer": "organizer", "shopkeeper": "keeper", "admin": "admin",
               None: "organizer"}


def role_of_each_operation(app) -> dict:
    """(METHOD, path) → the role its guard asks for ("member" for members' own endpoints, None for any
    logged-in caller), read from the decorators of security.py around each view."""
    roles = {}
    for rule in app.url_map.iter_rules():
        view, role = app.view_functions[rule.endpoint], None
        while view is not None:
            owner = view.__code__.co_qualname.split(".")[0]  # wraps() copies __qualname__, not the code's
            if owner == "members_only":
                role = "member"
            elif owner == "requires":
                role = inspect.getclosurevars(view).nonlocals.get("role")
            view = getattr(view, "__wrapped__", None)
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        roles |= {(method, path): role for method in rule.methods}
    return roles


ROLES = role_of_each_operation(APP)
linked = schemathesis.openapi.from_wsgi("/openapi.json", APP)  # all phases: the stateful one among them
linked.config.generation.update(modes=[GenerationMode.POSITIVE])  # refused input is the other stages' work


def _ids(value):
    """The whole numbers in a JSON value (an answer's ids, or a body's)."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        yield value
    elif isinstance(value, dict):
        for child in value.values():
            yield from _ids(child)
    elif isinstance(value, list):
        for child in value:
            yield from _ids(child)


def park_records(park, shop) -> dict:
    """What a generated id is steered to, so a flow's first step acts on the park rather than on nothing."""
    return {"org_id": park.branch_a.id, "shop_id": shop.shop_id, "member_id": park.members_a[0].id,
            "member_ids": [park.members_a[0].id], "rule_code": "performance.pioneer",
            "product_id": next(iter(shop.products.values()))}


FLOW_CHECKS = [builtin.not_a_server_error, openapi_checks.status_code_conformance,
               openapi_checks.content_type_conformance, openapi_checks.response_schema_conformance]


def test_flows_through_the_documents_links(app, callers, park, shop):
    """Steps chained by the links, each as the caller its operation is for; no step may answer 5xx or
    an answer the document does not describe. Every run starts from the same park and shop (database and
    Redis), so a run replayed by hypothesis meets the same answers."""
    records = park_records(park, shop)

    class Flows(linked.as_state_machine()):
        def setup(self):
            self.made = set()  # ids the answers so far gave: a link may have put one in this body
            with app.app_context():
                SNAPSHOTS.restore("shop")

        def before_call(self, case):
            if isinstance(case.body, dict):
                for name, value in records.items():
                    if name in case.body and case.body[name] != value and not self.made & set(_ids(case.body[name])):
                        case.body[name] = value

        def after_call(self, response, case):
            if response.headers.get("Content-Type", "").startswith("application/json"):
                self.made |= set(_ids(response.json()))

        def get_call_kwargs(self, case):
            who = ROLE_CALLER[ROLES.get((case.method.upper(), case.path))]
            return {"headers": {**(case.headers or {}), **callers[who]}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=FLOW_CHECKS, transport_kwargs=kwargs)

    Flows.run(settings=settings(max_examples=STEPS, stateful_step_count=6, deadline=None, derandomize=True,
                                database=None, suppress_health_check=list(HealthCheck)))


# --- edge values: one value of a valid request replaced by what breaks parsers and drivers -----------------

EDGE_TEXT = ["\ud800", "a\udfffb", "\x00", "x\x00y", "\u202e\u200fRTL\u2066", "\U0001f600\U00020000",
             "\ufeff", "\u0085\u2028", "长" * 100_000]
HUGE_DIGITS = ["9" * 5000, "-" + "9" * 5000, str(2**63), str(2**31), "1e400", "-0"]
DEEP = 100_000
_SLOT = "\x00edge-slot\x00"  # where the raw JSON text goes in a dumped body


def _leaves(value, path=()):
    """Every (path, value) of a JSON document, the containers themselves included."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaves(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _leaves(child, (*path, index))


def _replaced(document, path, new):
    if not path:
        return new
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


def _spots(case) -> list:
    """Where a value can be replaced: each query parameter, and each value of a JSON body (itself included)."""
    spots = [("query", (name,)) for name in case.query or {}]
    if case.media_type == "application/json" and isinstance(case.body, (dict, list)):
        spots += [("body", path) for path, _value in _leaves(case.body)]
    return spots


@st.composite
def edge_requests(draw, case, spots):
    """(query, raw JSON body or None, what was replaced): the case with one value at the edge."""
    query, body = dict(case.query or {}), case.body
    json_body = case.media_type == "application/json" and isinstance(body, (dict, list))
    where, path = draw(st.sampled_from(spots))
    if where == "query":
        edge = draw(st.sampled_from([t for t in EDGE_TEXT if "\ud800" not in t and "\udfff" not in t] + HUGE_DIGITS))
        return {**query, path[0]: edge}, json.dumps(body) if json_body else None, f"query {path[0]}={edge[:20]!r}"
    kind = draw(st.sampled_from(["text", "number", "deep"]))
    if kind == "text":
        edge = draw(st.sampled_from(EDGE_TEXT))
        raw = json.dumps(_replaced(body, path, edge))  # ASCII-escaped: a lone surrogate travels as \ud800
        return query, raw, f"body {list(path)} = {edge[:20]!r}"
    edge = draw(st.sampled_from(HUGE_DIGITS)) if kind == "number" else "[" * DEEP + "]" * DEEP
    raw = json.dumps(_replaced(body, path, _SLOT)).replace(json.dumps(_SLOT), edge)
    return query, raw, f"body {list(path)} = {kind} {edge[:20]}"


positive = schemathesis.openapi.from_wsgi("/openapi.json", APP)
positive.config.phases.update(phases=["fuzzing"])
positive.config.generation.update(modes=[GenerationMode.POSITIVE])


@positive.parametrize()
@positive.given(data=st.data())
@settings(max_examples=EDGE_EXAMPLES, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
          suppress_health_check=list(HealthCheck))  # the edge value is the finding: nothing to shrink
def test_edge_values_are_refused_clearly(case, data, callers):
    """Sent as the caller the operation is for, so the value reaches the parsing and the database."""
    spots = _spots(case)
    if not spots:
        return
    query, raw, what = data.draw(edge_requests(case, spots))
    who = ROLE_CALLER[ROLES.get((case.method.upper(), case.path))]  # the caller who gets past the guard
    response = APP.test_client().open(
        case.formatted_path, method=case.method, query_string=query, headers={**(case.headers or {}), **callers[who]},
        data=raw, content_type="application/json" if raw is not None else None)
    label = f"{case.method} {case.path} as {who}, {what}"
    assert response.status_code < 500, f"{label}: {response.status_code} {response.get_data(as_text=True)[:200]}"
    if response.status_code >= 400:
        assert response.get_json()["error"]["code"], label
