"""JSON bodies as they arrive: one loader refuses, with invalid_input, what parses but would break
later — a lone UTF-16 surrogate ("\\ud800", which PostgreSQL cannot store), nesting deeper than any
request of the API, a number past Python's 4,300 digits — so no endpoint answers 500 for it.

Every JSON request passes it before its view (the app's JSON provider, called by a before-request
check); a body that is simply not JSON is left to the schema, which answers bad_request as before."""
import json
import re

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

from points_mall.errors import DomainError

MAX_DEPTH = 32  # far deeper than any body of the API ({"items": [{...}]} is 3)
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(text: str | bytes):
    """json.loads, refusing what would break an endpoint later (see the module)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")  # a UnicodeDecodeError is a ValueError: not JSON
    try:
        value = json.loads(text)
    except json.JSONDecodeError:  # not JSON at all: the caller answers as it always did
        raise
    except RecursionError:
        raise DomainError("invalid_input:depth", details={"max_depth": MAX_DEPTH})
    except ValueError:  # an integer past sys.get_int_max_str_digits()
        raise DomainError("invalid_input:number")
    deep = text.count("[") + text.count("{") > MAX_DEPTH
    if deep or _ESCAPED_SURROGATE.search(text):
        _check(value)
    return value


def _check(value) -> None:
    """Walk the value without recursion: depth within MAX_DEPTH, no string with a lone surrogate."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise DomainError("invalid_input:depth", details={"max_depth": MAX_DEPTH})
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, inner in pairs:
                if isinstance(key, str) and _SURROGATE.search(key):
                    raise DomainError("invalid_input:text")
                stack.append((inner, depth + 1))
        elif isinstance(item, str) and _SURROGATE.search(item):
            raise DomainError("invalid_input:text")


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, loading through `loads` (request.get_json)."""

    def loads(self, s, **kwargs):
        return loads(s)


def check_body() -> None:
    """Before any view or limit reads it, a JSON body passes `loads` (Flask keeps the result for
    get_json; the schemas read the same bytes, which are then known to be safe)."""
    if request.is_json and request.get_data(cache=True):  # a body past MAX_CONTENT_LENGTH: 413, unread
        try:
            request.get_json()
        except BadRequest:  # not JSON at all: the schema says so, as it always did
            pass


def init_app(app: Flask) -> None:
    app.json = JSONProvider(app)
    app.before_request(check_body)
