"""The real gateway: wechatpy's client, with timeouts and base URLs from config."""
import logging

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.memorystorage import MemoryStorage

from ..errors import DomainError
from .base import WechatSession

log = logging.getLogger(__name__)


class _Client(WeChatClient):
    """WeChatClient whose every URL (token too, which wechatpy hard-codes) starts at base_url."""

    def __init__(self, appid, secret, base_url, session, timeout):
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)
        self.base_url = base_url.rstrip("/") + "/"
        self.API_BASE_URL = self.base_url + "cgi-bin/"
        self.wxa.API_BASE_URL = self.base_url

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=self.base_url + "cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


def _storage(redis_url):
    if not redis_url:
        return MemoryStorage()
    import redis
    from wechatpy.session.redisstorage import RedisStorage

    return RedisStorage(redis.Redis.from_url(redis_url), prefix="pm:wechat")


class WechatpyGateway:
    def __init__(self, mini_program: _Client):
        self.mini_program = mini_program

    @classmethod
    def from_config(cls, config):
        storage = _storage(config.get("REDIS_URL"))
        mp = _Client(config["WECHAT_MP_APPID"], config["WECHAT_MP_SECRET"], config["WECHAT_API_BASE_URL"],
                     storage, config["WECHAT_TIMEOUT"])
        return cls(mp)

    def code_to_session(self, code: str) -> WechatSession:
        if not code or len(code) > 128:
            raise DomainError("invalid_login_code", "登录码无效，请重新进入小程序", 400)
        try:
            result = self.mini_program.wxa.code_to_session(code)
        except WeChatClientException as e:
            if e.errcode in (40029, 40163, 40226):
                raise DomainError("invalid_login_code", "登录码无效，请重新进入小程序", 400)
            log.warning("code_to_session failed: %s", e)
            raise DomainError("wechat_unavailable", "微信服务暂时不可用，请稍后再试", 503)
        except requests.RequestException as e:
            log.warning("code_to_session unreachable: %s", e)
            raise DomainError("wechat_unavailable", "微信服务暂时不可用，请稍后再试", 503)
        return WechatSession(openid=result["openid"], unionid=result.get("unionid"))
