"""Where uploaded files live: one small interface, local disk by default.

An S3-compatible store (MinIO, OSS, COS) replaces the disk by implementing the same three
methods and being named in STORAGE_BACKEND; nothing else in the service knows where bytes are.
"""
import hashlib
import os
import re
import tempfile
from typing import BinaryIO, Protocol

from flask import current_app, url_for

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
CONTENT_TYPES = {ext: ctype for ctype, ext in EXTENSIONS.items()}
# Keys are content hashes: the same photo uploaded twice is stored once, and a key never changes meaning,
# so whatever serves it may be cached for ever (immutable).
KEY = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp)$")


class Storage(Protocol):
    def save(self, data: bytes, content_type: str) -> str: ...
    def url(self, key: str) -> str: ...
    def open(self, key: str) -> BinaryIO: ...


def key_for(data: bytes, content_type: str) -> str:
    return f"{hashlib.sha256(data).hexdigest()}.{EXTENSIONS[content_type]}"


class DiskStorage:
    """Files under one directory, named by their hash; written to a temporary name first, so a
    reader never sees half a file."""

    def __init__(self, root: str):
        self.root = root

    def _path(self, key: str) -> str:
        if not KEY.match(key):
            raise FileNotFoundError(key)
        return os.path.join(self.root, key[:2], key)

    def save(self, data: bytes, content_type: str) -> str:
        key = key_for(data, content_type)
        path = self._path(key)
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        return key

    def url(self, key: str) -> str:
        return url_for("uploads.photo", key=key)

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")


def storage() -> Storage:
    """The storage the app is configured with (one per app, made on first use)."""
    app = current_app
    if "pm.storage" not in app.extensions:
        backend = app.config.get("STORAGE_BACKEND", "disk")
        if backend != "disk":
            raise RuntimeError(f"STORAGE_BACKEND={backend} is not available in this build; use disk")
        root = app.config.get("UPLOAD_DIR") or os.path.join(app.instance_path, "uploads")
        app.extensions["pm.storage"] = DiskStorage(root)
    return app.extensions["pm.storage"]
