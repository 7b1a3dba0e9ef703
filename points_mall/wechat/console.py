"""The console gateway for local runs and tests: no WeChat, everything logged."""
import logging

from ..errors import DomainError
from .base import WechatSession

log = logging.getLogger(__name__)


class ConsoleGateway:
    def code_to_session(self, code: str) -> WechatSession:
        # "dev:<openid>" logs in as that openid, so anyone can try the app locally.
        if not code or not code.startswith("dev:") or len(code) < 5 or len(code) > 68:
            raise DomainError("invalid_login_code", "登录码无效，请重新进入小程序", 400)
        openid = code[4:]
        log.info("console login as %s", openid)
        return WechatSession(openid=openid, unionid=f"union-{openid}")
