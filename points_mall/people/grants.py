"""Who holds which role (授权): the list an admin sees, and taking a grant back."""
from sqlalchemy import select

from points_mall.errors import DomainError, NotFound
from points_mall.extensions import db
from points_mall.people.models import Grant, Member, Org, StaffUser
from points_mall.mall.models import Shop
from points_mall.audit import trail as audit
from points_mall.people.access import Actor, require_org, require_role, require_root
from points_mall.people.orgs import GRANT_FIELDS
from points_mall.common.tx import committed


def _visible(actor: Actor, grant: Grant, org: Org | None, shop_org: Org | None) -> bool:
    if grant.shop_id is not None:
        return shop_org is not None and actor.covers_org("admin", shop_org)
    return actor.is_root("admin") if org is None else actor.covers_org("admin", org)


def list_grants(actor: Actor) -> list[dict]:
    """Grants over the admin's subtree and its shops, with who holds them and over what."""
    require_role(actor, "admin")
    ShopOrg = Org.__table__.alias("shop_org")
    rows = db.session.execute(
        select(Grant, Org, Shop, StaffUser.username, Member.name, ShopOrg.c.path)
        .outerjoin(Org, Org.id == Grant.org_id).outerjoin(Shop, Shop.id == Grant.shop_id)
        .outerjoin(ShopOrg, ShopOrg.c.id == Shop.org_id)
        .outerjoin(StaffUser, StaffUser.id == Grant.staff_id).outerjoin(Member, Member.id == Grant.member_id)
        .order_by(Grant.id)).all()
    out = []
    for grant, org, shop, username, member_name, shop_path in rows:
        shop_org = Org(path=shop_path) if shop_path is not None else None
        if not _visible(actor, grant, org, shop_org):
            continue
        out.append({"id": grant.id, "role": grant.role, "member_id": grant.member_id, "staff_id": grant.staff_id,
                    "holder": username or member_name or "", "holder_kind": "staff" if grant.staff_id else "member",
                    "org_id": grant.org_id, "shop_id": grant.shop_id,
                    "scope": shop.name if shop else (org.name if org else "全部组织"), "created_at": grant.created_at})
    return out


def revoke(actor: Actor, grant_id: int) -> None:
    """Take a grant back; nobody takes away their own (so the last admin cannot lock everyone out)."""
    grant = db.session.get(Grant, grant_id)
    if grant is None:
        raise NotFound("unknown_grant", details={"grant_id": grant_id})
    holder = ("staff", grant.staff_id) if grant.staff_id else ("member", grant.member_id)
    if holder == (actor.kind, actor.id):
        raise DomainError("own_grant")
    if grant.shop_id is not None:
        shop = db.session.get(Shop, grant.shop_id)
        require_org(actor, "admin", shop.org)
    elif grant.org_id is not None:
        require_org(actor, "admin", db.session.get(Org, grant.org_id))
    else:
        require_root(actor)
    with committed():
        audit.record(actor, "grant.revoke", "grant", grant.id, before=audit.snapshot(grant, GRANT_FIELDS))
        db.session.delete(grant)

