"""The public account's message protocol: signatures, plain and encrypted bodies, replies.

Only WeChat's wire format lives here; what a message means is services/wechat_inbound.py, and the
URL is routes/wechat_callback.py.
"""
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature


class Forged(Exception):
    """The signature does not match the account's token: not from WeChat."""


class Garbled(Exception):
    """Signed, but not a message we can read."""


def verify(config, args) -> None:
    try:
        check_signature(config["WECHAT_OA_TOKEN"], args.get("signature", ""), args.get("timestamp", ""),
                        args.get("nonce", ""))
    except InvalidSignatureException:
        raise Forged()


def _crypto(config) -> WeChatCrypto:
    return WeChatCrypto(config["WECHAT_OA_TOKEN"], config["WECHAT_OA_AES_KEY"], config["WECHAT_OA_APPID"])


def read(config, args, body: bytes):
    """The message in a verified request, decrypted in encrypted mode (encrypt_type=aes)."""
    if args.get("encrypt_type") == "aes":
        try:
            body = _crypto(config).decrypt_message(body, args.get("msg_signature", ""), args.get("timestamp", ""),
                                                   args.get("nonce", ""))
        except InvalidSignatureException:
            raise Forged()
        except Exception:  # noqa: BLE001 - a garbled body is the sender's problem, not a 500
            raise Garbled()
    try:
        return parse_message(body)
    except Exception:  # noqa: BLE001
        raise Garbled()


def reply(config, args, message, text: str) -> str:
    """A text reply to the message, encrypted when the message was."""
    xml = create_reply(text, message).render()
    if args.get("encrypt_type") == "aes":
        xml = _crypto(config).encrypt_message(xml, args.get("nonce", ""), args.get("timestamp"))
    return xml
