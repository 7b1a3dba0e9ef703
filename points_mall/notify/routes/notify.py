"""The member's inbox and subscribe consents; the admin's view of the outbox."""
from flask_smorest import Blueprint

from points_mall.notify.schemas import MessagesPage, MessagesQuery, OutboxItem, OutboxOut, ReadOut, SubscriptionsIn
from points_mall.notify import delivery, inbox
from points_mall.common.paging import paginated
from points_mall.people.access import require_root
from points_mall.common.security import BEARER, current_actor, current_member_id, members_only, requires

blp = Blueprint("notify", __name__, url_prefix="/api/v1", description="消息")


@blp.get("/me/messages")
@members_only
@blp.arguments(MessagesQuery, location="query")
@blp.response(200, MessagesPage)
@paginated(items="messages", cursor=True)
@blp.doc(security=[BEARER])
def my_messages(query, page):
    return inbox.messages(current_member_id(), page)


@blp.post("/me/messages/<id:message_id>/read")
@members_only
@blp.response(200, ReadOut)
@blp.doc(security=[BEARER])
def read_one(message_id):
    return {"changed": inbox.mark_read(current_member_id(), message_id)}


@blp.post("/me/messages/read-all")
@members_only
@blp.response(200, ReadOut)
@blp.doc(security=[BEARER])
def read_all():
    return {"changed": inbox.mark_read(current_member_id(), None)}


@blp.post("/me/subscriptions")
@members_only
@blp.arguments(SubscriptionsIn)
@blp.response(200)
@blp.doc(security=[BEARER])
def subscribe(body):
    return {"remaining": inbox.accept(current_member_id(), body["template_ids"])}


@blp.get("/admin/outbox")
@requires("admin")
@blp.response(200, OutboxOut)
@blp.doc(security=[BEARER])
def outbox():
    require_root(current_actor())
    return delivery.outbox_summary() | {"dead": delivery.dead_letters(), "unreachable": delivery.unreachable()}


@blp.post("/admin/outbox/<id:notification_id>/resend")
@requires("admin")
@blp.response(200, OutboxItem)
@blp.doc(security=[BEARER])
def resend(notification_id):
    actor = current_actor()
    require_root(actor)
    return delivery.resend(actor, notification_id)
