"""Members as the admin keeps them (党员管理): search with paging, edit, switch off, export, check an import."""
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from points_mall.errors import DomainError, NotFound
from points_mall.extensions import db
from points_mall.people.models import Member, Org
from points_mall.people.models import MEMBER_STATUSES, MEMBER_TYPES
from points_mall.common.fields import mask_phone
from points_mall.audit import trail as audit
from points_mall.people import member_changes, members
from points_mall.people.access import Actor, get_org, require_org, require_role
from points_mall.common.paging import Page, Paged, page_of
from points_mall.common.tx import committed

STATUS_NAMES = member_changes.STATUS_NAMES


def _filtered(actor: Actor, org_id: int | None, q: str | None, member_type: str | None, status: str | None,
              role: str = "organizer"):
    stmt = select(Member).join(Org, Org.id == Member.org_id).where(actor.org_scope(role))
    if org_id is not None:
        org = get_org(org_id)
        require_org(actor, role, org)
        stmt = stmt.where(Org.path.startswith(org.path))
    if q:
        stmt = stmt.where(func.lower(Member.name).contains(q.lower()) | Member.phone.contains(q))
    if member_type:
        stmt = stmt.where(Member.member_type == member_type)
    if status:
        stmt = stmt.where(Member.status == status)
    return stmt


def search(actor: Actor, page: Page, org_id=None, q=None, member_type=None, status=None) -> Paged:
    """One page of the members in the caller's scope, and how many match in all (filtered in SQL)."""
    require_role(actor, "organizer")
    stmt = _filtered(actor, org_id, q, member_type, status)
    # The page is already joined to Org: fill member.org from that join, not one query per row.
    return page_of(stmt.options(contains_eager(Member.org)).order_by(Member.id), page)


def update_member(actor: Actor, member_id: int, **changes) -> Member:
    """Edit a member's record. A new branch, type or status is a dated change (member_changes) from today,
    so the member's history is kept whichever way the admin made it."""
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound("unknown_member", details={"member_id": member_id})
    require_org(actor, "admin", member.org)
    lifecycle = {k: changes.pop(k) for k in ("org_id", "member_type", "status")
                 if k in changes and changes[k] != getattr(member, k)}
    changes = {k: v for k, v in changes.items() if k not in ("org_id", "member_type", "status")}
    if "phone" in changes and changes["phone"] != member.phone:
        clash = db.session.scalar(select(Member.id).where(Member.phone == changes["phone"], Member.id != member.id))
        if clash is not None:
            raise DomainError("duplicate_phone", details={"phone": changes["phone"]})
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if not changes["name"]:
            raise DomainError("invalid_name")
    if lifecycle.get("member_type") not in (None, *MEMBER_TYPES) or lifecycle.get("status") not in (None, *MEMBER_STATUSES):
        raise DomainError("invalid_member_type")
    with committed("duplicate_phone"):
        if lifecycle:
            member = member_changes.locked_member(member_id)
        if "org_id" in lifecycle:
            member_changes.move(actor, member, lifecycle["org_id"], member_changes.today())
        if "member_type" in lifecycle:
            member_changes.retype(actor, member, lifecycle["member_type"], member_changes.today())
        if "status" in lifecycle:
            member_changes.restatus(actor, member, lifecycle["status"])
        before = audit.snapshot(member, changes)
        for key, value in changes.items():
            setattr(member, key, value)
        if changes or not lifecycle:
            audit.record(actor, "member.edit", "member", member.id, before, audit.snapshot(member, changes))
    return member


def export_sheet(actor: Actor, org_id=None, q=None, member_type=None, status=None) -> list[tuple]:
    """Every matching member, for a workbook (phones masked as on the screen)."""
    require_role(actor, "organizer")
    stmt = _filtered(actor, org_id, q, member_type, status).add_columns(Org.name).order_by(Org.path, Member.id)
    rows = [[m.name, mask_phone(m.phone), m.member_type, org_name, _day(m.party_birthday), _day(m.joined_on),
             STATUS_NAMES.get(m.status, m.status), "是" if m.openid else "否"]
            for m, org_name in db.session.execute(stmt)]
    return [("党员名册", ["姓名", "手机号", "类型", "所属组织", "入党日期", "加入日期", "状态", "已绑定微信"], rows)]


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def check_import(actor: Actor, content: bytes) -> dict:
    """The import's dry run: every row with its errors, nothing written, so the admin can fix the file first."""
    require_role(actor, "admin")
    rows, errors, ready = members.check_import(actor, content)
    by_row: dict[int, list[dict]] = {}
    for e in errors:
        by_row.setdefault(e["row"], []).append({"code": e["code"], "message": e["message"]})
    preview = [{"row": r["row"], "name": members.cell_text(r["姓名"]), "phone": members.cell_text(r["手机号"]),
                "member_type": members.cell_text(r["类型"]), "org": members.cell_text(r["所属组织"]),
                "errors": by_row.get(r["row"], [])} for r in rows]
    return {"rows": len(rows), "valid": len(ready), "error_count": len(errors), "ok": not errors,
            "preview": preview, "errors": errors}
