"""The public account's server URL (/wechat/callback): signed, plain or encrypted.

Followers are matched to members by unionid. A SCAN or subscribe event whose scene is a
check-in code checks the follower in through the same service as the mini-program; the text
"积分" answers with the balance and rank; anything else gets a short help text.
"""
import logging

from flask import Blueprint, abort, current_app, request
from sqlalchemy import func, select
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from ..errors import DomainError
from ..extensions import db
from ..models import Member, Score
from ..services import checkin, codes, ledger
from ..services.clock import local_year, utcnow
from . import gateway

log = logging.getLogger(__name__)
callback = Blueprint("wechat", __name__)

WELCOME = "欢迎关注高新区企业社区！发送“积分”查询您的积分和排名；在活动现场扫码即可签到。"
HELP = "发送“积分”查询您的积分和排名。更多功能请打开“党员积分超市”小程序。"
NOT_BOUND = "还没有找到您的党员信息，请先在“党员积分超市”小程序中完成绑定。"
SCENE_PREFIX = "ci:"  # ci:{activity_id}:{token}


def checkin_scene(activity_id: int) -> str:
    """The scene of a public-account QR that checks in at this activity (the current rotating token)."""
    return f"{SCENE_PREFIX}{activity_id}:{codes.current('a', activity_id)['payload'].rsplit('=', 1)[1]}"


def _verify() -> None:
    args = request.args
    try:
        check_signature(current_app.config["WECHAT_OA_TOKEN"], args.get("signature", ""), args.get("timestamp", ""),
                        args.get("nonce", ""))
    except InvalidSignatureException:
        abort(403)


def _crypto() -> WeChatCrypto:
    return WeChatCrypto(current_app.config["WECHAT_OA_TOKEN"], current_app.config["WECHAT_OA_AES_KEY"],
                        current_app.config["WECHAT_OA_APPID"])


@callback.get("/wechat/callback")
def verify_server():
    _verify()
    return request.args.get("echostr", "")


@callback.post("/wechat/callback")
def receive():
    _verify()
    args, body = request.args, request.get_data()
    encrypted = args.get("encrypt_type") == "aes"
    if encrypted:
        try:
            body = _crypto().decrypt_message(body, args.get("msg_signature", ""), args.get("timestamp", ""),
                                             args.get("nonce", ""))
        except InvalidSignatureException:
            abort(403)
        except Exception:  # noqa: BLE001 - a garbled body is the sender's problem, not a 500
            abort(400)
    try:
        message = parse_message(body)
    except Exception:  # noqa: BLE001
        abort(400)
    text = answer(message)
    if text is None:
        return "success"
    reply = create_reply(text, message).render()
    if encrypted:
        reply = _crypto().encrypt_message(reply, args.get("nonce", ""), args.get("timestamp"))
    return reply, 200, {"Content-Type": "application/xml"}


def answer(message) -> str | None:
    """The text to reply with, or None for no reply."""
    kind = message.type
    if kind == "event":
        event = message.event
        if event == "unsubscribe":
            _unfollow(message.source)
            return None
        if event in ("subscribe", "subscribe_scan", "scan"):
            member = _follower(message.source)
            scene = getattr(message, "scene_id", None) or getattr(message, "key", None) or ""
            scene = scene.removeprefix("qrscene_")
            if scene.startswith(SCENE_PREFIX):
                return _check_in(member, scene, message)
            return WELCOME if event != "scan" else HELP
        return None
    if kind == "text":
        member = _follower(message.source)
        if message.content.strip() in ("积分", "查积分", "jf"):
            return _points(member) if member else NOT_BOUND
        return HELP
    return HELP


def _follower(oa_openid: str) -> Member | None:
    """The member behind a follower: known by oa_openid, else matched once by unionid."""
    member = db.session.scalar(select(Member).where(Member.oa_openid == oa_openid))
    if member is not None:
        return member
    try:
        unionid = gateway().follower_unionid(oa_openid)
    except Exception:  # noqa: BLE001 - WeChat down: answer without the match, try next time
        log.warning("could not look up follower %s", oa_openid)
        return None
    member = db.session.scalar(select(Member).where(Member.unionid == unionid)) if unionid else None
    if member is not None and member.oa_openid is None:
        member.oa_openid = oa_openid
        db.session.commit()
    return member


def _unfollow(oa_openid: str) -> None:
    member = db.session.scalar(select(Member).where(Member.oa_openid == oa_openid))
    if member is not None:
        member.oa_openid = None
        db.session.commit()


def _check_in(member: Member | None, scene: str, message) -> str:
    if member is None:
        return NOT_BOUND
    try:
        activity_id, token = scene[len(SCENE_PREFIX):].split(":", 1)
        result = checkin.scan(member.id, codes.link("a", int(activity_id), token),
                              nonce=f"oa:{message.source}:{message.create_time.timestamp():.0f}")
    except (ValueError, TypeError):
        return "二维码无效"
    except DomainError as e:
        return e.message
    return f"签到成功：{result['activity']['title']}，获得{result['points']}分，当前超市积分{result['spendable']}分。"


def _points(member: Member) -> str:
    year = local_year(utcnow())
    mine = ledger.summary(member.id, year)
    totals = (select(Score.member_id, func.sum(Score.score).label("total")).where(Score.year == year)
              .group_by(Score.member_id).subquery())
    ahead = db.session.scalar(select(func.count()).select_from(totals).where(totals.c.total > mine["score"]))
    return (f"{member.name}同志：超市积分{mine['spendable']}分；{year}年度积分{mine['score']}分，"
            f"园区排名第{ahead + 1}名。")
