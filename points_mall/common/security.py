"""Bearer tokens → the acting member or staff account; the role check that runs before any parsing;
the headers every answer carries (docs/security.md)."""
import base64
import hashlib
import re
from functools import wraps

from flask import current_app, request
from werkzeug.routing import IntegerConverter

from points_mall.common.fields import INT32_MAX
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
        claims = auth.read_token(header[7:].strip())
        if claims["kind"] in ("member", "staff") and not _is_id(claims["sub"]):
            raise DomainError("invalid_token")  # signed, but its subject is no member or account id
        request.environ["pm.claims"] = claims
    return request.environ["pm.claims"]


def current_actor() -> access.Actor:
    """The caller as member or staff, with their grants."""
    claims = _claims()
    if claims["kind"] not in ("member", "staff"):
        raise DomainError("unauthorized:binding")
    return access.load_actor(claims["kind"], int(claims["sub"]), claims.get("iat"))


def current_member_id(any_status: bool = False) -> int:
    """The member calling a members-only endpoint (their grants do not matter here). A member switched
    off since the token was issued is refused, as load_actor refuses them: one query per request.
    any_status: the service refuses them itself (a check-in, which stores the attempt with its reason)."""
    claims = _claims()
    if claims["kind"] == "binding":
        raise DomainError("unauthorized:binding")
    if claims["kind"] != "member":
        raise DomainError("members_only")
    if any_status:
        return int(claims["sub"])
    if "pm.member" not in request.environ:
        request.environ["pm.member"] = access.active_member_id(int(claims["sub"]), claims.get("iat"))
    return request.environ["pm.member"]


def _is_id(sub) -> bool:
    return isinstance(sub, str) and sub.isascii() and sub.isdigit() and len(sub) <= 10 and 0 < int(sub) <= INT32_MAX


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


def _guarded(view, check):
    """The view behind a check of its caller that runs before anything is parsed; documented as needing a token."""
    @wraps(view)
    def guarded(*args, **kwargs):
        check()
        return view(*args, **kwargs)
    guarded._apidoc = getattr(view, "_apidoc", {})
    guarded._apidoc.setdefault("manual_doc", {}).setdefault("security", [BEARER])
    return guarded


def requires(role: str | None = None):
    """Refuse the wrong caller before the body or query is even read: 401 without a token,
    403 without a grant for the role (any grant in the tree; the service checks the scope).
    Without a role, any logged-in member or staff account passes. Put it right under @blp.route."""
    def check():
        actor = current_actor()
        if role is not None:
            access.require_role(actor, role)
    return lambda view: _guarded(view, check)


def accepts_upload(view):
    """A route that takes a photo or a workbook: its body may be UPLOAD_MAX_CONTENT_LENGTH, not the few
    MB every other request is held to. Put it above @blp.arguments, which reads the body."""
    @wraps(view)
    def larger(*args, **kwargs):
        request.max_content_length = current_app.config["UPLOAD_MAX_CONTENT_LENGTH"]
        return view(*args, **kwargs)
    larger._apidoc = getattr(view, "_apidoc", {})
    return larger


def members_only(view):
    """A members-only endpoint: refuse staff accounts and unbound tokens before parsing."""
    return _guarded(view, current_member_id)


def scanning_members(view):
    """members_only for a check-in: a switched-off member passes to the check-in, which refuses them and
    stores the attempt (every scan attempt is stored with its reason)."""
    return _guarded(view, lambda: current_member_id(any_status=True))


def binding_only(view):
    """An endpoint for a WeChat user still to bind (a binding token): refuse other callers before parsing."""
    return _guarded(view, binding_claims)


class IdConverter(IntegerConverter):
    """<id:name> in a URL. An id past the column's range cannot exist, so it is looked up as 0, which
    no row has: the answer is the entity's own 404 (unknown_activity), never a database error."""

    regex = r"\d+"

    def to_python(self, value: str) -> int:
        number = int(value) if len(value) <= 10 else 0
        return number if number <= INT32_MAX else 0


# Every page and asset is the service's own: nothing loads from elsewhere, nothing frames a page (a
# click-jacked 核销 or award), no page runs a script it did not serve as a file. Vue and Element Plus set
# inline styles, hence 'unsafe-inline' for styles only. Check-in links carry their code in the query:
# no other site is told the address a page came from.
CSP = ("default-src 'self'; script-src 'self'{scripts}; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY",
           "Content-Security-Policy": CSP.format(scripts="")}
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)


def add_security_headers(response):
    """CSP, nosniff, Referrer-Policy and no framing on every answer: pages, assets, the API, errors."""
    scripts = _inline_hashes(response)
    if scripts:
        response.headers.setdefault("Content-Security-Policy", CSP.format(scripts=scripts))
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _inline_hashes(response) -> str:
    """/docs (flask-smorest's Swagger UI page) starts Swagger UI with an inline script: that script, and
    only it, is allowed by its hash."""
    if response.mimetype != "text/html" or response.direct_passthrough or request.path != current_app.config.get(
            "OPENAPI_SWAGGER_UI_PATH"):
        return ""
    digests = (base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode()
               for m in _INLINE_SCRIPT.finditer(response.get_data()))
    return "".join(f" 'sha256-{d}'" for d in digests)
