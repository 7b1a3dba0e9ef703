"""Who may pay for goods (出资单位): the park committee and the branches, for the keeper's stock-in form."""
from sqlalchemy import select

from points_mall.extensions import db
from points_mall.people.models import Org


def funding_orgs() -> list[Org]:
    """Active organisations above the party groups: a group has no budget of its own, so never a funder.
    Keepers are granted a shop, not a subtree, so they see the names of all of them (never their members)."""
    return list(db.session.scalars(
        select(Org).where(Org.active.is_(True), Org.kind != "group").order_by(Org.path).limit(1000)))
