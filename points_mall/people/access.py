"""Who is acting, and over what: roles scoped to an organisation subtree or a shop."""
from dataclasses import dataclass, field

from sqlalchemy import select

from points_mall.errors import DomainError, Forbidden
from points_mall.extensions import db
from points_mall.people.models import Grant, Member, Org, StaffUser

# An admin may do what an organizer may, within the same subtree.
IMPLIED = {"organizer": ("organizer", "admin"), "admin": ("admin",), "shopkeeper": ("shopkeeper", "admin")}


@dataclass(frozen=True)
class GrantScope:
    role: str
    org_path: str | None  # None with shop_id None: the whole tree
    shop_id: int | None = None


@dataclass(frozen=True)
class Actor:
    """The authenticated caller: a member (WeChat) or a staff account (password)."""

    kind: str  # "member" or "staff"
    id: int
    grants: tuple[GrantScope, ...] = field(default=())
    linked_member: int | None = None  # a staff account's member, when the person is a member too

    @property
    def member_id(self) -> int | None:
        """The member this caller is, however they logged in: a member token, or a staff account of a member."""
        return self.id if self.kind == "member" else self.linked_member

    @property
    def key(self) -> str:
        """How records say who acted: staff:3, member:7."""
        return f"{self.kind}:{self.id}"

    @property
    def roles(self) -> list[str]:
        return sorted({g.role for g in self.grants})

    def covers_org(self, role: str, org: Org) -> bool:
        return any(
            g.role in IMPLIED[role] and g.shop_id is None and (g.org_path is None or org.path.startswith(g.org_path))
            for g in self.grants
        )

    def covers_shop(self, shop_id: int, shop_org: Org | None) -> bool:
        return any(g.role == "shopkeeper" and g.shop_id == shop_id for g in self.grants) or (
            shop_org is not None and self.covers_org("admin", shop_org)
        )

    def org_scope(self, role: str):
        """A SQL condition on Org for the subtrees this role covers (true for the whole tree)."""
        from sqlalchemy import false, or_, true

        paths = [g.org_path for g in self.grants if g.role in IMPLIED[role] and g.shop_id is None]
        if None in paths:
            return true()
        return or_(*(Org.path.startswith(p) for p in paths)) if paths else false()

    def is_root(self, role: str) -> bool:
        return any(g.role in IMPLIED[role] and g.org_path is None and g.shop_id is None for g in self.grants)


def member_behind(key: str | None) -> int | None:
    """The member an actor key on a record stands for: member:7 is 7, staff:3 its account's member."""
    kind, _, ident = (key or "").partition(":")
    if not ident.isdigit():
        return None
    if kind == "member":
        return int(ident)
    if kind == "staff":
        return db.session.scalar(select(StaffUser.member_id).where(StaffUser.id == int(ident)))
    return None


def same_person(actor: Actor, key: str | None) -> bool:
    """Whether the actor key on a record names the caller, under either of their log-ins."""
    return actor.key == key or (actor.member_id is not None and actor.member_id == member_behind(key))


def refuse_own(actor: Actor, member_ids, code: str = "own_points") -> None:
    """No one approves, corrects or awards their own points: 403 when the caller is one of these members."""
    if actor.member_id is not None and actor.member_id in set(member_ids):
        raise Forbidden(code, details={"member_id": actor.member_id})


def member_key(member_id: int) -> str:
    """The key a member acting for themselves leaves on records (member:7)."""
    return Actor("member", member_id).key


def actor_names(keys) -> dict[str, str]:
    """Each actor key (staff:3, member:7) as the person's name; a key naming nobody stands for itself."""
    ids: dict[str, set[int]] = {"staff": set(), "member": set()}
    for key in keys:
        kind, _, ident = (key or "").partition(":")
        if kind in ids and ident.isdigit():
            ids[kind].add(int(ident))
    found = []
    if ids["staff"]:
        found += [("staff", i, display or username) for i, display, username in db.session.execute(
            select(StaffUser.id, StaffUser.display_name, StaffUser.username).where(StaffUser.id.in_(ids["staff"])))]
    if ids["member"]:
        found += [("member", i, name) for i, name in db.session.execute(
            select(Member.id, Member.name).where(Member.id.in_(ids["member"])))]
    names = {Actor(kind, i).key: name for kind, i, name in found}
    return {key: names.get(key, key) for key in keys if key}


def active_member_id(member_id: int, issued_at: float | None = None) -> int:
    """The member's id, if they are still switched on (a token outlives a deactivation by days) and the
    token (issued at issued_at, epoch seconds) was not issued to a WeChat the member has moved away from."""
    row = db.session.execute(select(Member.status, Member.tokens_after).where(Member.id == member_id)).first()
    if row is None or row.status != "active":
        raise DomainError("member_inactive")
    if issued_at is not None and row.tokens_after and issued_at < row.tokens_after.timestamp():
        raise DomainError("invalid_token")
    return member_id


def load_actor(kind: str, actor_id: int, issued_at: float | None = None) -> Actor:
    """The caller with their grants; a staff account or member switched off since its token was issued is refused."""
    linked = None
    if kind == "staff":
        account = db.session.execute(select(StaffUser.active, StaffUser.member_id)
                                     .where(StaffUser.id == actor_id)).first()
        if account is None or not account.active:
            raise DomainError("account_disabled")
        linked = account.member_id
    if kind == "member":
        active_member_id(actor_id, issued_at)  # switched off or moved since the token was issued: the console too
    column = Grant.member_id if kind == "member" else Grant.staff_id
    rows = db.session.execute(
        select(Grant.role, Org.path, Grant.shop_id).outerjoin(Org, Grant.org_id == Org.id).where(column == actor_id)
    ).all()
    return Actor(kind, actor_id, tuple(GrantScope(r.role, r.path, r.shop_id) for r in rows), linked)


def out_of_scope(details: dict | None = None) -> Forbidden:
    return Forbidden("out_of_scope", details=details)


def require_role(actor: Actor, role: str) -> None:
    if not any(g.role in IMPLIED[role] for g in actor.grants):
        raise Forbidden("forbidden", details={"role": role})


def require_org(actor: Actor, role: str, org: Org) -> None:
    require_role(actor, role)
    if not actor.covers_org(role, org):
        raise out_of_scope({"org_id": org.id})


def require_root(actor: Actor, role: str = "admin") -> None:
    """Park-wide settings (rules, the top of the tree) need a grant over the whole tree."""
    require_role(actor, role)
    if not actor.is_root(role):
        raise out_of_scope()


def require_members(actor: Actor, role: str, members: list[Member]) -> None:
    require_role(actor, role)
    outside = [m.id for m in members if not actor.covers_org(role, m.org)]
    if outside:
        raise out_of_scope({"member_ids": outside})


def get_org(org_id: int) -> Org:
    org = db.session.get(Org, org_id)
    if org is None:
        raise DomainError("unknown_org", details={"org_id": org_id})
    return org


# The command line acts as an admin over the whole tree.
SYSTEM = Actor("system", 0, (GrantScope("admin", None),))


def describe_session(kind: str, actor_id: int) -> dict:
    """Who the console is talking to: name, roles and each grant with its organisation or shop named,
    so the console shows only the menus these grants open (the API still checks every call)."""
    from points_mall.mall.models import Shop

    actor = load_actor(kind, actor_id)
    if kind == "staff":
        user = db.session.get(StaffUser, actor_id)
        name = user.display_name or user.username
    else:
        name = db.session.get(Member, actor_id).name
    column = Grant.member_id if kind == "member" else Grant.staff_id
    rows = db.session.execute(
        select(Grant.role, Grant.org_id, Org.name.label("org_name"), Grant.shop_id, Shop.name.label("shop_name"))
        .outerjoin(Org, Grant.org_id == Org.id).outerjoin(Shop, Grant.shop_id == Shop.id)
        .where(column == actor_id).order_by(Grant.id)
    ).all()
    return {"kind": kind, "id": actor_id, "name": name, "roles": actor.roles, "grants": [r._asdict() for r in rows]}
