"""One JSON error envelope for every error: {"error": {code, message, details}}."""
import logging

from flask import jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain said no; carries a machine code and a Chinese message."""

    status = 400

    def __init__(self, code: str, message: str, status: int | None = None, details: dict | None = None):
        super().__init__(code)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.details = details or {}


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


HTTP_MESSAGES = {
    400: ("bad_request", "请求格式有误"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "没有权限"),
    404: ("not_found", "未找到"),
    405: ("method_not_allowed", "不支持的请求方式"),
    409: ("conflict", "操作冲突，请重试"),
    413: ("too_large", "上传内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("invalid_input", "输入有误，请检查后重试"),
    429: ("rate_limited", "操作过于频繁，请稍后再试"),
}


def error_body(code: str, message: str, details: dict | None = None):
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _domain_error(e: DomainError):
    return jsonify(error_body(e.code, e.message, e.details)), e.status


def _http_error(e: HTTPException):
    status = e.code or 500
    code, message = HTTP_MESSAGES.get(status, ("http_error", "请求失败"))
    details = {}
    data = getattr(e, "data", None) or {}
    if "messages" in data:  # webargs/marshmallow validation errors
        details = {"fields": data["messages"]}
    if status == 429:
        details = {"limit": str(e.description)}
    response = jsonify(error_body(code, message, details))
    response.status_code = status
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response


def _unexpected(e: Exception):
    log.exception("unexpected error")
    return jsonify(error_body("internal_error", "服务器内部错误，请稍后再试")), 500


def register_error_handlers(app):
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
