"""The members' web pages inside WeChat (党员端 H5): web OAuth log-in, wx.config, and what the
pages need that the mini-program's endpoints do not give: shops and goods as a member sees them,
and a check-in that carries its scan receipt."""
from flask import current_app, request
from flask_smorest import Blueprint

from points_mall.extensions import limiter
from points_mall.activities.schemas import CheckinOut
from points_mall.accounts.schemas.auth import WechatLoginOut
from points_mall.mall.schemas.mall import ShopOut
from points_mall.accounts.schemas.member_web import (
    AuthorizeOut, AuthorizeQuery, JsapiConfigOut, JsapiQuery, MemberProductOut, MemberShopsQuery,
    MyActivitiesQuery, MyActivityOut, ScanIn, WebLoginIn)
from points_mall.activities import checkin
from points_mall.people import member_view
from points_mall.accounts import binding, web_login
from points_mall.accounts.schemas.auth import BindingCodeOut
from points_mall.activities.routes import checkin_limit, code_limit
from points_mall.common.security import BEARER, current_member_id, members_only, rate_key_subject, scanning_members

blp = Blueprint("member_web", __name__, url_prefix="/api/v1", description="党员端网页")


def _address_limit():
    # Per address and generous (a hall on one Wi-Fi logs in at once); a web OAuth code is single-use anyway.
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


@blp.get("/auth/web-authorize")
@limiter.limit(_address_limit)
@blp.arguments(AuthorizeQuery, location="query")
@blp.response(200, AuthorizeOut)
def web_authorize(query):
    """Where to send the browser for a public-account OAuth code (snsapi_base, nothing to confirm)."""
    return {"url": web_login.authorize_url(query["next"], query["state"], query["hint"])}


@blp.post("/auth/web-login")
@limiter.limit(_address_limit)
@blp.arguments(WebLoginIn)
@blp.response(200, WechatLoginOut)
def web_login_(body):
    """A web OAuth code → a member token, or a binding token (then POST /auth/bind)."""
    return web_login.web_login(body["code"])


@blp.get("/wechat/jsapi-config")
@members_only
@limiter.limit(code_limit, key_func=rate_key_subject)
@blp.arguments(JsapiQuery, location="query")
@blp.response(200, JsapiConfigOut)
@blp.doc(security=[BEARER])
def jsapi_config(query):
    """wx.config for the page at url, signed with the public account's jsapi ticket."""
    return web_login.jsapi_config(query["url"])


@blp.post("/me/binding-code")
@members_only
@limiter.limit(code_limit, key_func=rate_key_subject)
@blp.response(201, BindingCodeOut)
@blp.doc(security=[BEARER])
def my_binding_code():
    """A binding code to move to a new WeChat, made on the WeChat already bound (30 minutes, one use)."""
    return binding.issue_own_code(current_member_id())


@blp.get("/me/shops")
@members_only
@blp.response(200, ShopOut(many=True))
@blp.doc(security=[BEARER])
def my_shops():
    return member_view.shops_for(current_member_id())


@blp.get("/me/products")
@members_only
@blp.arguments(MemberShopsQuery, location="query")
@blp.response(200, MemberProductOut(many=True))
@blp.doc(security=[BEARER])
def my_products(query):
    """The goods on sale, each with how many more this member may take (limit_left, null = no limit)."""
    return member_view.products_for(current_member_id(), query["shop_id"])


@blp.get("/me/activities")
@members_only
@blp.arguments(MyActivitiesQuery, location="query")
@blp.response(200, MyActivityOut(many=True))
@blp.doc(security=[BEARER])
def my_activities(query):
    """What I am invited to, with my part: checked in (when, points), my leave request, or absent."""
    return member_view.my_activities(current_member_id(), query["status"])


@blp.get("/me/activities/<id:activity_id>")
@members_only
@blp.response(200, MyActivityOut)
@blp.doc(security=[BEARER])
def my_activity(activity_id):
    return member_view.my_activity(current_member_id(), activity_id)


@blp.post("/checkins/web")
@scanning_members
@limiter.limit(checkin_limit, key_func=rate_key_subject)
@blp.arguments(ScanIn)
@blp.response(200, CheckinOut)
@blp.doc(security=[BEARER])
def web_checkin(body):
    """POST /checkins, plus the scan receipt of the code's link: the code is checked at the time the
    server saw the scan, so logging in first (OAuth, binding) cannot make it expire."""
    at = web_login.scanned_at(body["payload"], body["receipt"], request.cookies.get(web_login.SCAN_COOKIE))
    return checkin.scan(current_member_id(any_status=True), body["payload"], body["nonce"], body["latitude"],
                        body["longitude"], scanned_at=at)

