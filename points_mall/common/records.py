"""A record as an answer shows it: the row read through, with what a service adds beside it."""


class Extended:
    """A record read through, with what the answer adds to it (names, a member's part) for the response schema."""

    def __init__(self, record, **extra):
        self._record = record
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._record, name)
