"""The console gateway for local runs and tests: no WeChat, every message logged and kept."""
import logging
import secrets
from urllib.parse import urlencode

from flask import current_app

from points_mall.config import demo_mode
from points_mall.errors import DomainError
from points_mall.wechat.base import WechatSession

log = logging.getLogger(__name__)


class ConsoleGateway:
    def __init__(self):
        self.sent: list[dict] = []  # what would have gone out, newest last

    def code_to_session(self, code: str) -> WechatSession:
        # "dev:<openid>" logs in as that openid, so anyone can try the app locally.
        if not code or not code.startswith("dev:") or len(code) < 5 or len(code) > 68:
            raise DomainError("invalid_login_code")
        openid = code[4:]
        log.info("console login as %s", openid)
        return WechatSession(openid=openid, unionid=f"union-{openid}")

    def phone_number(self, code: str) -> str:
        # "dev:<phone>" stands for a getPhoneNumber code that WeChat verified as that phone: a proof, so
        # only in demo mode (debug, tests, DEMO_MODE=1), never where the console gateway runs by mistake.
        if not demo_mode(current_app) or not code or not code.startswith("dev:") or len(code) > 24:
            raise DomainError("invalid_phone_code")
        log.info("console phone number %s", code[4:])
        return code[4:]

    def _keep(self, kind, openid, template_id, data, page, **more):
        self.sent.append({"kind": kind, "openid": openid, "template_id": template_id, "data": data, "page": page,
                          **more})
        del self.sent[:-1000]
        log.info("console %s to %s: %s", kind, openid, data)

    def send_template(self, oa_openid, template_id, data, url=None, client_msg_id=None):
        self._keep("template", oa_openid, template_id, data, None, url=url, client_msg_id=client_msg_id)

    def send_subscribe(self, openid, template_id, data, page=None):
        self._keep("subscribe", openid, template_id, data, page)

    def create_qr(self, scene, expire_seconds):
        return {"ticket": f"console-{scene}", "url": f"console://qr/{scene}", "expire_seconds": expire_seconds}

    def wxa_code(self, scene, page):
        """No WeChat to draw a mini-program code: a plain QR of the page and scene stands in."""
        from io import BytesIO

        import segno

        out = BytesIO()
        segno.make(f"{page}?scene={scene}", error="m").save(out, kind="png", scale=8, border=2)
        return out.getvalue()

    def follower_unionid(self, oa_openid):
        return f"union-{oa_openid.removeprefix('oa-')}"

    def oauth_session(self, code):
        return self.code_to_session(code)

    def oauth_authorize_url(self, redirect_uri, state, hint=None):
        # No WeChat to ask: come straight back as the openid the browser remembers (or a new one).
        openid = hint if hint and hint.isascii() and 0 < len(hint) <= 64 else "web-" + secrets.token_hex(6)
        sep = "&" if "?" in redirect_uri else "?"
        return f"{redirect_uri}{sep}{urlencode({'code': 'dev:' + openid, 'state': state})}"

    def jsapi_ticket(self):
        return "console-jsapi-ticket"

    oa_appid = "console-oa"
    # One pretend WeChat: a dev:<openid> code names the same person in the mini-program and the web pages.
    shares_openids = True
