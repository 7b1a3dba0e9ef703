"""A local fake of WeChat's HTTP API: a real server on 127.0.0.1 that records what it got
and can be told to fail, so the real wechatpy client is tested without the internet."""
import json
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
        if path == "/sns/oauth2/access_token":
            code = query.get("code", "")
            return {"access_token": "web-token", "openid": f"oa-{code}", "unionid": f"u-{code}", "scope": "snsapi_base"}
        if query.get("access_token") not in self.valid_tokens:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if path == "/cgi-bin/user/info":
            openid = query.get("openid", "")
            return {"subscribe": 1, "openid": openid, "unionid": self.followers.get(openid)}
        if path == "/cgi-bin/ticket/getticket":
            with self.lock:
                self.tickets_issued = getattr(self, "tickets_issued", 0) + 1
                return {"errcode": 0, "errmsg": "ok", "ticket": f"TICKET-{self.tickets_issued}", "expires_in": 7200}
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
            with self.lock:
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
            time.sleep(self.delay)
            with self.lock:
                self.in_flight -= 1
            return {"errcode": 0, "errmsg": "ok", "msgid": len(self.requests)}
        return {"errcode": 0, "errmsg": "ok"}

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
                record["answered"] = payload.get("errcode", 0) == 0
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve(None)

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._serve(json.loads(raw or b"{}"))

        return Handler
