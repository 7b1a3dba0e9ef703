"""Bearer tokens → the acting member or staff account."""
from flask import request

from ..errors import DomainError
from ..services import access, auth

BEARER = {"bearerAuth": []}


def _claims() -> dict:
    """The verified token of this request, decoded once (kept in the request's environ)."""
    if "pm.claims" not in request.environ:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise DomainError("unauthorized", "请先登录", 401)
        request.environ["pm.claims"] = auth.read_token(header[7:].strip())
    return request.environ["pm.claims"]


def current_actor() -> access.Actor:
    """The caller as member or staff, with their grants."""
    claims = _claims()
    if claims["kind"] not in ("member", "staff"):
        raise DomainError("unauthorized", "请先完成绑定", 401)
    return access.load_actor(claims["kind"], int(claims["sub"]))


def current_member_id() -> int:
    """The member calling a members-only endpoint (their grants do not matter here)."""
    claims = _claims()
    if claims["kind"] == "binding":
        raise DomainError("unauthorized", "请先完成绑定", 401)
    if claims["kind"] != "member":
        raise DomainError("members_only", "仅党员本人可用", 403)
    return int(claims["sub"])


def binding_claims() -> dict:
    claims = _claims()
    if claims["kind"] != "binding":
        raise DomainError("unauthorized", "请先用微信登录", 401)
    return claims


def rate_key_subject() -> str:
    """Rate-limit key: the token's subject when there is one, else the client address."""
    try:
        claims = _claims()
        return f"{claims['kind']}:{claims['sub']}"
    except DomainError:
        return request.remote_addr or "unknown"
