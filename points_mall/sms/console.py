"""The console SMS gateway for local runs and tests: nothing is sent, every code is logged and kept."""
import logging

log = logging.getLogger(__name__)


class ConsoleSms:
    shows_codes = True

    def __init__(self):
        self.sent: list[dict] = []  # what would have gone out, newest last

    def send_code(self, phone: str, code: str) -> None:
        self.sent.append({"phone": phone, "code": code})
        del self.sent[:-1000]
        log.info("console SMS to %s: code %s", phone, code)
