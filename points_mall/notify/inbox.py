"""The member's in-app inbox (every notification is there, whatever WeChat did) and consents."""
from sqlalchemy import func, or_, select, update

from points_mall.errors import DomainError, NotFound
from points_mall.extensions import db
from points_mall.notify.models import Notification, SubscriptionConsent
from points_mall.people.models import Member
from points_mall.common.clock import utcnow
from points_mall.common.paging import Page, Paged, after_cursor
from points_mall.common.tx import committed, insert_or_add


def messages(member_id: int, page: Page) -> Paged:
    """The member's messages, newest first, a page after the cursor; with how many are unread."""
    query = select(Notification).where(Notification.member_id == member_id)
    if page.cursor:
        query = query.where(Notification.id < page.cursor)
    found = after_cursor(list(db.session.scalars(query.order_by(Notification.id.desc()).limit(page.limit + 1))), page)
    found.extra["unread"] = db.session.scalar(select(func.count()).where(Notification.member_id == member_id,
                                                                         Notification.read_at.is_(None)))
    return found


def mark_read(member_id: int, message_id: int | None) -> int:
    """Mark one message (or, with None, all of them) read; returns how many changed."""
    stmt = update(Notification).where(Notification.member_id == member_id, Notification.read_at.is_(None))
    if message_id is not None:
        if db.session.scalar(select(Notification.id).where(Notification.id == message_id,
                                                           Notification.member_id == member_id)) is None:
            raise NotFound("unknown_message")
        stmt = stmt.where(Notification.id == message_id)
    with committed():
        changed = db.session.execute(stmt.values(read_at=utcnow())).rowcount
    return changed


def accept(member_id: int, template_ids: list[str]) -> dict:
    """What the member accepted in wx.requestSubscribeMessage: one more message per template."""
    if not template_ids or len(template_ids) > 20 or any(not t or len(t) > 64 for t in template_ids):
        raise DomainError("invalid_templates")
    with committed():
        for template_id in template_ids:
            insert_or_add(SubscriptionConsent, ["member_id", "template_id"],
                          {"member_id": member_id, "template_id": template_id, "remaining": 1}, "remaining")
    return dict(db.session.execute(select(SubscriptionConsent.template_id, SubscriptionConsent.remaining)
                                   .where(SubscriptionConsent.member_id == member_id)).all())


CONSENT_EVENTS = ("subscribe_msg_popup_event", "subscribe_msg_change_event")


def consents_from_wechat(message) -> None:
    """WeChat's own word on subscribe messages, pushed to the server URL: each template accepted in
    the pop-up (subscribe_msg_popup_event) is one more message; one turned off in the settings
    (subscribe_msg_change_event, reject) is none. The sender is known by either openid."""
    member_id = db.session.scalar(select(Member.id).where(or_(Member.openid == message.source,
                                                              Member.oa_openid == message.source)))
    if member_id is None:
        return None
    popup = message.event == "subscribe_msg_popup_event"
    with committed():
        for item in message.subscribes:
            template_id, status = str(item.get("TemplateId") or "")[:64], item.get("SubscribeStatusString")
            if not template_id:
                continue
            if popup and status == "accept":
                insert_or_add(SubscriptionConsent, ["member_id", "template_id"],
                              {"member_id": member_id, "template_id": template_id, "remaining": 1}, "remaining")
            elif not popup and status == "reject":
                db.session.execute(update(SubscriptionConsent).where(
                    SubscriptionConsent.member_id == member_id, SubscriptionConsent.template_id == template_id)
                    .values(remaining=0))
    return None
