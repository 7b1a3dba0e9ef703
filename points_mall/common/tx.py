"""One transaction per use case."""
from contextlib import contextmanager

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError

from points_mall.errors import Conflict, DomainError
from points_mall.extensions import db


@contextmanager
def committed(code: str = "conflict", keep: bool = False, details: dict | None = None):
    """Run a use case's writes and commit once. A unique-key clash (a race that another
    request already won) becomes a 409 with the given catalogue code (and details, for its message);
    on any error nothing is kept.
    keep: what the use case loaded and wrote stays loaded after the commit, so its answer is built
    without reading it all back (it is exactly what was committed)."""
    session = db.session()
    expiring = session.expire_on_commit
    session.expire_on_commit = not keep
    try:
        yield
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(code, status=409, details=details)
    except Exception:
        db.session.rollback()
        raise
    finally:
        session.expire_on_commit = expiring


MAX_KEY = 100


def idempotency_header(required: bool = True) -> dict:
    """The Idempotency-Key header as the document states it, on every operation that reads it
    (where it is optional, an empty one counts as none)."""
    return {"in": "header", "name": "Idempotency-Key", "required": required,
            "description": "客户端为这次提交生成的编号（如 UUID）；重试时带同一编号，只生效一次",
            "schema": {"type": "string", "minLength": 1 if required else 0, "maxLength": MAX_KEY}}


def idempotency_key(key: str | None, required: bool = True) -> str | None:
    """The client's Idempotency-Key, checked: present when required, and not longer than we keep."""
    if not key:
        if required:
            raise DomainError("idempotency_key_required")
        return None
    if len(key) > MAX_KEY:
        raise DomainError("idempotency_key_too_long", details={"max_length": MAX_KEY})
    return key


def insert_or_add(model, keys: list[str], values: dict, add: str):
    """INSERT a row, or add to one column of the row already there (ON CONFLICT DO UPDATE)."""
    stmt = insert(model).values(**values)
    column = getattr(model, add)
    db.session.execute(stmt.on_conflict_do_update(index_elements=keys,
                                                  set_={add: column + getattr(stmt.excluded, add)}))
