"""Bearer tokens → the acting member or staff account; the role check that runs before any parsing."""
from functools import wraps

from flask import request
from werkzeug.routing import IntegerConverter

from ..errors import DomainError
from ..services import access, audit, auth

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


def remember_client_address() -> None:
    """The address the audit trail records: behind PROXY_COUNT proxies, the one they forwarded."""
    audit.set_client_address(request.remote_addr)


def forget_client_address(_error=None) -> None:
    # A CLI command run later in the same thread must not inherit the last request's address.
    audit.set_client_address(None)


def rate_key_subject() -> str:
    """Rate-limit key: the token's subject when there is one, else the client address."""
    try:
        claims = _claims()
        return f"{claims['kind']}:{claims['sub']}"
    except DomainError:
        return request.remote_addr or "unknown"


def requires(role: str | None = None):
    """Refuse the wrong caller before the body or query is even read: 401 without a token,
    403 without a grant for the role (any grant in the tree; the service checks the scope).
    Without a role, any logged-in member or staff account passes. Put it right under @blp.route."""
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            actor = current_actor()
            if role is not None:
                access.require_role(actor, role)
            return view(*args, **kwargs)
        guarded._apidoc = getattr(view, "_apidoc", {})
        guarded._apidoc.setdefault("manual_doc", {}).setdefault("security", [BEARER])
        return guarded
    return decorate


def members_only(view):
    """A members-only endpoint: refuse staff accounts and unbound tokens before parsing."""
    @wraps(view)
    def guarded(*args, **kwargs):
        current_member_id()
        return view(*args, **kwargs)
    guarded._apidoc = getattr(view, "_apidoc", {})
    guarded._apidoc.setdefault("manual_doc", {}).setdefault("security", [BEARER])
    return guarded


class IdConverter(IntegerConverter):
    """<id:name> in a URL: 1 to 2^31-1, so an id too large for the column is a 404, not a 500."""

    def __init__(self, url_map, min=1, max=2**31 - 1):
        super().__init__(url_map, min=min, max=max)
