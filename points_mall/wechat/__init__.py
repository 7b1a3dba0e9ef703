"""The WeChat adapter: one gateway interface, chosen by WECHAT_GATEWAY."""
from flask import current_app

from .base import Gateway, WechatSession


def gateway() -> Gateway:
    """The app's gateway, built once per app from its config."""
    ext = current_app.extensions
    if "pm_wechat" not in ext:
        if current_app.config["WECHAT_GATEWAY"] == "wechatpy":
            from .wechatpy_gateway import WechatpyGateway

            ext["pm_wechat"] = WechatpyGateway.from_config(current_app.config)
        else:
            from .console import ConsoleGateway

            ext["pm_wechat"] = ConsoleGateway()
    return ext["pm_wechat"]


__all__ = ["gateway", "Gateway", "WechatSession"]
