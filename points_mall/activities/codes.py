"""Rotating signed codes: the activity's check-in link on the organizer's screen, and the member's
own code. token = truncated HMAC(secret, kind:id:time step); the current and previous step pass."""
import hashlib
import hmac
import re
from datetime import datetime

from flask import current_app

from points_mall.errors import DomainError
from points_mall.common.clock import utcnow

LINK = re.compile(r"^(?:https?://[^/\s]+)?/q/(a|m)/(\d{1,12})\?t=([0-9a-f]{16})$")
# The scene of a mini-program code (at most 32 characters): the same activity and token as the link.
SCENE = re.compile(r"^(a)=(\d{1,12})&t=([0-9a-f]{16})$")
HISTORY_STEPS = 240  # older tokens are recognised as "expired" rather than "invalid" for this long


def _step_seconds() -> int:
    return current_app.config["CHECKIN_CODE_STEP"]


def _key() -> bytes:
    return hashlib.sha256(current_app.config["SECRET_KEY"].encode() + b"/checkin-codes").digest()


def _token(kind: str, obj_id: int, step: int, key: bytes | None = None) -> str:
    return hmac.new(key or _key(), f"{kind}:{obj_id}:{step}".encode(), hashlib.sha256).hexdigest()[:16]


def current(kind: str, obj_id: int, at: datetime | None = None) -> dict:
    """The link to draw now, and how many seconds it has left."""
    seconds = (at or utcnow()).timestamp()
    step = int(seconds // _step_seconds())
    return {"payload": link(kind, obj_id, _token(kind, obj_id, step)), "step": step,
            "expires_in": max(1, int((step + 1) * _step_seconds() - seconds))}


def link(kind: str, obj_id: int, token: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/q/{kind}/{obj_id}?t={token}"


def parse(payload: str, kind: str) -> tuple[int, str]:
    """The id and token of a scanned link, or of a mini-program code's scene."""
    payload = (payload or "").strip()
    match = LINK.match(payload) or SCENE.match(payload)
    if not match or match.group(1) != kind:
        raise DomainError("invalid_code")
    return int(match.group(2)), match.group(3)


def verify(kind: str, obj_id: int, token: str, at: datetime) -> None:
    """Pass the current or previous step at `at`; an older real token is code_expired."""
    step, key = int(at.timestamp() // _step_seconds()), _key()
    for back in range(HISTORY_STEPS):
        if hmac.compare_digest(token, _token(kind, obj_id, step - back, key)):
            if back <= 1:
                return
            raise DomainError("code_expired")
    raise DomainError("invalid_code")


def qr(payload: str):
    """A regular QR code, never a Micro QR: segno picks Micro for short data such as an 8-digit
    pickup code, and many phone scanners cannot read Micro QR."""
    import segno

    return segno.make(payload, error="m", micro=False)


def scene(activity_id: int) -> dict:
    """The current step as a mini-program code's scene, `a={id}&t={token}` (WeChat allows 32
    characters); the mini-program's check-in page posts it as the payload."""
    code = current("a", activity_id)
    return {"scene": f"a={activity_id}&t={code['payload'].rsplit('=', 1)[1]}", "step": code["step"],
            "expires_in": code["expires_in"]}


def mini_program_code(activity_id: int) -> dict:
    """The projector's mini-program code for the current step (getwxacodeunlimit), as a data URL: WeChat's
    own camera and the mini-program's scanner both open the check-in page with its scene."""
    import base64

    from points_mall.wechat import gateway

    now = scene(activity_id)
    image = gateway().wxa_code(now["scene"], current_app.config["WECHAT_MP_CHECKIN_PAGE"])
    return now | {"image": "data:image/png;base64," + base64.b64encode(image).decode()}


def svg(payload: str) -> str:
    return qr(payload).svg_inline(scale=10, border=2)


def png(payload: str) -> bytes:
    from io import BytesIO

    out = BytesIO()
    qr(payload).save(out, kind="png", scale=10, border=2)
    return out.getvalue()
