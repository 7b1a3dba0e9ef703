"""Goods photos (商品图片): checked by their bytes, not by the name or type the browser claims."""
from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.mall.models import PhotoUpload
from points_mall.people.access import Actor, member_key, require_role
from points_mall.common.storage import KEY, storage
from points_mall.common.tx import committed

DEFAULT_MAX_BYTES = 2 * 1024 * 1024


def sniff(data: bytes) -> str | None:
    """The image type from its first bytes (magic numbers): JPEG, PNG or WebP, else None."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):g}MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)}KB"


def max_bytes() -> int:
    return int(current_app.config.get("PHOTO_MAX_BYTES") or DEFAULT_MAX_BYTES)


def upload_photo(actor: Actor, data: bytes) -> dict:
    """Store a photo for goods; shopkeepers and admins may upload."""
    require_role(actor, "shopkeeper")
    return store_photo(data, actor.key)


def upload_evidence(member_id: int, data: bytes) -> dict:
    """Store a photo a member will attach to their declaration."""
    return store_photo(data, member_key(member_id))


def store_photo(data: bytes, owner: str) -> dict:
    """The checks and the storing, for whoever the caller allowed (goods photos, a member's evidence),
    remembering who uploaded it (the same bytes from two people are one file with two uploaders)."""
    limit = max_bytes()
    if len(data) > limit:
        raise DomainError("photo_too_large", details={"max_size": _size(limit), "max_bytes": limit})
    if not data:
        raise DomainError("photo_empty")
    content_type = sniff(data)
    if content_type is None:
        raise DomainError("photo_type")
    store = storage()
    key = store.save(data, content_type)
    with committed():
        db.session.execute(insert(PhotoUpload).values(key=key, owner=owner).on_conflict_do_nothing())
    return {"key": key, "url": store.url(key), "content_type": content_type, "size": len(data)}


def uploaded_by(owner: str, keys: list[str]) -> set[str]:
    """Those of the keys this actor uploaded (a string that is no key never reaches the database)."""
    keys = [k for k in keys if KEY.match(k)]
    return set(db.session.scalars(select(PhotoUpload.key).where(PhotoUpload.owner == owner,
                                                                PhotoUpload.key.in_(keys)))) if keys else set()


def require_evidence(member_id: int, keys: list[str], kept=()) -> None:
    """Every photo is one the member uploaded and still stored (or one their record already shows): another
    member's key, or a key nobody uploaded, is refused as if it did not exist."""
    theirs = uploaded_by(member_key(member_id), keys) | set(kept)
    store = storage()
    for key in keys:
        try:
            if key not in theirs:
                raise FileNotFoundError(key)
            store.open(key).close()
        except FileNotFoundError:
            raise DomainError("unknown_photo", details={"key": key}) from None


def check_image_url(url: str) -> str:
    """A product's picture: empty, or the address of a photo uploaded here (never another host)."""
    if not url:
        return ""
    key = url.rsplit("/", 1)[-1]
    store = storage()
    known = KEY.match(key) and db.session.scalar(select(PhotoUpload.key).where(PhotoUpload.key == key).limit(1))
    if not known or url != store.url(key):
        raise DomainError("invalid_image_url")
    return url
