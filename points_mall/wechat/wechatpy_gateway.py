"""The real gateway: wechatpy's clients, made safe to run in many workers at once.

What wechatpy leaves to us: timeouts (its default is none, and its token fetch takes none at
all), a bound on token-refresh retries (its auto-retry has none), one refresh at a time across
workers (a Redis lock, with the token itself in Redis), and the wxa API group's own base URL.
"""
import logging
import threading
import time

import requests
from requests.adapters import HTTPAdapter
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.memorystorage import MemoryStorage

from points_mall.errors import DomainError
from points_mall.wechat import jsapi
from points_mall.wechat.base import ConsentRefused, NotFollowing, RetryLater, Undeliverable, WechatSession

log = logging.getLogger(__name__)

TOKEN_INVALID = (40001, 40014, 42001)  # invalid credential, invalid token, token expired
RETRY_LATER = (-1, 45009, 45011)  # system busy, API frequency limits
TOKEN_HOLD = 5.0  # seconds a process keeps its copy of the shared access token


class _Client(WeChatClient):
    """WeChatClient whose every URL starts at base_url, with timeouts and a locked token refresh."""

    def __init__(self, appid, secret, base_url, session, timeout, lock):
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)
        # Kept-alive connections for the outbox's sending threads (requests keeps 10 by default).
        for scheme in ("http://", "https://"):
            self._http.mount(scheme, HTTPAdapter(pool_connections=2, pool_maxsize=32))
        self.base_url = base_url.rstrip("/") + "/"
        self.API_BASE_URL = self.base_url + "cgi-bin/"
        self.wxa.API_BASE_URL = self.base_url
        self._lock = lock
        self._held = (None, 0.0)  # (token, until): this process's copy of the shared token

    @property
    def access_token(self):
        """The shared token (Redis), read again at most every TOKEN_HOLD seconds: the outbox's sending
        threads would otherwise make three Redis round trips per message. A token another worker
        replaced stays valid at WeChat for minutes, and a refused one is dropped at once (_call)."""
        token, until = self._held
        if token is None or time.monotonic() >= until:
            token = super().access_token
            self._held = (token, time.monotonic() + TOKEN_HOLD)
        return token

    def _token_fresh(self) -> bool:
        expires_at = self.expires_at
        return bool(self.session.get(self.access_token_key)) and bool(expires_at) and expires_at - time.time() > 60

    def fetch_access_token(self, stale: str | None = None):
        """Fetch a token unless another worker did while we waited for the lock."""
        self._held = (None, 0.0)
        with self._lock(self.appid):
            current = self.session.get(self.access_token_key)
            if (stale is not None and current and current != stale) or (stale is None and self._token_fresh()):
                return {"access_token": current}
            response = self._http.get(self.base_url + "cgi-bin/token", timeout=self.timeout, params={
                "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
            response.raise_for_status()
            result = response.json()
            if result.get("errcode"):
                raise WeChatClientException(result["errcode"], result.get("errmsg"), client=self)
            expires_in = result.get("expires_in", 7200)
            self.session.set(self.access_token_key, result["access_token"], expires_in)
            self.expires_at = int(time.time()) + expires_in
            log.info("wechat access token refreshed for %s", self.appid)
            return result


def _storage_and_lock(redis_client):
    if redis_client is None:
        locks: dict[str, threading.Lock] = {}

        def local_lock(appid):
            return locks.setdefault(appid, threading.Lock())
        return MemoryStorage(), local_lock
    from wechatpy.session.redisstorage import RedisStorage

    def redis_lock(appid):
        return redis_client.lock(f"pm:wechat:lock:{appid}", timeout=15, blocking_timeout=15)
    return RedisStorage(redis_client, prefix="pm:wechat"), redis_lock


class WechatpyGateway:
    def __init__(self, mini_program: _Client, public_account: _Client):
        self.mini_program = mini_program
        self.public_account = public_account

    @classmethod
    def from_config(cls, config, redis_client=None):
        storage, lock = _storage_and_lock(redis_client)
        base, timeout = config["WECHAT_API_BASE_URL"], config["WECHAT_TIMEOUT"]
        return cls(_Client(config["WECHAT_MP_APPID"], config["WECHAT_MP_SECRET"], base, storage, timeout, lock),
                   _Client(config["WECHAT_OA_APPID"], config["WECHAT_OA_SECRET"], base, storage, timeout, lock))

    def _call(self, client: _Client, call):
        """One API call; a dead token is refreshed once (by one worker), never in a loop."""
        for attempt in (1, 2):
            token = None
            try:
                token = client.access_token
                return call()
            except WeChatClientException as e:
                if e.errcode in TOKEN_INVALID and attempt == 1 and token is not None:
                    client.fetch_access_token(stale=token)
                    continue
                if e.errcode is None:
                    status = getattr(e.response, "status_code", None)
                    raise RetryLater(f"HTTP {status}" if status else "no answer")
                if e.errcode in RETRY_LATER or e.errcode in TOKEN_INVALID:
                    raise RetryLater(f"{e.errcode} {e.errmsg}")
                if e.errcode == 43101:
                    raise ConsentRefused(e.errcode, e.errmsg)
                if e.errcode == 43004:
                    raise NotFollowing(e.errcode, e.errmsg)
                raise Undeliverable(e.errcode, e.errmsg)
            except requests.RequestException as e:
                # Only the status: the URL of a token request carries the app secret.
                status = getattr(e.response, "status_code", None)
                raise RetryLater(f"HTTP {status}" if status else type(e).__name__)

    def _exchange(self, what: str, code: str, call, refused: tuple[int, ...], invalid: str) -> dict:
        """A code from the mini-program exchanged at WeChat: `invalid` for a code WeChat refuses (or one no
        code could be), wechat_unavailable when WeChat cannot answer."""
        if not code or len(code) > 128:
            raise DomainError(invalid)
        try:
            return self._call(self.mini_program, lambda: call(code))
        except Undeliverable as e:
            if e.errcode in refused:
                raise DomainError(invalid)
            log.warning("%s refused: %s", what, e)
            raise DomainError("wechat_unavailable")
        except RetryLater as e:
            log.warning("%s unavailable: %s", what, e)
            raise DomainError("wechat_unavailable")

    def code_to_session(self, code: str) -> WechatSession:
        result = self._exchange("code_to_session", code, self.mini_program.wxa.code_to_session,
                                (40029, 40163, 40226), "invalid_login_code")
        return WechatSession(openid=result["openid"], unionid=result.get("unionid"))

    def phone_number(self, code: str) -> str:
        result = self._exchange("getuserphonenumber", code, self.mini_program.wxa.get_phone_number,
                                (40029, 40013, 40163), "invalid_phone_code")
        info = result.get("phone_info") or {}
        if str(info.get("countryCode", "86")) != "86":
            raise DomainError("invalid_phone_code")
        return str(info.get("purePhoneNumber") or "")

    def send_template(self, oa_openid, template_id, data, url=None, client_msg_id=None):
        # wechatpy's message.send_template predates client_msg_id, so the body is posted as WeChat documents it.
        body = {"touser": oa_openid, "template_id": template_id, "data": data}
        body |= {k: v for k, v in (("url", url), ("client_msg_id", client_msg_id)) if v}
        self._call(self.public_account, lambda: self.public_account.post("message/template/send", data=body))

    def send_subscribe(self, openid, template_id, data, page=None):
        self._call(self.mini_program, lambda: self.mini_program.wxa.send_subscribe_message(
            openid, template_id, data, page=page))

    def create_qr(self, scene, expire_seconds):
        result = self._call(self.public_account, lambda: self.public_account.qrcode.create({
            "expire_seconds": expire_seconds, "action_name": "QR_STR_SCENE",
            "action_info": {"scene": {"scene_str": scene}}}))
        return {"ticket": result["ticket"], "url": result.get("url", ""), "expire_seconds": expire_seconds}

    def wxa_code(self, scene, page):
        try:
            answer = self._call(self.mini_program, lambda: self.mini_program.wxa.get_wxa_code_unlimited(
                scene, page=page, width=430))
        except (RetryLater, Undeliverable) as e:
            log.warning("getwxacodeunlimit refused: %s", e)
            raise DomainError("wechat_unavailable")
        return answer.content  # the PNG itself; an error would have been JSON

    def follower_unionid(self, oa_openid):
        return self._call(self.public_account, lambda: self.public_account.user.get(oa_openid)).get("unionid")

    def oauth_session(self, code):
        """snsapi_base: the openid only (WeChat gives a unionid to snsapi_userinfo alone). A visitor of
        the snapshot page of a page shared to Moments (is_snapshotuser) is no real user."""
        result = self._call(self.public_account, lambda: self.public_account.get(
            "sns/oauth2/access_token", api_base_url=self.public_account.base_url,
            params={"appid": self.public_account.appid, "secret": self.public_account.secret, "code": code,
                    "grant_type": "authorization_code", "access_token": ""}))
        if result.get("is_snapshotuser") == 1:
            raise DomainError("snapshot_user")
        return WechatSession(openid=result["openid"], unionid=result.get("unionid"))

    shares_openids = False  # the public account and the mini-program give one person two openids

    @property
    def oa_appid(self) -> str:
        return self.public_account.appid

    def oauth_authorize_url(self, redirect_uri, state, hint=None):
        return jsapi.authorize_url(self.public_account.appid, redirect_uri, state)

    def jsapi_ticket(self) -> str:
        """Kept beside the access token (Redis in production) with its own expiry, because wechatpy's
        MemoryStorage ignores TTLs; one worker fetches under the lock, the others reuse its ticket."""
        client = self.public_account
        key = f"{client.appid}_pm_jsapi_ticket"

        def fresh():
            kept = client.session.get(key)
            return kept["ticket"] if isinstance(kept, dict) and kept.get("expires_at", 0) - time.time() > 300 else None
        ticket = fresh()
        if ticket:
            return ticket
        with client._lock(client.appid + ":jsapi"):
            ticket = fresh()
            if ticket:
                return ticket
            try:
                result = self._call(client, lambda: client.jsapi.get_ticket("jsapi"))
            except (RetryLater, Undeliverable) as e:
                log.warning("jsapi ticket unavailable: %s", e)
                raise DomainError("wechat_unavailable")
            expires_in = int(result.get("expires_in", 7200))
            client.session.set(key, {"ticket": result["ticket"], "expires_at": time.time() + expires_in}, expires_in)
            log.info("wechat jsapi ticket refreshed for %s", client.appid)
            return result["ticket"]
