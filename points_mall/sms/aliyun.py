"""Aliyun SMS (阿里云短信服务, dysmsapi SendSms) over HTTP: the RPC API with its HMAC-SHA1 signature.

Configured by SMS_ALIYUN_ACCESS_KEY_ID / _SECRET, SMS_ALIYUN_SIGN_NAME (the approved signature, e.g.
高新区企业社区), SMS_ALIYUN_TEMPLATE_CODE (a verification template with the variable ${code}) and
SMS_API_BASE_URL (https://dysmsapi.aliyuncs.com/, or a local fake in tests).
"""
import base64
import hashlib
import hmac
import json
import logging
import uuid
from datetime import datetime, timezone
from urllib.parse import quote

import requests

from points_mall.errors import DomainError

log = logging.getLogger(__name__)


def _escape(value: str) -> str:
    return quote(value, safe="~")


def signature(secret: str, method: str, params: dict) -> str:
    """Aliyun's RPC signature: the sorted, percent-encoded query, signed with HMAC-SHA1 under secret + "&"."""
    query = "&".join(f"{_escape(k)}={_escape(str(params[k]))}" for k in sorted(params))
    plain = f"{method}&{_escape('/')}&{_escape(query)}"
    return base64.b64encode(hmac.new((secret + "&").encode(), plain.encode(), hashlib.sha1).digest()).decode()


class AliyunSms:
    shows_codes = False

    def __init__(self, key_id: str, secret: str, sign_name: str, template_code: str, base_url: str, timeout: float):
        self.key_id, self.secret = key_id, secret
        self.sign_name, self.template_code = sign_name, template_code
        self.base_url, self.timeout = base_url.rstrip("/") + "/", timeout
        self.http = requests.Session()

    @classmethod
    def from_config(cls, config) -> "AliyunSms":
        return cls(config["SMS_ALIYUN_ACCESS_KEY_ID"], config["SMS_ALIYUN_ACCESS_KEY_SECRET"],
                   config["SMS_ALIYUN_SIGN_NAME"], config["SMS_ALIYUN_TEMPLATE_CODE"],
                   config["SMS_API_BASE_URL"], config["SMS_TIMEOUT"])

    def send_code(self, phone: str, code: str) -> None:
        params = {
            "Action": "SendSms", "Version": "2017-05-25", "Format": "JSON", "RegionId": "cn-hangzhou",
            "AccessKeyId": self.key_id, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
            "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "PhoneNumbers": phone, "SignName": self.sign_name, "TemplateCode": self.template_code,
            "TemplateParam": json.dumps({"code": code}),
        }
        params["Signature"] = signature(self.secret, "POST", params)
        try:
            response = self.http.post(self.base_url, data=params, timeout=self.timeout)
            answer = response.json()
        except (requests.RequestException, ValueError) as e:
            log.warning("aliyun SMS unavailable: %s", type(e).__name__)
            raise DomainError("sms_unavailable")
        if answer.get("Code") != "OK":
            # Never the code itself in the log: only the provider's refusal.
            log.warning("aliyun SMS refused: %s %s", answer.get("Code"), answer.get("Message"))
            raise DomainError("sms_unavailable")
