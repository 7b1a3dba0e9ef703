"""The points archive (积分档案): staff search the members in their scope and read the ledger across it.

Lists are paged on the server. The member search pages by offset (100,000 members at most, a count for
the pager); the ledger pages by a keyset cursor over (occurred_at, id), newest first, so that a deep page
costs what the first one does at 10 million entries, and entries posted while someone pages through
neither repeat nor push others off a page.
"""
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, text, true, tuple_

from points_mall.errors import DomainError, NotFound
from points_mall.extensions import db
from points_mall.points.models import Balance, LedgerEntry, Rule, RuleVersion, Score
from points_mall.people.models import Member, Org, StaffUser
from points_mall.common.fields import mask_phone
from points_mall.people.access import Actor, get_org, out_of_scope, require_org, require_role
from points_mall.common.clock import local, local_year, utcnow
from points_mall.common.paging import Page, Paged, after_cursor
from points_mall.points.profile import stars_for

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
KIND_NAMES = {"award": "奖励", "deduct": "扣分", "redeem": "兑换", "refund": "退还", "expire": "清零",
              "adjust": "调整", "reversal": "冲正"}
DIMENSION_NAMES = {"study": "学习", "service": "服务", "performance": "业绩", "morality": "道德", "integrity": "廉洁"}
STATUS_NAMES = {"active": "正常", "inactive": "停用", "transferred": "已转出"}


# --- members -----------------------------------------------------------------------------------------

def _scoped_members(actor: Actor, org_id: int | None):
    """Members (joined to their branch) the caller covers, within org_id's subtree when given."""
    require_role(actor, "organizer")
    stmt = select(Member.id).join(Org, Org.id == Member.org_id)
    if not actor.is_root("organizer"):
        stmt = stmt.where(actor.org_scope("organizer"))
    if org_id is not None:
        org = get_org(org_id)
        require_org(actor, "organizer", org)
        stmt = stmt.where(Org.path.startswith(org.path))
    return stmt


def _member_filters(stmt, name: str | None, phone: str | None, member_type: str | None, status: str | None):
    if name:
        stmt = stmt.where(Member.name.contains(name.strip(), autoescape=True))
    if phone:
        # Eleven digits are the whole number (its unique index); four are its end (an expression index).
        if len(phone) == 11:
            stmt = stmt.where(Member.phone == phone)
        else:
            stmt = stmt.where(func.right(Member.phone, 4) == phone)
    if member_type:
        stmt = stmt.where(Member.member_type == member_type)
    if status:
        stmt = stmt.where(Member.status == status)
    return stmt


def search_members(actor: Actor, *, name=None, phone=None, org_id=None, member_type=None, status=None,
                   offset: int = 0, limit: int = 20, year: int | None = None) -> tuple[list[dict], int]:
    """One page of the members in scope that match, each with this year's score and spendable balance,
    and how many match in all."""
    stmt = _member_filters(_scoped_members(actor, org_id), name, phone, member_type, status)
    # The page and the count in one pass (a name is found by reading every name in scope, so read once).
    page = db.session.execute(stmt.add_columns(func.count().over()).order_by(Member.id).offset(offset).limit(limit)).all()
    if page:
        total = page[0][1]
    else:
        total = 0 if offset == 0 else db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    return _member_rows([r[0] for r in page], year or local_year(utcnow())), total


def _member_rows(ids: list[int], year: int) -> list[dict]:
    if not ids:
        return []
    score = (select(Score.member_id, func.sum(Score.score).label("score"))
             .where(Score.member_id.in_(ids), Score.year == year).group_by(Score.member_id).subquery())
    rows = db.session.execute(
        select(Member.id, Member.name, Member.phone, Member.member_type, Member.status, Member.org_id,
               Org.name.label("org"), func.coalesce(score.c.score, 0).label("score"),
               func.coalesce(Balance.spendable, 0).label("spendable"))
        .join(Org, Org.id == Member.org_id).outerjoin(score, score.c.member_id == Member.id)
        .outerjoin(Balance, Balance.member_id == Member.id).where(Member.id.in_(ids)).order_by(Member.id)).all()
    return [{**r._asdict(), "phone": mask_phone(r.phone), "year": year, "stars": stars_for(r.score)} for r in rows]


def member_in_scope(actor: Actor, member_id: int) -> Member:
    """The member, if the caller covers their branch (404 unknown, 403 outside the scope)."""
    require_role(actor, "organizer")
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound("unknown_member", details={"member_id": member_id})
    if not actor.covers_org("organizer", member.org):
        raise out_of_scope({"member_id": member_id})
    return member


# --- the ledger --------------------------------------------------------------------------------------

def encode_cursor(occurred_at: datetime, entry_id: int) -> str:
    micros = (occurred_at - EPOCH) // timedelta(microseconds=1)
    return f"{micros}_{entry_id}"


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    micros, _, entry_id = cursor.partition("_")
    try:
        return EPOCH + timedelta(microseconds=int(micros)), int(entry_id)
    except (ValueError, OverflowError):
        raise DomainError("invalid_cursor")


def _ledger_filters(actor: Actor, *, member_id=None, org_id=None, kind=None, dimension=None, rule_id=None,
                    start: datetime | None = None, end: datetime | None = None, late_only: bool = False):
    """The conditions on the entries, and the members in scope (None: the whole tree, or one member)."""
    require_role(actor, "organizer")
    conds, scope = [], None
    if member_id is not None:
        member_in_scope(actor, member_id)
        conds.append(LedgerEntry.member_id == member_id)
    if org_id is not None or not actor.is_root("organizer"):
        scope = _scoped_members(actor, org_id)
        if member_id is not None:
            scope = None  # the member is in scope already
    if rule_id is not None:
        if db.session.get(Rule, rule_id) is None:
            raise NotFound("unknown_rule", details={"rule_id": rule_id})
        conds.append(LedgerEntry.rule_id == rule_id)
    if kind:
        conds.append(LedgerEntry.kind == kind)
    if dimension:
        conds.append(LedgerEntry.dimension == dimension)
    if start is not None and end is not None and end <= start:
        raise DomainError("invalid_time")
    if start is not None:
        conds.append(LedgerEntry.occurred_at >= start)
    if end is not None:
        conds.append(LedgerEntry.occurred_at < end)
    if late_only:
        conds.append(LedgerEntry.late_correction == true())
    return conds, scope


NEWEST = (LedgerEntry.occurred_at.desc(), LedgerEntry.id.desc())
# A scope up to this many members is read member by member (see _page_by_member); a larger one is a
# large share of all entries, found soon enough walking the whole ledger newest first.
BY_MEMBER_UP_TO = 5000


def _ledger_query(actor: Actor, **filters):
    """The entries in scope that match, newest first; the scope is the members' present branch."""
    conds, scope = _ledger_filters(actor, **filters)
    stmt = select(LedgerEntry).where(*conds)
    if scope is not None:
        stmt = stmt.where(LedgerEntry.member_id.in_(scope))
    return stmt.order_by(*NEWEST)


def _page_ids(conds: list, scope, limit: int) -> list[int]:
    return list(db.session.scalars(page_ids_statement(conds, scope, limit)))


def page_ids_statement(conds: list, scope, limit: int):
    """The ids of the next limit entries of the members in scope, newest first, reading each member's
    own index (member_id, occurred_at, id) instead of walking everyone's entries past a quiet branch:
    first each member's newest matching entry, whose limit-th newest time bounds the page from below
    (that many entries are at least that new), then each member's entries down to that bound."""
    members = scope.cte("scope")
    head = (select(LedgerEntry.occurred_at).where(LedgerEntry.member_id == members.c.id, *conds)
            .order_by(*NEWEST).limit(1).lateral("head"))
    bound = (select(head.c.occurred_at).select_from(members.join(head, true()))
             .order_by(head.c.occurred_at.desc()).offset(limit - 1).limit(1).scalar_subquery())
    rows = (select(LedgerEntry.id, LedgerEntry.occurred_at)
            .where(LedgerEntry.member_id == members.c.id, *conds, LedgerEntry.occurred_at >= func.coalesce(bound, EPOCH))
            .order_by(*NEWEST).limit(limit).lateral("rows"))
    return (select(rows.c.id).select_from(members.join(rows, true()))
            .order_by(rows.c.occurred_at.desc(), rows.c.id.desc()).limit(limit))


def _selective(filters: dict) -> bool:
    """A rule, a kind or the late corrections: member by member these would read most of each member's
    entries (their rows, not the index) to find the few that match; across everyone they have indexes of
    their own. (A dimension matches one entry in five: member by member is still the shorter way.)"""
    return bool(filters.get("rule_id") or filters.get("kind") or filters.get("late_only"))


def ledger_page(actor: Actor, page: Page, **filters) -> Paged:
    """One page of entries, newest first, and the cursor of the next page (None on the last)."""
    conds, scope = _ledger_filters(actor, **filters)
    # The planner prices these nested index probes high enough to compile them (JIT, ~150 ms here)
    # for a statement that runs in 15 ms; for this transaction only.
    db.session.execute(text("SET LOCAL jit = off"))
    limit = page.limit
    if page.cursor:
        at, entry_id = decode_cursor(page.cursor)
        conds.append(tuple_(LedgerEntry.occurred_at, LedgerEntry.id) < tuple_(at, entry_id))
    if scope is not None and not _selective(filters) and db.session.scalar(
            select(func.count()).select_from(scope.limit(BY_MEMBER_UP_TO + 1).subquery())) <= BY_MEMBER_UP_TO:
        ids = _page_ids(conds, scope.with_only_columns(Member.id.label("id")), limit + 1)
        stmt = select(LedgerEntry).where(LedgerEntry.id.in_(ids)) if ids else None
    else:
        stmt = select(LedgerEntry).where(*conds)
        if scope is not None:
            stmt = stmt.where(LedgerEntry.member_id.in_(scope))
    entries = list(db.session.scalars(stmt.order_by(*NEWEST).limit(limit + 1))) if stmt is not None else []
    found = after_cursor(entries, page, lambda e: encode_cursor(e.occurred_at, e.id))
    found.items = describe(found.items)
    return found


def describe(entries: list[LedgerEntry]) -> list[dict]:
    """Each entry as the archive shows it: the member and branch, the rule's name as of the version it
    was posted under, who posted it, and whether it was reversed."""
    if not entries:
        return []
    member_ids = {e.member_id for e in entries}
    members = {r.id: r for r in db.session.execute(
        select(Member.id, Member.name, Org.name.label("org")).join(Org, Org.id == Member.org_id)
        .where(Member.id.in_(member_ids)))}
    versions = {(e.rule_id, e.rule_version) for e in entries if e.rule_id}
    rule_ids = {r for r, _ in versions}
    names = dict(db.session.execute(select(Rule.id, Rule.name).where(Rule.id.in_(rule_ids))).all()) if rule_ids else {}
    if rule_ids:
        names.update({(r.rule_id, r.version): r.name for r in db.session.execute(
            select(RuleVersion.rule_id, RuleVersion.version, RuleVersion.name).where(RuleVersion.rule_id.in_(rule_ids)))})
    reversed_by = dict(db.session.execute(
        select(LedgerEntry.reverses_id, LedgerEntry.id).where(LedgerEntry.reverses_id.in_([e.id for e in entries]))).all())
    staff_ids = {int(a[6:]) for a in (e.actor or "" for e in entries) if a.startswith("staff:") and a[6:].isdigit()}
    staff = {r.id: r.display_name or r.username for r in db.session.execute(
        select(StaffUser.id, StaffUser.display_name, StaffUser.username).where(StaffUser.id.in_(staff_ids)))} \
        if staff_ids else {}
    rows = []
    for e in entries:
        member = members.get(e.member_id)
        rows.append({
            "id": e.id, "member_id": e.member_id, "member_name": member.name if member else "",
            "org": member.org if member else "", "kind": e.kind, "dimension": e.dimension, "year": e.year,
            "rule_id": e.rule_id, "rule_version": e.rule_version,
            "rule_name": names.get((e.rule_id, e.rule_version), names.get(e.rule_id)) if e.rule_id else None,
            "delta_score": e.delta_score, "delta_spendable": e.delta_spendable, "reason": e.reason,
            "actor": e.actor, "actor_name": _actor_name(e.actor, staff, members),
            "occurred_at": e.occurred_at, "created_at": e.created_at, "late_correction": bool(e.late_correction),
            "reverses_id": e.reverses_id, "reversed_by_id": reversed_by.get(e.id)})
    return rows


def _actor_name(actor: str | None, staff: dict, members: dict) -> str:
    kind, _, ident = (actor or "").partition(":")
    if kind == "staff" and ident.isdigit():
        return staff.get(int(ident), "工作人员")
    if kind == "member" and ident.isdigit():
        member = members.get(int(ident))
        return member.name if member else "党员本人"
    return "系统" if not actor or kind == "system" else actor


# --- exports -----------------------------------------------------------------------------------------

MEMBER_HEADERS = ["姓名", "手机号", "类型", "所属组织", "状态", "年度积分", "星级", "超市积分"]
LEDGER_HEADERS = ["时间", "姓名", "所属组织", "类型", "维度", "积分细则", "细则版本", "年度积分", "超市积分", "事由",
                  "经办人", "记账时间", "补录更正", "冲正"]


def too_many(max_rows: int) -> DomainError:
    return DomainError("export_too_large", details={"max": max_rows})


def member_export_rows(actor: Actor, max_rows: int, **filters):
    """Rows for the member search's workbook; more than max_rows matching is refused, not cut."""
    year = filters.pop("year", None) or local_year(utcnow())
    stmt = _member_filters(_scoped_members(actor, filters.pop("org_id", None)), **filters)
    ids = list(db.session.scalars(stmt.order_by(Member.id).limit(max_rows + 1)))
    if len(ids) > max_rows:
        raise too_many(max_rows)

    def rows():
        for start in range(0, len(ids), 1000):
            for r in _member_rows(ids[start:start + 1000], year):
                yield [r["name"], r["phone"], r["member_type"], r["org"], STATUS_NAMES.get(r["status"], r["status"]),
                       r["score"], r["stars"], r["spendable"]]
    return rows()


def ledger_export_rows(actor: Actor, max_rows: int, **filters):
    """Rows for the filtered ledger's workbook, newest first, read a thousand at a time."""
    stmt = _ledger_query(actor, **filters)
    count = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).limit(max_rows + 1).subquery()))
    if count > max_rows:
        raise too_many(max_rows)

    def rows():
        cursor = None
        while True:
            page = stmt if cursor is None else stmt.where(
                tuple_(LedgerEntry.occurred_at, LedgerEntry.id) < tuple_(*cursor))
            entries = list(db.session.scalars(page.limit(1000)))
            for e in describe(entries):
                yield ledger_row(e)
            if len(entries) < 1000:
                return
            cursor = (entries[-1].occurred_at, entries[-1].id)
    return rows()


def ledger_row(e: dict) -> list:
    flags = "已被冲正" if e["reversed_by_id"] else ("冲正记录" if e["reverses_id"] else "")
    return [local(e["occurred_at"]).strftime("%Y-%m-%d %H:%M"), e["member_name"], e["org"],
            KIND_NAMES.get(e["kind"], e["kind"]), DIMENSION_NAMES.get(e["dimension"], e["dimension"] or ""),
            e["rule_name"] or "", e["rule_version"], e["delta_score"], e["delta_spendable"], e["reason"],
            e["actor_name"], local(e["created_at"]).strftime("%Y-%m-%d %H:%M"), "是" if e["late_correction"] else "",
            flags]


def workbook(title: str, headers: list[str], rows) -> bytes:
    """A one-sheet workbook written row by row (openpyxl's write-only mode keeps memory flat)."""
    from io import BytesIO

    from openpyxl import Workbook

    from points_mall.common.export import _cell, cells

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_cell(title)[:31])
    for index, width in enumerate([16] * len(headers)):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    ws.append(cells(ws, headers))
    for row in rows:
        ws.append(cells(ws, row))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
