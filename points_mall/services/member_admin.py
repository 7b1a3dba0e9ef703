"""Members as the admin keeps them (党员管理): search with paging, edit, switch off, export, check an import."""
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from ..errors import DomainError, NotFound
from ..extensions import db
from ..models import Member, Org
from ..models.member import MEMBER_STATUSES, MEMBER_TYPES
from ..schemas.common import mask_phone
from . import audit, members
from .access import Actor, get_org, require_org, require_role
from .tx import committed

STATUS_NAMES = {"active": "正常", "inactive": "停用", "transferred": "已转出"}


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


def search(actor: Actor, org_id=None, q=None, member_type=None, status=None, *, offset: int = 0,
           limit: int = 20) -> tuple[list[Member], int]:
    """One page of the members in the caller's scope, and how many match in all (filtered in SQL)."""
    require_role(actor, "organizer")
    stmt = _filtered(actor, org_id, q, member_type, status)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    # The page is already joined to Org: fill member.org from that join, not one query per row.
    page = db.session.scalars(stmt.options(contains_eager(Member.org)).order_by(Member.id).offset(offset).limit(limit)).all()
    return list(page), total


def update_member(actor: Actor, member_id: int, **changes) -> Member:
    """Edit a member's record; moving them to another branch needs the admin to cover both."""
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound("unknown_member", details={"member_id": member_id})
    require_org(actor, "admin", member.org)
    if changes.get("org_id") not in (None, member.org_id):
        org = get_org(changes["org_id"])
        require_org(actor, "admin", org)
        if not org.active:
            raise DomainError("org_retired", details={"org_id": org.id, "org": org.name})
    if "phone" in changes and changes["phone"] != member.phone:
        clash = db.session.scalar(select(Member.id).where(Member.phone == changes["phone"], Member.id != member.id))
        if clash is not None:
            raise DomainError("duplicate_phone", details={"phone": changes["phone"]})
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if not changes["name"]:
            raise DomainError("invalid_name")
    if changes.get("member_type") not in (None, *MEMBER_TYPES) or changes.get("status") not in (None, *MEMBER_STATUSES):
        raise DomainError("invalid_member_type")
    with committed("duplicate_phone", "手机号已登记"):
        before = audit.snapshot(member, changes)
        for key, value in changes.items():
            setattr(member, key, value)
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
    preview = [{"row": r["row"], "name": members._text(r["姓名"]), "phone": members._text(r["手机号"]),
                "member_type": members._text(r["类型"]), "org": members._text(r["所属组织"]),
                "errors": by_row.get(r["row"], [])} for r in rows]
    return {"rows": len(rows), "valid": len(ready), "error_count": len(errors), "ok": not errors,
            "preview": preview, "errors": errors}
