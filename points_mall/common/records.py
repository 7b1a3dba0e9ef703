"""A record as an answer shows it: the row read through, with what a service adds beside it (the names of
the rows it points at)."""
from sqlalchemy import select

from points_mall.extensions import db


class Extended:
    """A record read through, with what the answer adds to it (names, a member's part) for the response schema."""

    def __init__(self, record, **extra):
        self._record = record
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._record, name)


def names_of(model, ids) -> dict[int, str]:
    """The names of the rows with these ids (members, organisations, rules), in one query."""
    ids = set(ids)
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all()) if ids else {}
