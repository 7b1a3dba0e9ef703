"""Login endpoints."""
from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from points_mall.errors import DomainError
from points_mall.extensions import limiter
from points_mall.accounts.schemas.auth import (
    BindIn, BindOut, SessionOut, StaffLoginIn, StaffLoginOut, WechatLoginIn, WechatLoginOut)
from points_mall.people import access
from points_mall.accounts import auth
from points_mall.common.security import BEARER, binding_claims, current_actor, rate_key_subject, requires

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="登录")


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _bind_limit():
    return current_app.config["BIND_RATE_LIMIT"]


def _address_limit():
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _body_field(name: str):
    """A field of the raw JSON body, read before the schema has checked it: any body may come here."""
    body = request.get_json(silent=True)
    return body.get(name) if isinstance(body, dict) else None


def _username_key():
    return "user:" + str(_body_field("username") or "")[:50]


def _resolved_code():
    """The login code resolved once per request (kept in its environ), shared by the rate limit and the view."""
    if "pm.login_session" not in request.environ:
        code, session = _body_field("code"), None
        try:
            session = auth.login_session(code) if isinstance(code, str) and 0 < len(code) <= 128 else None
        except DomainError as refused:
            session = refused
        request.environ["pm.login_session"] = session
    return request.environ["pm.login_session"]


def _wechat_user_key():
    """Login limits follow the WeChat user. Codes that resolve to nobody are counted per address, so
    one client cannot cycle through made-up codes (each costs a call to WeChat)."""
    session = _resolved_code()
    if session is None or isinstance(session, DomainError):
        return "bad-code:" + (get_remote_address() or "unknown")
    return "openid:" + session.openid


@blp.post("/wechat-login")
@limiter.limit(_address_limit)
@blp.arguments(WechatLoginIn)
@blp.response(200, WechatLoginOut)
def wechat_login(body):
    # The per-person limit is checked in here, after the address limit let the request in: a client
    # already over its address limit never makes us send a code to WeChat.
    with limiter.limit(_login_limit, key_func=_wechat_user_key):
        return auth.wechat_login(body["code"], _resolved_code())


@blp.post("/bind")
@limiter.limit(_address_limit)
@limiter.limit(_bind_limit, key_func=rate_key_subject)
@blp.arguments(BindIn)
@blp.response(200, BindOut)
@blp.doc(security=[BEARER])  # the binding token wechat-login answered with
def bind(body):
    claims = binding_claims()
    return auth.bind(claims["sub"], claims.get("unionid"), body["name"], body["phone"], claims.get("channel", "mp"))


@blp.post("/staff-login")
@limiter.limit(_address_limit)
@limiter.limit(_login_limit, key_func=_username_key)
@blp.arguments(StaffLoginIn)
@blp.response(200, StaffLoginOut)
def staff_login(body):
    token, user = auth.staff_login(body["username"], body["password"])
    return {"token": token, "roles": access.load_actor("staff", user.id).roles, "display_name": user.display_name}


@blp.get("/session")
@requires()
@blp.response(200, SessionOut)
def session():
    """The caller's name, roles and grants: what the console's menu is built from."""
    actor = current_actor()
    return access.describe_session(actor.kind, actor.id)
