"""The members' web pages inside WeChat (党员端 H5): public-account web OAuth log-in, and the scan
receipt that lets a check-in code survive the log-in round trip."""
import hashlib
import hmac
import secrets
from urllib.parse import urlencode
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import or_, select

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.people.models import Member
from points_mall.wechat import gateway, jsapi
from points_mall.audit import trail as audit
from points_mall.activities import codes
from points_mall.people.access import Actor
from points_mall.accounts.auth import issue_token, member_token
from points_mall.common.clock import utcnow
from points_mall.common.tx import committed

# Long enough for a first visit (OAuth, then an SMS code or a 绑定码), short enough that a forwarded
# receipt is as useless as a forwarded code; the receipt also only works in the browser that scanned.
RECEIPT_TTL = timedelta(minutes=10)
SCAN_COOKIE = "pm_scan"  # names the browser that scanned, so a receipt forwarded elsewhere is worthless


def web_login(code: str) -> dict:
    """A web OAuth code → the member bound to this follower (by public-account openid, else unionid),
    or a binding token for the web channel. Every attempt is kept in the audit trail."""
    try:
        session = gateway().oauth_session(code)
    except DomainError as refused:
        with committed():
            audit.login("web-login", None, refused.code)
        raise
    found = or_(Member.oa_openid == session.openid, Member.unionid == session.unionid) if session.unionid \
        else Member.oa_openid == session.openid
    if getattr(gateway(), "shares_openids", False):
        found = or_(found, Member.openid == session.openid)
    member = db.session.scalars(select(Member).where(found).order_by(
        (Member.oa_openid == session.openid).desc())).first()
    if member is not None:
        active = member.status == "active"
        with committed():
            if member.oa_openid is None:
                member.oa_openid = session.openid
            audit.login("web-login", session.openid, "success" if active else "member_inactive",
                        Actor("member", member.id), member.name)
        if not active:
            raise DomainError("member_inactive")
        return {"token": member_token(member), "member": member, "needs_binding": False}
    with committed():
        audit.login("web-login", session.openid, "needs_binding")
    token = issue_token("binding", session.openid, current_app.config["BINDING_TOKEN_TTL"],
                        unionid=session.unionid, channel="oa")
    return {"token": token, "member": None, "needs_binding": True}


def authorize_url(next_path: str, state: str, hint: str | None) -> str:
    """Where the browser goes for an OAuth code; it comes back to /m/login with next kept."""
    if not next_path.startswith("/m/") or "//" in next_path or "\\" in next_path:
        next_path = "/m/"
    back = f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/m/login?{urlencode({'next': next_path})}"
    return gateway().oauth_authorize_url(back, state, hint)


def jsapi_config(url: str) -> dict:
    """wx.config's signature for the page at url (without its #fragment)."""
    nonce, timestamp = secrets.token_hex(8), int(utcnow().timestamp())
    ticket = gateway().jsapi_ticket()
    return {"appId": gateway().oa_appid, "timestamp": timestamp, "nonceStr": nonce,
            "signature": jsapi.signature(ticket, nonce, timestamp, url)}


def _receipt_key() -> bytes:
    return hashlib.sha256(current_app.config["SECRET_KEY"].encode() + b"/scan-receipts").digest()


def _receipt_mac(activity_id: int, token: str, at: int, browser: str) -> str:
    return hmac.new(_receipt_key(), f"{activity_id}:{token}:{at}:{browser}".encode(), hashlib.sha256).hexdigest()[:32]


def issue_receipt(activity_id: int, token: str, browser: str, at: datetime) -> str | None:
    """A receipt for a code that is valid now; none for an expired or forged one (the check-in says why)."""
    try:
        codes.verify("a", activity_id, token, at)
    except DomainError:
        return None
    seconds = int(at.timestamp())
    return f"{seconds}.{_receipt_mac(activity_id, token, seconds, browser)}"


def scanned_at(payload: str, receipt: str | None, browser: str | None) -> datetime | None:
    """When the code in payload was scanned, if the receipt vouches for it; else None (check now)."""
    if not receipt or not browser or "." not in receipt:
        return None
    seconds, mac = receipt.split(".", 1)
    try:
        activity_id, token = codes.parse(payload, "a")
        at = datetime.fromtimestamp(int(seconds), timezone.utc)
    except (DomainError, ValueError, OverflowError, OSError):
        return None
    if not hmac.compare_digest(mac, _receipt_mac(activity_id, token, int(seconds), browser)):
        return None
    if not timedelta(0) <= utcnow() - at <= RECEIPT_TTL:
        return None
    return at
