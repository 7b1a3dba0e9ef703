"""What the points domain announces (as pretix's signals.py): readers listen, the ledger imports none of them.

points_moved is sent once per committed transaction that posted entries, by the app (the sender), with
moves: a list of Moved, one per entry. A rollback announces nothing. The board's Redis sets listen.
"""
from dataclasses import dataclass

from blinker import Signal

points_moved = Signal("points moved: sent after commit with moves=[Moved, ...]")


@dataclass(frozen=True)
class Moved:
    """One entry as its readers need it: whose points, in which organisation (its path), year and
    dimension, and by how much."""

    entry_id: int
    member_id: int
    org_path: str
    year: int
    dimension: str | None
    delta_score: int
    delta_spendable: int
