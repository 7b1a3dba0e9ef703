"""One JSON envelope for every error answer: {"error": {code, message, details}}, its OpenAPI schema and
the handlers that turn a DomainError, an HTTP error or a bug into it."""
import logging
import time

from flask import current_app, jsonify
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from points_mall.errors import DomainError, codes

log = logging.getLogger(__name__)

# The code an HTTP error answers with when nothing more particular is known.
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
              409: "conflict", 413: "too_large:request", 415: "unsupported_media_type", 422: "invalid_input",
              429: "rate_limited"}
LOCATIONS = ("json", "query", "files", "form", "headers")


class ErrorDetail(Schema):
    code = fields.String(required=True, metadata={"enum": codes(), "description": "机器可读的错误码"})
    message = fields.String(required=True, metadata={"description": "给用户看的中文说明"})
    details = fields.Dict(required=True)


class ErrorEnvelope(Schema):
    """Every error answer: {"error": {"code", "message", "details"}}."""

    error = fields.Nested(ErrorDetail, required=True)


def _answer(error: DomainError):
    response = jsonify({"error": {"code": error.code, "message": error.message, "details": error.details}})
    response.status_code = error.status
    return response


def _http_error(e: HTTPException):
    status = e.code or 500
    error = DomainError(HTTP_CODES.get(status, "http_error"), status=status)
    data = getattr(e, "data", None) or {}
    if "messages" in data:  # webargs/marshmallow validation errors
        error.details = {"fields": data["messages"]}
        first = _first_message(data["messages"])
        if first:
            error.message = first
            error.code = getattr(first, "code", error.code)  # a schema's refusal naming its code (errors.Invalid)
    if status == 429:
        error.details = {"limit": str(e.description)}
    response = _answer(error)
    if status == 429:
        retry_after = _retry_after()
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
    for name, value in e.get_headers():  # 405 keeps its Allow header
        if name.lower() != "content-type":
            response.headers[name] = value
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response


def _retry_after() -> int | None:
    """Seconds until the limit that refused this request resets: asked of the limiter's storage only
    on a refusal, since the X-RateLimit-* headers are off (a Redis round trip per answer)."""
    try:
        limiter = next(iter(current_app.extensions["limiter"]))  # the app's one Limiter (extensions.limiter)
        current = limiter.current_limit
        return max(1, int(current.reset_at - time.time())) if current is not None else None
    except Exception:  # noqa: BLE001 - a missing hint must not turn a 429 into a 500
        return None


def _first_message(messages, field: str = "") -> str | None:
    """The first field's first message, so a form with one mistake says which (手机号格式不正确)."""
    if isinstance(messages, dict) and messages:
        name, inner = next(iter(messages.items()))
        return _first_message(inner, name if name not in LOCATIONS else field)
    if isinstance(messages, list) and messages:
        return _first_message(messages[0], field)
    if not isinstance(messages, str) or messages.isascii():
        return None
    named = {"必填": "缺少必填项：{}", "不认识的字段，请检查名称": "不认识的字段：{}，请检查名称"}
    return named[messages].format(field) if messages in named and field and field != "_schema" else messages


def _unexpected(e: Exception):
    log.exception("unexpected error")
    return _answer(DomainError("internal_error"))


def register_error_handlers(app):
    app.register_error_handler(DomainError, _answer)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
