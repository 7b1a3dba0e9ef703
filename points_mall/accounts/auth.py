"""Logins: WeChat mini-program (code → openid → member), staff passwords; JWTs that expire (binding: binding.py)."""
import re
import time

import jwt
from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.people.models import Member, StaffUser
from points_mall.wechat import gateway
from points_mall.wechat.base import WechatSession
from points_mall.audit import trail as audit
from points_mall.people.access import Actor
from points_mall.common.tx import committed

PHONE = re.compile(r"^1[3-9]\d{9}$")


def issue_token(kind: str, subject: str, ttl: int, **claims) -> str:
    now = time.time()  # iat to the millisecond: a token issued just before its member's WeChat moved is void
    payload = {"sub": subject, "kind": kind, "iat": round(now, 3), "exp": int(now) + ttl, **claims}
    return jwt.encode(payload, current_app.config["SECRET_KEY"], algorithm="HS256")


def read_token(token: str) -> dict:
    try:
        return jwt.decode(token, current_app.config["SECRET_KEY"], algorithms=["HS256"],
                          options={"require": ["exp", "sub", "kind"]})
    except jwt.ExpiredSignatureError:
        raise DomainError("token_expired")
    except jwt.PyJWTError:
        raise DomainError("invalid_token")


def member_token(member: Member) -> str:
    return issue_token("member", str(member.id), current_app.config["MEMBER_TOKEN_TTL"])


def login_session(code: str) -> WechatSession:
    """Resolve a wx.login() code to the WeChat user (a code is good for one call only)."""
    return gateway().code_to_session(code)


def wechat_login(code: str, session: WechatSession | DomainError | None = None) -> dict:
    """Exchange a wx.login() code; a known openid logs in, an unknown one must bind first.
    session: the code already resolved (by the rate limit keyed on the openid), or why it was refused.
    Every attempt is kept in the audit trail, refused ones too."""
    try:
        if isinstance(session, DomainError):
            raise session
        session = session or login_session(code)
    except DomainError as refused:
        with committed():
            audit.login("wechat-login", None, refused.code)
        raise
    member = db.session.scalar(select(Member).where(Member.openid == session.openid))
    if member is None:
        with committed():
            audit.login("wechat-login", session.openid, "needs_binding")
        token = issue_token("binding", session.openid, current_app.config["BINDING_TOKEN_TTL"],
                            unionid=session.unionid)
        return {"token": token, "member": None, "needs_binding": True}
    active = member.status == "active"
    with committed():
        if session.unionid and member.unionid != session.unionid:
            member.unionid = session.unionid
        audit.login("wechat-login", session.openid, "success" if active else "member_inactive",
                    Actor("member", member.id), member.name)
    if not active:
        raise DomainError("member_inactive")
    return {"token": member_token(member), "member": member, "needs_binding": False}


def staff_login(username: str, password: str) -> tuple[str, StaffUser]:
    user = db.session.scalar(select(StaffUser).where(StaffUser.username == username))
    # Hash even for an unknown user, so the answer time does not tell which usernames exist.
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if user is None or not ok or not user.active:
        with committed():
            audit.login("staff-login", username, "bad_credentials", Actor("staff", user.id) if user else None,
                        user.username if user else username)
        raise DomainError("bad_credentials")
    with committed():
        audit.login("staff-login", username, "success", Actor("staff", user.id), user.username)
    return issue_token("staff", str(user.id), current_app.config["STAFF_TOKEN_TTL"]), user


def hash_password(password: str) -> str:
    if len(password or "") < 8:
        raise DomainError("weak_password")
    return generate_password_hash(password)


_DUMMY_HASH = generate_password_hash("not-a-real-password")
