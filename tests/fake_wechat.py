"""A local fake of WeChat's HTTP API: a real server on 127.0.0.1 that records what it got
and can be told to fail, so the real wechatpy client is tested without the internet.

Template and subscribe messages are checked as WeChat checks them: the template's keys, each value
by its type's rule (47003 otherwise), 43004 to a public-account user who does not follow, and a
template message repeating a client_msg_id within 10 minutes is accepted but not delivered again."""
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeWechat:
    def __init__(self):
        self.requests: list[dict] = []
        self.failures: list[tuple[str, object]] = []  # (path, errcode | "http500" | "timeout")
        self.tokens_issued = 0
        self.valid_tokens: set[str] = set()
        self.followers: dict[str, str] = {}  # public-account openid → unionid
        self.not_following: set[str] = set()  # public-account openids that do not follow (43004)
        self.templates: dict[str, list[str]] = dict(TEMPLATES)  # template id → its keys
        self.delivered: list[dict] = []  # the messages members got (a repeated client_msg_id is not)
        self.msg_ids: dict[str, tuple[float, int]] = {}  # client_msg_id → (when, msgid)
        self.down = False  # every call answers HTTP 500 while True
        self.delay = 0.0  # seconds every send waits before answering
        self.in_flight = self.most_in_flight = 0  # sends being answered now, and the most at once
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/"

    def start(self) -> "FakeWechat":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, path: str, how, times: int = 1) -> None:
        """The next `times` calls to path answer with an errcode, HTTP 500, or a timeout."""
        with self.lock:
            self.failures.extend([(path, how)] * times)

    def calls(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]

    def sends(self) -> list[dict]:
        return [r for r in self.requests if r["path"].endswith("/send") and r.get("answered")]

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (42001), as WeChat does after two hours."""
        with self.lock:
            self.valid_tokens.clear()

    def _take_failure(self, path):
        with self.lock:
            for i, (p, how) in enumerate(self.failures):
                if p == path:
                    del self.failures[i]
                    return how
        return None

    def answer(self, path: str, query: dict, body: dict | None) -> dict:
        if path == "/cgi-bin/token":
            with self.lock:
                self.tokens_issued += 1
                token = f"TOKEN-{self.tokens_issued}"
                self.valid_tokens.add(token)
                return {"access_token": token, "expires_in": 7200}
        if path == "/sns/jscode2session":
            code = query.get("js_code", "")
            if code.startswith("bad"):
                return {"errcode": 40029, "errmsg": "invalid code"}
            return {"openid": f"o-{code}", "session_key": "session-key", "unionid": f"u-{code}"}
        if path == "/sns/oauth2/access_token":  # snsapi_base: an openid, never a unionid
            code = query.get("code", "")
            if code.startswith("snap"):  # the snapshot page of a page shared to Moments: not a real user
                return {"access_token": "web-token", "openid": "oa-snapshot", "scope": "snsapi_base",
                        "is_snapshotuser": 1}
            return {"access_token": "web-token", "openid": f"oa-{code}", "scope": "snsapi_base"}
        if query.get("access_token") not in self.valid_tokens:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if path == "/cgi-bin/user/info":
            openid = query.get("openid", "")
            return {"subscribe": 1, "openid": openid, "unionid": self.followers.get(openid)}
        if path == "/cgi-bin/ticket/getticket":
            with self.lock:
                self.tickets_issued = getattr(self, "tickets_issued", 0) + 1
                return {"errcode": 0, "errmsg": "ok", "ticket": f"TICKET-{self.tickets_issued}", "expires_in": 7200}
        if path == "/wxa/getwxacodeunlimit":  # answers the PNG itself; an error is JSON
            scene = body.get("scene", "")
            if not scene or len(scene) > 32 or not re.fullmatch(r"[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]+", scene):
                return {"errcode": 40169, "errmsg": "invalid length for scene"}
            return PNG
        if path == "/wxa/business/getuserphonenumber":
            # A getPhoneNumber code "phone-<11 digits>" is that phone, verified; anything else is refused.
            code = (body or {}).get("code", "")
            if not code.startswith("phone-"):
                return {"errcode": 40029, "errmsg": "invalid code"}
            phone = code.removeprefix("phone-")
            return {"errcode": 0, "errmsg": "ok", "phone_info": {
                "phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86",
                "watermark": {"timestamp": int(time.time()), "appid": query.get("appid", "wx-mp")}}}
        if path == "/cgi-bin/qrcode/create":
            scene = body["action_info"]["scene"]["scene_str"]
            return {"ticket": f"ticket-{scene}", "expire_seconds": body.get("expire_seconds"),
                    "url": f"http://weixin.qq.com/q/{scene}"}
        if path.endswith("/send"):
            refused = self._check_message(path, body)
            if refused:
                return refused
            with self.lock:
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
            time.sleep(self.delay)
            with self.lock:
                self.in_flight -= 1
                kept = self.msg_ids.get(body.get("client_msg_id") or "")
                if kept and time.time() - kept[0] < 600:
                    return {"errcode": 0, "errmsg": "ok", "msgid": kept[1]}
                msgid = len(self.requests)
                if body.get("client_msg_id"):
                    self.msg_ids[body["client_msg_id"]] = (time.time(), msgid)
                self.delivered.append(body)
            return {"errcode": 0, "errmsg": "ok", "msgid": msgid}
        return {"errcode": 0, "errmsg": "ok"}

    def _check_message(self, path: str, body: dict) -> dict | None:
        """WeChat's answer to a message it refuses, or None."""
        if path == "/cgi-bin/message/template/send" and body.get("touser") in self.not_following:
            return {"errcode": 43004, "errmsg": "require subscribe"}
        keys = self.templates.get(body.get("template_id"))
        if keys is None:
            return {"errcode": 40037, "errmsg": "invalid template_id"}
        data = body.get("data") or {}
        for key in set(data) | set(keys):
            value = (data.get(key) or {}).get("value")
            if key not in keys or not isinstance(value, str) or not _valid(key, value):
                return {"errcode": 47003, "errmsg": f"argument invalid! data.{key}.value invalid"}
        return None

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # kept-alive connections, as WeChat's servers keep them
            disable_nagle_algorithm = True  # headers and body leave at once, not 40 ms apart

            def log_message(self, *args):
                pass

            def _serve(self, body):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                record = {"path": url.path, "query": query, "body": body, "connection": self.client_address}
                fake.requests.append(record)
                how = "http500" if fake.down else fake._take_failure(url.path)
                if how == "timeout":
                    time.sleep(3)
                if how == "http500":
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                payload = {"errcode": how, "errmsg": "fake failure"} if isinstance(how, int) else \
                    fake.answer(url.path, query, body)
                image = isinstance(payload, bytes)
                record["answered"] = image or payload.get("errcode", 0) == 0
                data = payload if image else json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "image/png" if image else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve(None)

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._serve(json.loads(raw or b"{}"))

        return Handler


PNG = b"\x89PNG\r\n\x1a\n fake mini-program code"

TEMPLATES = {  # as chosen from WeChat's template library for the test configuration (conftest.WX_CONFIG)
    "TPL-OA-POINTS": ["thing1", "thing2", "time3"], "TPL-MP-POINTS": ["thing1", "thing2"],
    "TPL-OA-ACTIVITY": ["thing1", "time2"], "TPL-MP-ACTIVITY": ["thing1", "phrase2"],
    "TPL-OA-ORDER": ["thing1", "phrase2"], "TPL-MP-ORDER": ["thing1", "phrase2"],
}
# WeChat's rules per key type (类目模板 / subscribe message documentation).
RULES = {
    "thing": r".{1,20}", "short_thing": r".{1,5}", "name": r".{1,10}|[A-Za-z ]{1,20}",
    "phrase": r"[\u4e00-\u9fff]{1,5}", "character_string": r"[\x21-\x7e]{1,32}", "number": r"[0-9.]{1,32}",
    "letter": r"[A-Za-z]{1,32}", "symbol": r"[!-/:-@\[-`{-~]{1,5}", "phone_number": r"[0-9+\-]{1,17}",
    "car_number": r".{1,8}", "amount": r"[¥$￥]?\d{1,10}(\.\d{1,2})?元?",
    "time": r"(\d{4}年\d{1,2}月\d{1,2}日 )?\d{1,2}:\d{2}(:\d{2})?|\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?",
    "date": r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2}", "const": r".{1,20}",
}


def _valid(key: str, value: str) -> bool:
    kind = re.match(r"^([a-z_]+?)\d+$", key)
    return bool(kind) and kind.group(1) in RULES and re.fullmatch(RULES[kind.group(1)], value) is not None
