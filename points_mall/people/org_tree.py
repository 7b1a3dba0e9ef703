"""Keeping the organisation tree (组织架构): list as a tree, rename, move, retire."""
from sqlalchemy import String, func, literal, select, update

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.people.models import Member, Org
from points_mall.audit import trail as audit
from points_mall.board import board_cache
from points_mall.people.access import Actor, get_org, require_org, require_role, require_root
from points_mall.common.tx import committed


def tree(actor: Actor, include_retired: bool = False) -> list[dict]:
    """The organisations the admin keeps, as nested nodes with their count of active members."""
    require_role(actor, "admin")
    stmt = select(Org).where(actor.org_scope("admin")).order_by(Org.path)
    if not include_retired:
        stmt = stmt.where(Org.active)
    orgs = db.session.scalars(stmt).all()
    counts = dict(db.session.execute(
        select(Member.org_id, func.count()).where(Member.status == "active").group_by(Member.org_id)).all())
    nodes = {o.id: {"id": o.id, "name": o.name, "kind": o.kind, "parent_id": o.parent_id, "active": o.active,
                    "members": counts.get(o.id, 0), "children": []} for o in orgs}
    roots = []
    for o in orgs:  # ordered by path, so a parent always comes before its children
        parent = nodes.get(o.parent_id)
        (parent["children"] if parent else roots).append(nodes[o.id])
    return roots


def _keepable(actor: Actor, org_id: int) -> Org:
    org = get_org(org_id)
    if org.parent_id is None:
        require_root(actor)
    else:
        require_org(actor, "admin", org)
    return org


def _unique_among_siblings(name: str, parent_id: int | None, own_id: int) -> None:
    clash = db.session.scalar(select(Org.id).where(Org.name == name, Org.parent_id == parent_id, Org.id != own_id))
    if clash is not None:
        raise DomainError("duplicate_org", details={"name": name})


def rename(actor: Actor, org_id: int, name: str) -> Org:
    org = _keepable(actor, org_id)
    name = (name or "").strip()
    if not name:
        raise DomainError("invalid_name")
    _unique_among_siblings(name, org.parent_id, org.id)
    with committed("duplicate_org", details={"name": name}):
        audit.record(actor, "org.rename", "org", org.id, {"name": org.name}, {"name": name})
        org.name = name
    return org


def move(actor: Actor, org_id: int, parent_id: int) -> Org:
    """Put a node and its whole subtree under another parent (never under itself)."""
    org = _keepable(actor, org_id)
    if org.parent_id is None:
        raise DomainError("cannot_move_root")
    parent = get_org(parent_id)
    require_org(actor, "admin", parent)
    if parent.path.startswith(org.path):
        raise DomainError("move_into_own_subtree", details={"org_id": org.id, "parent_id": parent.id})
    if not parent.active:
        raise DomainError("org_retired", details={"org_id": parent.id, "org": parent.name})
    _unique_among_siblings(org.name, parent.id, org.id)
    old, new = org.path, f"{parent.path}{org.id}/"
    with committed("duplicate_org", details={"name": org.name}):
        audit.record(actor, "org.move", "org", org.id, {"parent_id": org.parent_id, "path": old},
                     {"parent_id": parent.id, "path": new})
        org.parent_id = parent.id
        board_cache.org_moved(old, new)
        # One UPDATE rewrites the materialised path of the node and everything below it.
        db.session.execute(update(Org).where(Org.path.startswith(old))
                           .values(path=literal(new, String).concat(func.substr(Org.path, len(old) + 1)))
                           .execution_options(synchronize_session=False))
    db.session.refresh(org)
    return org


def retire(actor: Actor, org_id: int) -> Org:
    """Retire a node that no longer has active members or active children (撤销)."""
    org = _keepable(actor, org_id)
    if org.parent_id is None:
        raise DomainError("cannot_retire_root")
    children = db.session.scalar(select(func.count()).where(Org.parent_id == org.id, Org.active))
    members = db.session.scalar(select(func.count()).select_from(Member)
                                .where(Member.org_id == org.id, Member.status == "active"))
    if children or members:
        raise DomainError("org_not_empty", details={"children": children, "members": members})
    with committed("conflict"):
        audit.record(actor, "org.retire", "org", org.id, {"active": org.active}, {"active": False})
        org.active = False
    return org
