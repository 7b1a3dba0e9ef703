"""What the public account's followers send us (公众号消息): matched to members by unionid, a
check-in scene checks them in, "积分" answers with the balance and the board's rank.

The route turns WeChat's XML into a message and back; this module decides the answer and owns
what it writes, one transaction per message.
"""
import logging

from sqlalchemy import select

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.people.models import Member
from points_mall.wechat import gateway
from points_mall.notify import inbox
from points_mall.activities import activities, checkin, codes
from points_mall.points import ledger
from points_mall.board import ranking
from points_mall.people.access import Actor
from points_mall.common.clock import local_year, utcnow
from points_mall.common.tx import committed

log = logging.getLogger(__name__)

WELCOME = "欢迎关注高新区企业社区！发送“积分”查询您的积分和排名；在活动现场扫码即可签到。"
HELP = "发送“积分”查询您的积分和排名。更多功能请打开“党员积分超市”小程序。"
NOT_BOUND = "还没有找到您的党员信息，请先在“党员积分超市”小程序中完成绑定。"
SCENE_PREFIX = "ci:"  # ci:{activity_id}:{token}
POINTS_WORDS = ("积分", "查积分", "jf")


def checkin_scene(activity_id: int) -> str:
    """The scene of a public-account QR that checks in at this activity (the current rotating token)."""
    return f"{SCENE_PREFIX}{activity_id}:{codes.current('a', activity_id)['payload'].rsplit('=', 1)[1]}"


def checkin_qr(actor: Actor, activity_id: int) -> dict:
    """A public-account QR for the current step, for an organizer of the activity: scanning it
    follows the account and checks in."""
    activities.managed(actor, activity_id)
    return gateway().create_qr(checkin_scene(activity_id), expire_seconds=60)


def answer(message) -> str | None:
    """The text to reply to a parsed message, or None for no reply."""
    if message.type == "event":
        event = message.event
        if event in inbox.CONSENT_EVENTS:
            return inbox.consents_from_wechat(message)
        if event == "unsubscribe":
            unfollow(message.source)
            return None
        if event in ("subscribe", "subscribe_scan", "scan"):
            member = follower(message.source)
            scene = _text(getattr(message, "scene_id", None) or getattr(message, "key", None)).removeprefix("qrscene_")
            if scene.startswith(SCENE_PREFIX):
                return _check_in(member, scene, message)
            return WELCOME if event != "scan" else HELP
        return None
    if message.type == "text":
        member = follower(message.source)
        if _text(message.content).strip() in POINTS_WORDS:
            return points_text(member) if member else NOT_BOUND
        return HELP
    return HELP


def _text(value) -> str:
    """A field of the message as text: "" when it is missing or not text (an element with elements in it)."""
    return value if isinstance(value, str) else ""


def follower(oa_openid: str) -> Member | None:
    """The member behind a follower: known by oa_openid, else matched once by unionid. No openid is no one
    (members who follow nothing have none)."""
    if not oa_openid:
        return None
    member = db.session.scalar(select(Member).where(Member.oa_openid == oa_openid))
    if member is not None:
        if member.oa_unreachable_since is not None:  # writes to us, so follows again: template messages reach
            with committed():
                member.oa_unreachable_since = None
        return member
    try:
        unionid = gateway().follower_unionid(oa_openid)
    except Exception:  # noqa: BLE001 - WeChat down: answer without the match, try next time
        log.warning("could not look up follower %s", oa_openid)
        return None
    member = db.session.scalar(select(Member).where(Member.unionid == unionid)) if unionid else None
    if member is not None and member.oa_openid is None:
        with committed():
            member.oa_openid = oa_openid
    return member


def unfollow(oa_openid: str) -> None:
    if not oa_openid:
        return
    with committed():
        member = db.session.scalar(select(Member).where(Member.oa_openid == oa_openid))
        if member is not None:
            member.oa_openid = None


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


def points_text(member: Member) -> str:
    """The balance, the year's score and the member's place on the park's board (the same ranking
    as the board: active members, ties sharing a place)."""
    year = local_year(utcnow())
    mine = ledger.summary(member.id, year)
    park_id = int(member.org.path.strip("/").split("/")[0])
    rank = ranking.rank_of(member.id, park_id, year)
    text = f"{member.name}同志：超市积分{mine['spendable']}分；{year}年度积分{mine['score']}分"
    return text + (f"，园区排名第{rank}名。" if rank else "。")
