"""Fuzz every operation of /openapi.json on PostgreSQL and Redis, as every kind of caller.

For each operation schemathesis generates valid and invalid requests from the document; each is
sent without a token and with the token of a member, an organizer, a keeper and an admin. An
answer fails the stage when it is a 5xx, does not match the documented schema, status or
headers, accepts input the document forbids, or refuses with a field error (invalid_input)
input the document allows. FUZZ_EXAMPLES sets how many generated requests per operation and role.

`make test` runs the document's examples and the generated requests; `make fuzz` adds schemathesis's
coverage phase (FUZZ_COVERAGE=1: every boundary value, every invalid type and every undeclared method of
every operation), which takes several times as long as the rest of the suite, and more examples.
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks as builtin
from schemathesis.specs.openapi import checks as openapi_checks
from schemathesis.core.failures import Failure

from points_mall import create_app
from points_mall.config import TestConfig

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))

schema = schemathesis.openapi.from_wsgi("/openapi.json", create_app(TestConfig))
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
