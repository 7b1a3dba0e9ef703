"""The organisation tree and role grants."""
from sqlalchemy import select

from points_mall.errors import DomainError, NotFound
from points_mall.extensions import db
from points_mall.people.models import Grant, Member, Org, StaffUser
from points_mall.people.models import ROLES
from points_mall.people.models import ORG_KINDS
from points_mall.audit import trail as audit
from points_mall.people.access import Actor, get_org, require_org, require_root
from points_mall.common.tx import committed

ORG_FIELDS = ("name", "kind", "parent_id", "path")
GRANT_FIELDS = ("role", "member_id", "staff_id", "org_id", "shop_id")


def create_org(actor: Actor, name: str, kind: str, parent_id: int | None) -> Org:
    if kind not in ORG_KINDS:
        raise DomainError("invalid_org_kind", details={"allowed": list(ORG_KINDS)})
    if parent_id is None:
        require_root(actor)
        parent = None
    else:
        parent = get_org(parent_id)
        require_org(actor, "admin", parent)
    with committed("duplicate_org", details={"name": (name or "").strip()}):
        org = add_org(name, kind, parent)
        audit.record(actor, "org.create", "org", org.id, after=audit.snapshot(org, ORG_FIELDS))
    return org


def add_org(name: str, kind: str, parent: Org | None) -> Org:
    name = (name or "").strip()
    if not name:
        raise DomainError("invalid_name")
    if parent is not None and not parent.active:
        raise DomainError("org_retired", details={"org_id": parent.id, "org": parent.name})
    siblings = select(Org).where(Org.name == name, Org.parent_id == (parent.id if parent else None))
    if db.session.scalar(siblings) is not None:
        raise DomainError("duplicate_org", details={"name": name})
    org = Org(name=name, kind=kind, parent_id=parent.id if parent else None)
    db.session.add(org)
    db.session.flush()
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    return org


def subtree(actor: Actor) -> list[Org]:
    """The orgs the actor may see as staff: every subtree they were granted."""
    orgs = db.session.scalars(select(Org).order_by(Org.path)).all()
    return [o for o in orgs if any(actor.covers_org(role, o) for role in ("organizer", "shopkeeper"))]


def grant_role(actor: Actor, role: str, *, member_id: int | None = None, username: str | None = None,
               org_id: int | None = None, shop_id: int | None = None) -> Grant:
    if role not in ROLES:
        raise DomainError("invalid_role", details={"allowed": list(ROLES)})
    if (member_id is None) == (username is None):
        raise DomainError("invalid_holder")
    if (org_id is None) == (shop_id is None):
        raise DomainError("invalid_scope")
    if (role == "shopkeeper") != (shop_id is not None):
        raise DomainError("invalid_scope:role")
    if org_id is not None:
        require_org(actor, "admin", get_org(org_id))
    else:
        require_root(actor)
    holder = {}
    if member_id is not None:
        if db.session.get(Member, member_id) is None:
            raise NotFound("unknown_member", details={"member_id": member_id})
        holder["member_id"] = member_id
    else:
        user = db.session.scalar(select(StaffUser).where(StaffUser.username == username))
        if user is None:
            raise NotFound("unknown_user", details={"username": username})
        holder["staff_id"] = user.id
    grant = Grant(role=role, org_id=org_id, shop_id=shop_id, **holder)
    with committed("duplicate_grant"):  # uq_grant: the same grant twice, even at the same moment
        db.session.add(grant)
        db.session.flush()
        audit.record(actor, "grant.create", "grant", grant.id, after=audit.snapshot(grant, GRANT_FIELDS))
    return grant
