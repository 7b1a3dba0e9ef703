"""Binding a WeChat user to an imported member, on a proof that the person is that member: the phone
number WeChat verified (the mini-program's getPhoneNumber), a code sent by SMS to the registered phone,
or a one-time binding code (绑定码) from staff in scope or from the member's WeChat already bound.

Every failed proof gets one answer (binding_failed), so a guesser learns nothing. Only a binding code
moves a member to a new WeChat: it is the organizer's action or the old WeChat's confirmation."""
import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, delete, or_, select, update

from points_mall.config import demo_mode
from points_mall.errors import DomainError, NotFound
from points_mall.extensions import db
from points_mall.people.models import Member
from points_mall.accounts.models import BindingCode, SmsCode
from points_mall.accounts.auth import PHONE, member_token
from points_mall.audit import trail as audit
from points_mall.people.access import Actor, require_org
from points_mall.sms import sms_gateway
from points_mall.wechat import gateway
from points_mall.common.clock import utcnow
from points_mall.common.tx import committed

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed from paper
CODE_LENGTH = 8
OWN_CODE_TTL = timedelta(minutes=30)  # a code the member makes on the old WeChat to move to a new one


def _digest(kind: str, value: str) -> str:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _failed() -> DomainError:
    return DomainError("binding_failed")


def send_sms_code(phone: str) -> dict:
    """Text a code to phone when it is an active member's; the answer is the same when it is not.
    A new code replaces the phone's earlier ones (so the table holds one row per phone at most)."""
    ttl = current_app.config["SMS_CODE_TTL"]
    answer = {"expires_in": ttl}
    member = db.session.scalar(select(Member.id).where(Member.phone == phone, Member.status == "active"))
    if member is None:
        return answer
    code, now = f"{secrets.randbelow(10 ** 6):06d}", utcnow()
    with committed():
        db.session.execute(delete(SmsCode).where(SmsCode.phone == phone))
        db.session.add(SmsCode(phone=phone, digest=_digest("sms", f"{phone}:{code}"), tries=0,
                               created_at=now, expires_at=now + timedelta(seconds=ttl)))
    sender = sms_gateway()
    sender.send_code(phone, code)
    if sender.shows_codes and demo_mode(current_app):
        answer["dev_code"] = code
    return answer


def _sms_proves(phone: str, code: str) -> bool:
    """Spend one try of the phone's latest code; True when it matched (the code is then used up).
    Every try counts, right or wrong, so SMS_CODE_TRIES wrong ones kill the code."""
    now = utcnow()
    latest = select(SmsCode.id).where(SmsCode.phone == phone).order_by(SmsCode.id.desc()).limit(1).scalar_subquery()
    with committed():
        used = db.session.execute(
            update(SmsCode)
            .where(SmsCode.id == latest, SmsCode.used_at.is_(None), SmsCode.expires_at > now,
                   SmsCode.tries < current_app.config["SMS_CODE_TRIES"])
            .values(tries=SmsCode.tries + 1,
                    used_at=case((SmsCode.digest == _digest("sms", f"{phone}:{code}"), now), else_=None))
            .returning(SmsCode.used_at)).first()
    return used is not None and used.used_at is not None


def _verified_phone(phone_code: str) -> str:
    try:
        return gateway().phone_number(phone_code)
    except DomainError as refused:
        if refused.code == "invalid_phone_code":
            raise _failed()
        raise


def bind(openid: str, unionid: str | None, channel: str, *, phone_code: str | None = None,
         phone: str | None = None, sms_code: str | None = None, binding_code: str | None = None) -> dict:
    """Link this WeChat user to the member the proof names. channel "oa" is the public account's web
    pages (its openid differs from the mini-program's). Every attempt is kept in the audit trail."""
    try:
        if binding_code is not None:
            member = _bind_by_code(openid, unionid, channel, binding_code)
        else:
            if phone_code is not None:
                phone, proof = _verified_phone(phone_code), "wechat_phone"
            else:
                proof = "sms" if phone and sms_code and _sms_proves(phone, sms_code) else None
            if not proof or not PHONE.match(phone or ""):
                raise _failed()
            member = _bind_by_phone(openid, unionid, channel, phone, proof)
    except DomainError as refused:
        with committed():
            audit.login("bind", openid, refused.code)
        raise
    return {"token": member_token(member), "member": member}


def _column(channel: str):
    return Member.oa_openid if channel == "oa" else Member.openid


def _refuse_taken(column, openid: str, member_id: int) -> None:
    taken = db.session.scalar(select(Member.id).where(column == openid, Member.id != member_id))
    if taken is not None:
        raise DomainError("already_bound:wechat")


def _bound(member: Member, openid: str, channel: str, proof: str, before: str | None) -> None:
    audit.record(Actor("member", member.id), "bind", "member", member.id,
                 after={"key": openid[:100], "outcome": "success", "proof": proof, "channel": channel,
                        "replaced": before}, actor_name=member.name)


def _bind_by_phone(openid: str, unionid: str | None, channel: str, phone: str, proof: str) -> Member:
    """The phone is proven to be the caller's: bind its member, unless another WeChat holds it already.
    One guarded UPDATE, so parallel binds of one member give one binding."""
    column = _column(channel)
    member = db.session.scalar(select(Member).where(Member.phone == phone, Member.status == "active"))
    if member is None:
        raise _failed()
    with committed("already_bound:wechat", keep=True):
        _refuse_taken(column, openid, member.id)
        claimed = db.session.scalar(
            update(Member).where(Member.id == member.id, or_(column.is_(None), column == openid))
            .values({column.key: openid, "unionid": unionid or Member.unionid}).returning(Member.id))
        if claimed is None:
            raise DomainError("already_bound:member")
        _bound(member, openid, channel, proof, None)
    db.session.refresh(member)
    return member


def _normal(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def _bind_by_code(openid: str, unionid: str | None, channel: str, code: str) -> Member:
    """Spend the binding code and bind (or move) its member to this WeChat, in one transaction."""
    column, now = _column(channel), utcnow()
    with committed("already_bound:wechat", keep=True):
        member_id = db.session.scalar(
            update(BindingCode).where(BindingCode.digest == _digest("binding", _normal(code)),
                                      BindingCode.used_at.is_(None), BindingCode.expires_at > now)
            .values(used_at=now).returning(BindingCode.member_id))
        member = db.session.get(Member, member_id, with_for_update=True) if member_id else None
        if member is None or member.status != "active":
            raise _failed()
        _refuse_taken(column, openid, member.id)
        before = getattr(member, column.key)
        setattr(member, column.key, openid)
        if before and before != openid:  # moved: the old WeChat's tokens die now
            member.tokens_after = now
        member.unionid = unionid or member.unionid
        _bound(member, openid, channel, "binding_code", before if before != openid else None)
    return member


def issue_code(actor: Actor, member_id: int) -> dict:
    """A binding code for a member in the caller's scope (organizer): for a member without a phone of
    their own, or to move the member to a new WeChat. It replaces the member's earlier codes."""
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound("unknown_member", details={"member_id": member_id})
    require_org(actor, "organizer", member.org)
    if member.status != "active":
        raise DomainError("member_inactive")
    return _issue(actor, member, timedelta(seconds=current_app.config["BINDING_CODE_TTL"]))


def issue_own_code(member_id: int) -> dict:
    """A binding code the member makes on the WeChat already bound, to move to a new one (30 minutes)."""
    member = db.session.get(Member, member_id)
    return _issue(Actor("member", member.id), member, OWN_CODE_TTL)


def _issue(actor: Actor, member: Member, ttl: timedelta) -> dict:
    code, now = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)), utcnow()
    with committed():
        db.session.execute(update(BindingCode).where(BindingCode.member_id == member.id,
                                                     BindingCode.used_at.is_(None),
                                                     BindingCode.expires_at > now).values(expires_at=now))
        row = BindingCode(digest=_digest("binding", code), member_id=member.id, issued_by=actor.key,
                          created_at=now, expires_at=now + ttl)
        db.session.add(row)
        db.session.flush()
        audit.record(actor, "member.binding_code", "member", member.id,
                     after={"binding_code_id": row.id, "expires_at": row.expires_at})
    return {"code": f"{code[:4]}-{code[4:]}", "expires_at": now + ttl, "member_id": member.id,
            "member_name": member.name}
