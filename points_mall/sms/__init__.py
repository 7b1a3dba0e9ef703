"""Text messages (短信) to members' phones: one gateway interface, chosen by SMS_GATEWAY."""
from flask import current_app

from points_mall.sms.base import SmsGateway


def sms_gateway() -> SmsGateway:
    """The app's SMS gateway, built once per app from its config."""
    ext = current_app.extensions
    if "pm_sms" not in ext:
        if current_app.config["SMS_GATEWAY"] == "aliyun":
            from points_mall.sms.aliyun import AliyunSms

            ext["pm_sms"] = AliyunSms.from_config(current_app.config)
        else:
            from points_mall.sms.console import ConsoleSms

            ext["pm_sms"] = ConsoleSms()
    return ext["pm_sms"]


__all__ = ["SmsGateway", "sms_gateway"]
