"""Login endpoints."""
from flask import current_app, request
from flask_smorest import Blueprint

from ..extensions import limiter
from ..schemas.auth import BindIn, BindOut, StaffLoginIn, StaffLoginOut, WechatLoginIn, WechatLoginOut
from ..services import access, auth
from .security import binding_claims, rate_key_subject

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="登录")


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _bind_limit():
    return current_app.config["BIND_RATE_LIMIT"]


def _username_key():
    return "user:" + str((request.get_json(silent=True) or {}).get("username", ""))[:50]


@blp.post("/wechat-login")
@limiter.limit(_login_limit)
@blp.arguments(WechatLoginIn)
@blp.response(200, WechatLoginOut)
def wechat_login(body):
    return auth.wechat_login(body["code"])


@blp.post("/bind")
@limiter.limit(_bind_limit)
@limiter.limit(_bind_limit, key_func=rate_key_subject)
@blp.arguments(BindIn)
@blp.response(200, BindOut)
def bind(body):
    claims = binding_claims()
    return auth.bind(claims["sub"], claims.get("unionid"), body["name"], body["phone"])


@blp.post("/staff-login")
@limiter.limit(_login_limit)
@limiter.limit(_login_limit, key_func=_username_key)
@blp.arguments(StaffLoginIn)
@blp.response(200, StaffLoginOut)
def staff_login(body):
    token, user = auth.staff_login(body["username"], body["password"])
    return {"token": token, "roles": access.load_actor("staff", user.id).roles, "display_name": user.display_name}
