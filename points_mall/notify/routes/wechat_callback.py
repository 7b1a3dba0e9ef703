"""The public account's server URL (/wechat/callback): WeChat's XML in, a service's answer out."""
from flask import Blueprint, abort, current_app, request

from points_mall.notify import wechat_inbound
from points_mall.wechat import callback as protocol

blp = Blueprint("wechat", __name__)


@blp.get("/wechat/callback")
def verify_server():
    """WeChat checks the URL once, when it is configured: echo its string if the signature holds."""
    try:
        protocol.verify(current_app.config, request.args)
    except protocol.Forged:
        abort(403)
    return request.args.get("echostr", "")


@blp.post("/wechat/callback")
def receive():
    config, args = current_app.config, request.args
    try:
        protocol.verify(config, args)
        message = protocol.read(config, args, request.get_data())
    except protocol.Forged:
        abort(403)
    except protocol.Garbled:
        abort(400)
    text = wechat_inbound.answer(message)
    if text is None:
        return "success"
    return protocol.reply(config, args, message, text), 200, {"Content-Type": "application/xml"}
