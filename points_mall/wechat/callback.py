"""The public account's message protocol: signatures, freshness, plain and encrypted bodies, replies.

Only WeChat's wire format lives here; what a message means is notify/wechat_inbound.py, and the URL is
notify/routes/wechat_callback.py. WeChat signs every request's timestamp and nonce with the account's token
(WECHAT_OA_TOKEN); a request more than WINDOW seconds from now, or with a nonce already seen, is refused, so a
captured request cannot be sent again. With WECHAT_OA_AES_KEY the account is in safe mode (安全模式): the body
is encrypted and signed too (msg_signature), the answer is encrypted back, and a plain body is refused.
"""
import base64
import binascii
import hmac
import logging
import re
import threading
import time

from flask import current_app
from redis import RedisError
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import WeChatSigner

from points_mall.errors import DomainError

log = logging.getLogger(__name__)

WINDOW = 300  # seconds a request's timestamp may be off the server's clock, either way
TIMESTAMP = re.compile(r"[0-9]{1,12}")


def verify(config, args) -> None:
    """Let a request through only if it is signed with the account's token, fresh, and seen once."""
    _signed(config, args)
    _seen_once(args)


def read(config, args, body: bytes):
    """The message of a request: signed, fresh and seen once; in safe mode decrypted, its body's signature
    checked before the nonce is spent (a forged body cannot use up the nonce of WeChat's own request)."""
    _signed(config, args)
    if safe_mode(config):
        body = _decrypt(config, args, body)
    _seen_once(args)
    return _parse(body)


def reply(config, args, message, text: str) -> str:
    """A text reply to the message, encrypted in safe mode."""
    xml = create_reply(text, message).render()
    if safe_mode(config):
        xml = _crypto(config).encrypt_message(xml, args.get("nonce", ""), args.get("timestamp"))
    return xml


def safe_mode(config) -> bool:
    return bool(config.get("WECHAT_OA_AES_KEY"))


def aes_key_is_valid(key: str) -> bool:
    """An EncodingAESKey is 43 characters of base64 that decode to 32 bytes."""
    try:
        return len(key) == 43 and len(base64.b64decode(key + "=", validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def _signed(config, args) -> None:
    token = config.get("WECHAT_OA_TOKEN")
    if not token:  # an empty token is one anyone can sign with
        raise DomainError("callback_forged:no_token")
    timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce)
    if not hmac.compare_digest(signer.signature.encode(), args.get("signature", "").encode()):
        raise DomainError("callback_forged")
    if not TIMESTAMP.fullmatch(timestamp) or abs(int(timestamp) - time.time()) > WINDOW:
        raise DomainError("callback_forged:stale")


def _crypto(config) -> WeChatCrypto:
    return WeChatCrypto(config["WECHAT_OA_TOKEN"], config["WECHAT_OA_AES_KEY"], config["WECHAT_OA_APPID"])


def _decrypt(config, args, body: bytes) -> str:
    if args.get("encrypt_type") != "aes":
        raise DomainError("callback_forged:plain")
    try:
        return _crypto(config).decrypt_message(body, args.get("msg_signature", ""), args.get("timestamp", ""),
                                               args.get("nonce", ""))
    except (InvalidSignatureException, InvalidAppIdException):  # another body, or another account's
        raise DomainError("callback_forged")
    except KeyError:  # no <Encrypt>: a plain body
        raise DomainError("callback_forged:plain")
    except Exception:  # noqa: BLE001 - a garbled body is the sender's problem, not a 500
        raise DomainError("callback_garbled")


def _parse(body):
    try:
        message = parse_message(body)
    except Exception:  # noqa: BLE001
        raise DomainError("callback_garbled")
    if message is None:
        raise DomainError("callback_garbled")
    if not isinstance(message.source, str) or not message.source:
        raise DomainError("callback_garbled:sender")
    return message


def _seen_once(args) -> None:
    """Spend the request's nonce: in Redis (SET NX, every instance sees it) when there is one, else, and
    while Redis does not answer, in this process."""
    key = f"{args.get('timestamp', '')}:{args.get('nonce', '')}"
    client = current_app.extensions.get("pm_redis")
    if client is not None:
        try:
            first = client.set(f"pm:wechat:nonce:{key}", 1, nx=True, ex=2 * WINDOW)
        except RedisError:
            log.warning("Redis did not answer: the callback's nonces are kept in this process meanwhile")
        else:
            if not first:
                raise DomainError("callback_forged:replayed")
            return
    if not current_app.extensions.setdefault("pm_wechat_nonces", _Nonces()).spend(key):
        raise DomainError("callback_forged:replayed")


class _Nonces:
    """Nonces seen in this process for twice the window, oldest first (so the expired ones are at the front)."""

    def __init__(self):
        self.lock, self.until = threading.Lock(), {}

    def spend(self, key: str) -> bool:
        now = time.monotonic()
        with self.lock:
            while self.until and next(iter(self.until.values())) <= now:
                del self.until[next(iter(self.until))]
            if key in self.until:
                return False
            self.until[key] = now + 2 * WINDOW
            return True
