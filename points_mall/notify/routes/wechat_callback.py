"""The public account's server URL (/wechat/callback): WeChat's XML in, a service's answer out.
A request that is not WeChat's (wrong signature, stale, replayed) gets 403 and changes nothing."""
from flask import Blueprint, current_app, request

from points_mall.notify import wechat_inbound
from points_mall.wechat import callback as protocol

blp = Blueprint("wechat", __name__)

PLAIN = {"Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"}


@blp.get("/wechat/callback")
def verify_server():
    """WeChat checks the URL once, when it is configured: echo its string if the signature holds (as
    plain text: the string is the sender's, and must never be read as a page)."""
    protocol.verify(current_app.config, request.args)
    return request.args.get("echostr", ""), 200, PLAIN


@blp.post("/wechat/callback")
def receive():
    config, args = current_app.config, request.args
    message = protocol.read(config, args, request.get_data())
    text = wechat_inbound.answer(message)
    if text is None:
        return "success", 200, PLAIN
    return protocol.reply(config, args, message, text), 200, {"Content-Type": "application/xml"}
