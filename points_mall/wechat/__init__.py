"""The WeChat adapter: one gateway interface, chosen by WECHAT_GATEWAY."""
from flask import current_app

from points_mall.wechat.base import ConsentRefused, Gateway, NotFollowing, RetryLater, Undeliverable, WechatSession


def gateway() -> Gateway:
    """The app's gateway, built once per app from its config."""
    ext = current_app.extensions
    if "pm_wechat" not in ext:
        if current_app.config["WECHAT_GATEWAY"] == "wechatpy":
            from points_mall.wechat.wechatpy_gateway import WechatpyGateway

            ext["pm_wechat"] = WechatpyGateway.from_config(current_app.config, ext.get("pm_redis"))
        else:
            from points_mall.wechat.console import ConsoleGateway

            ext["pm_wechat"] = ConsoleGateway()
    return ext["pm_wechat"]


__all__ = ["gateway", "ConsentRefused", "Gateway", "NotFollowing", "RetryLater", "Undeliverable", "WechatSession"]
