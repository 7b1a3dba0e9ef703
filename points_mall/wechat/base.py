"""What the service needs from WeChat, whoever answers."""
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class WechatSession:
    openid: str
    unionid: str | None = None


class Gateway(Protocol):
    def code_to_session(self, code: str) -> WechatSession:
        """A wx.login() code from the mini-program → the user's openid (and unionid)."""
