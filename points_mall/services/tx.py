"""One transaction per use case."""
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from ..errors import Conflict
from ..extensions import db


@contextmanager
def committed(code: str, message: str):
    """Run a use case's writes and commit once. A unique-key clash (a race that another
    request already won) becomes a 409 with the given code; on any error nothing is kept."""
    try:
        yield
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(code, message)
    except Exception:
        db.session.rollback()
        raise
