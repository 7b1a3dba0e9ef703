"""Bearer tokens → the acting member or staff account; the role check that runs before any parsing."""
from functools import wraps

from flask import request
from werkzeug.routing import IntegerConverter

from points_mall.errors import DomainError
from points_mall.people import access
from points_mall.audit import trail as audit
from points_mall.accounts import auth

BEARER = {"bearerAuth": []}


def _claims() -> dict:
    """The verified token of this request, decoded once (kept in the request's environ)."""
    if "pm.claims" not in request.environ:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise DomainError("unauthorized")
        request.environ["pm.claims"] = auth.read_token(header[7:].strip())
    return request.environ["pm.claims"]


def current_actor() -> access.Actor:
    """The caller as member or staff, with their grants."""
    claims = _claims()
    if claims["kind"] not in ("member", "staff"):
        raise DomainError("unauthorized:binding")
    return access.load_actor(claims["kind"], int(claims["sub"]))


def current_member_id() -> int:
    """The member calling a members-only endpoint (their grants do not matter here)."""
    claims = _claims()
    if claims["kind"] == "binding":
        raise DomainError("unauthorized:binding")
    if claims["kind"] != "member":
        raise DomainError("members_only")
    return int(claims["sub"])


def binding_claims() -> dict:
    claims = _claims()
    if claims["kind"] != "binding":
        raise DomainError("unauthorized:wechat")
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


def binding_only(view):
    """An endpoint for a WeChat user still to bind (a binding token): refuse other callers before parsing."""
    @wraps(view)
    def guarded(*args, **kwargs):
        binding_claims()
        return view(*args, **kwargs)
    guarded._apidoc = getattr(view, "_apidoc", {})
    guarded._apidoc.setdefault("manual_doc", {}).setdefault("security", [BEARER])
    return guarded


class IdConverter(IntegerConverter):
    """<id:name> in a URL. An id past the column's range cannot exist, so it is looked up as 0, which
    no row has: the answer is the entity's own 404 (unknown_activity), never a database error."""

    regex = r"\d+"

    def to_python(self, value: str) -> int:
        number = int(value) if len(value) <= 10 else 0
        return number if number <= 2**31 - 1 else 0
