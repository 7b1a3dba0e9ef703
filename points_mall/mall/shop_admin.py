"""Shops as the admin keeps them: the list, editing, closing one."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from points_mall.errors import DomainError, NotFound
from points_mall.extensions import db
from points_mall.mall.models import Shop
from points_mall.audit import trail as audit
from points_mall.people.access import Actor, get_org, require_org, require_role
from points_mall.common.tx import committed

EDITABLE = ("name", "org_id", "address", "opening_hours", "active")


def list_shops(actor: Actor, include_closed: bool = True) -> list[Shop]:
    require_role(actor, "admin")
    shops = db.session.scalars(select(Shop).options(joinedload(Shop.org)).order_by(Shop.active.desc(), Shop.id)).all()
    return [s for s in shops if actor.covers_org("admin", s.org) and (include_closed or s.active)]


def edit_shop(actor: Actor, shop_id: int, **changes) -> Shop:
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        raise NotFound("unknown_shop", details={"shop_id": shop_id})
    require_org(actor, "admin", shop.org)
    if changes.get("org_id") not in (None, shop.org_id):
        org = get_org(changes["org_id"])
        require_org(actor, "admin", org)
        if not org.active:
            raise DomainError("org_retired", details={"org_id": org.id, "org": org.name})
    if "name" in changes and not changes["name"].strip():
        raise DomainError("invalid_name")
    with committed("duplicate_shop"):
        before = audit.snapshot(shop, EDITABLE)
        for key in EDITABLE:
            if key in changes:
                setattr(shop, key, changes[key].strip() if key == "name" else changes[key])
        audit.record(actor, "shop.edit", "shop", shop.id, before, audit.snapshot(shop, EDITABLE))
    return shop
