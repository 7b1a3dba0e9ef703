"""The console's log-in by WeChat QR scan."""
from marshmallow import Schema, fields

from points_mall.common.fields import Flag, Moment

STATUSES = ["pending", "scanned", "confirmed", "refused", "expired"]


class ConsoleTicketOut(Schema):
    ticket = fields.String(metadata={"description": "随机票据，2分钟内有效，只能登录一次"})
    url = fields.String(metadata={"description": "二维码里的链接：{PUBLIC_BASE_URL}/m/console-login?t=…"})
    qr_svg = fields.String(metadata={"description": "二维码（SVG）"})
    expires_in = fields.Integer(metadata={"description": "剩余秒数"})


class ConsoleTicketStatusOut(Schema):
    status = fields.String(metadata={"enum": STATUSES, "description": "已领取登录凭证的票据视为 expired"})
    expires_in = fields.Integer()
    token = fields.String(metadata={"description": "确认后的第一次查询才有，只给一次"})
    roles = fields.List(fields.String())


class ConsoleTicketScanOut(Schema):
    status = fields.String(metadata={"enum": STATUSES})
    browser = fields.String(metadata={"description": "请求登录的电脑浏览器，如 Chrome 131 · Windows"})
    address = fields.String(allow_none=True, metadata={"description": "请求登录的电脑的网络地址"})
    requested_at = Moment()
    expires_in = fields.Integer()
    roles = fields.List(fields.String())
    can_confirm = Flag(metadata={"description": "是否有工作台权限（没有则确认会被拒绝）"})


class ConsoleTicketDoneOut(Schema):
    status = fields.String(metadata={"enum": STATUSES})
