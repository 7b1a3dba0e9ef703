"""What the service needs from WeChat, whoever answers."""
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class WechatSession:
    openid: str
    unionid: str | None = None


class RetryLater(Exception):
    """WeChat is down, busy (-1), rate-limiting (45009) or slow: try the same message again later."""


class Undeliverable(Exception):
    """WeChat said no for good (a bad openid, a bad template): retrying cannot help."""

    def __init__(self, errcode, errmsg=""):
        super().__init__(f"{errcode} {errmsg}".strip())
        self.errcode = errcode


class ConsentRefused(Undeliverable):
    """43101: the member has no subscribe consent left for this template (or refused it)."""


class NotFollowing(Undeliverable):
    """43004: the member does not follow the public account (e.g. known only by web OAuth)."""


class Gateway(Protocol):
    def code_to_session(self, code: str) -> WechatSession:
        """A wx.login() code from the mini-program → the user's openid (and unionid)."""

    def phone_number(self, code: str) -> str:
        """A getPhoneNumber code from the mini-program → the phone number WeChat verified (mainland, 11
        digits); DomainError("invalid_phone_code") for a code WeChat refuses."""

    def send_template(self, oa_openid: str, template_id: str, data: dict, url: str | None = None,
                      client_msg_id: str | None = None) -> None:
        """A public-account template message to a follower, opening url; WeChat drops a second message
        with the same client_msg_id within 10 minutes."""

    def send_subscribe(self, openid: str, template_id: str, data: dict, page: str | None = None) -> None:
        """A mini-program subscribe message, spending one of the member's consents."""

    def create_qr(self, scene: str, expire_seconds: int) -> dict:
        """A temporary public-account QR code carrying a scene: {ticket, url, expire_seconds}."""

    def wxa_code(self, scene: str, page: str) -> bytes:
        """A mini-program code (PNG, getwxacodeunlimit) opening `page` with `scene`."""

    def follower_unionid(self, oa_openid: str) -> str | None:
        """The unionid of a public-account follower, to match them to a member."""

    def oauth_session(self, code: str) -> WechatSession:
        """A public-account web OAuth code → the follower's openid (and unionid)."""

    def oauth_authorize_url(self, redirect_uri: str, state: str, hint: str | None = None) -> str:
        """Where to send the browser for a web OAuth code (snsapi_base); it comes back to redirect_uri."""

    def jsapi_ticket(self) -> str:
        """The public account's JS-SDK ticket, shared by every worker until shortly before it expires."""

    @property
    def oa_appid(self) -> str:
        """The public account's appid, for wx.config."""
