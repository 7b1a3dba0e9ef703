"""Opening balances (期初积分): a park moving from paper imports each member's spendable points and
year's scores by dimension, checked row by row first, then all rows or none, as `adjust` entries whose
source names the import. A member is imported once: the opening_balance row's primary key is the member,
so of two imports naming the same member at once, the second finds the first's row and is refused."""

from sqlalchemy import func, select

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.people.models import Member, Org
from points_mall.points.models import DIMENSIONS, LedgerEntry
from points_mall.year.models import OpeningBalance, OpeningImport
from points_mall.common.fields import mask_phone
from points_mall.audit import trail as audit
from points_mall.common import export
from points_mall.points import ledger
from points_mall.people.access import Actor, require_role
from points_mall.accounts.auth import PHONE
from points_mall.common.clock import local_year, utcnow
from points_mall.year.lapse import turn_of_year
from points_mall.people.members import cell_text, read_sheet
from points_mall.common.paging import Page, Paged, page_of
from points_mall.common.tx import committed

DIMENSION_COLUMNS = ("学习", "服务", "业绩", "道德", "廉洁")  # in the order of DIMENSIONS
COLUMNS = ("姓名", "手机号", "超市积分", *DIMENSION_COLUMNS)
MAX_SPENDABLE = 1_000_000
MAX_SCORE = 100_000


def template() -> bytes:
    """The sheet to fill in: the header row, and a second sheet that says how."""
    notes = [["每行一名党员：按手机号找到党员，姓名须与登记一致（用于核对）。"],
             ["超市积分：可兑换商品的积分，0或正整数。"],
             ["学习、服务、业绩、道德、廉洁：导入年度的年度积分，整数，可为负（如廉洁扣分），空白为0。"],
             ["每名党员只能导入一次期初积分；全部无误才会导入，有错误时一行也不写入。"]]
    return export.workbook_of([("期初积分", list(COLUMNS), []), ("填写说明", ["说明"], notes)])


def _number(value, column: str, low: int, high: int, fail) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        fail("invalid_points", f"“{column}”应为整数，现为“{value}”")
        return 0
    if not low <= value <= high:
        fail("invalid_points", f"“{column}”应在{low}到{high}之间")
        return 0
    return value


def check(actor: Actor, content: bytes) -> tuple[list[dict], list[dict], list[dict]]:
    """Read and check every row, writing nothing: (rows as read, row errors, rows ready to import)."""
    require_role(actor, "admin")
    rows = read_sheet(content, COLUMNS)
    if not rows:
        raise DomainError("empty_file")
    phones = [cell_text(r["手机号"]) for r in rows]
    members = {m.phone: m for m in db.session.scalars(select(Member).where(Member.phone.in_(phones)))}
    orgs = {o.id: o for o in db.session.scalars(select(Org).where(Org.id.in_({m.org_id for m in members.values()})))}
    imported = dict(db.session.execute(select(OpeningBalance.member_id, OpeningBalance.import_id).where(
        OpeningBalance.member_id.in_([m.id for m in members.values()]))).all())
    seen: dict[str, int] = {}
    errors, ready = [], []
    for r in rows:
        row_errors = []

        def fail(code, message):
            row_errors.append({"row": r["row"], "code": code, "message": message})
        name, phone = cell_text(r["姓名"]), cell_text(r["手机号"])
        member = members.get(phone)
        if not PHONE.match(phone):
            fail("invalid_phone", f"手机号“{phone}”格式不正确")
        elif member is None:
            fail("unknown_member", f"手机号{phone}未登记，请先在党员管理中导入该党员")
        elif member.name != name:
            fail("name_mismatch", f"姓名与登记不符：手机号{phone}登记的是{member.name}")
        elif not actor.covers_org("admin", orgs[member.org_id]):
            fail("out_of_scope", f"{member.name}所在组织超出您的管理范围")
        elif member.id == actor.member_id:
            fail("own_points", f"不能为自己导入期初积分：{member.name}这一行请由其他管理员导入")
        elif member.id in imported:
            fail("already_imported", f"{member.name}已在第{imported[member.id]}号导入中导入过期初积分，不能重复导入")
        if phone in seen:
            fail("duplicate_phone", f"手机号与第{seen[phone]}行重复")
        seen.setdefault(phone, r["row"])
        spendable = _number(r["超市积分"], "超市积分", 0, MAX_SPENDABLE, fail)
        scores = {d: _number(r[c], c, -MAX_SCORE, MAX_SCORE, fail) for d, c in zip(DIMENSIONS, DIMENSION_COLUMNS)}
        if row_errors:
            errors.extend(row_errors)
        else:
            ready.append({"member_id": member.id, "spendable": spendable, "scores": scores})
    return rows, errors, ready


def check_report(actor: Actor, content: bytes) -> dict:
    """The dry run the console shows: every row with its errors."""
    rows, errors, ready = check(actor, content)
    by_row: dict[int, list[dict]] = {}
    for e in errors:
        by_row.setdefault(e["row"], []).append({"code": e["code"], "message": e["message"]})
    preview = [{"row": r["row"], "name": cell_text(r["姓名"]), "phone": mask_phone(cell_text(r["手机号"])) or cell_text(r["手机号"]),
                "spendable": cell_text(r["超市积分"]), "scores": {d: cell_text(r[c]) for d, c in zip(DIMENSIONS, DIMENSION_COLUMNS)},
                "errors": by_row.get(r["row"], [])} for r in rows]
    return {"rows": len(rows), "valid": len(ready), "error_count": len(errors), "ok": not errors,
            "preview": preview, "errors": errors}


def import_opening(actor: Actor, content: bytes, year: int | None = None, filename: str = "") -> dict:
    """Check every row; then write all rows, or none with the list of row errors."""
    this_year = local_year(utcnow())
    year = year or this_year
    if year > this_year:  # the entries are dated 1 January of the year: never in the future
        raise DomainError("future_year", details={"year": year})
    rows, errors, ready = check(actor, content)
    if errors:
        raise DomainError("import_rejected", details={"count": len(errors), "errors": errors, "rows": len(rows)})
    try:
        with committed("already_imported"):
            batch = _write(actor, year, filename, ready)
    except DomainError as e:
        if e.code != "already_imported":
            raise
        # Another import took some of these members meanwhile: say which, row by row.
        rows, errors, _ = check(actor, content)
        if not errors:
            raise
        raise DomainError("import_rejected", details={"count": len(errors), "errors": errors, "rows": len(rows)})
    return {"id": batch.id, "year": batch.year, "filename": batch.filename, "rows": batch.rows,
            "spendable": sum(r["spendable"] for r in ready), "created_by": audit_name(batch.created_by),
            "created_at": batch.created_at}


def _write(actor: Actor, year: int, filename: str, ready: list[dict]) -> OpeningImport:
    batch = OpeningImport(year=year, filename=(filename or "")[:200], rows=len(ready), created_by=actor.key,
                          created_at=utcnow())
    db.session.add(batch)
    db.session.flush()
    ready = sorted(ready, key=lambda r: r["member_id"])  # two imports meet in the same order: no deadlock
    # The claims first, so a second import naming the same member waits here and is then refused.
    db.session.add_all(OpeningBalance(member_id=r["member_id"], import_id=batch.id, spendable=r["spendable"],
                                      scores=r["scores"]) for r in ready)
    db.session.flush()
    start = turn_of_year(year - 1)  # counted as earned on 1 January: the oldest points a member has
    reason = f"期初积分（第{batch.id}号导入，{year}年）"
    for r in ready:
        if r["spendable"]:
            ledger.post(LedgerEntry(member_id=r["member_id"], kind="adjust", delta_spendable=r["spendable"],
                                    idempotency_key=f"opening:{r['member_id']}:spendable", source_type="opening_import",
                                    source_id=batch.id, actor=actor.key, reason=reason, occurred_at=start, year=year))
        for dimension, score in r["scores"].items():
            if score:
                ledger.post(LedgerEntry(member_id=r["member_id"], kind="adjust", dimension=dimension,
                                        delta_score=score, idempotency_key=f"opening:{r['member_id']}:{dimension}",
                                        source_type="opening_import", source_id=batch.id, actor=actor.key,
                                        reason=reason, occurred_at=start, year=year))
    audit.record(actor, "opening.import", "opening_import", batch.id, None,
                 {"year": year, "filename": batch.filename, "rows": len(ready),
                  "spendable": sum(r["spendable"] for r in ready),
                  "members": [r["member_id"] for r in ready]})
    return batch


def imports(actor: Actor, page: Page) -> Paged:
    """The imports so far, newest first, with their totals."""
    require_role(actor, "admin")
    stmt = select(OpeningImport)
    if not actor.is_root("admin"):  # a branch's admin sees the imports that touched their members
        touched = (select(OpeningBalance.import_id).join(Member, Member.id == OpeningBalance.member_id)
                   .join(Org, Org.id == Member.org_id).where(actor.org_scope("admin")))
        stmt = stmt.where(OpeningImport.id.in_(touched))
    sums = (select(OpeningBalance.import_id, func.sum(OpeningBalance.spendable).label("spendable"))
            .group_by(OpeningBalance.import_id).subquery())
    found = page_of(stmt.add_columns(sums.c.spendable).outerjoin(sums, sums.c.import_id == OpeningImport.id)
                    .order_by(OpeningImport.id.desc()), page, rows=True)
    found.items = [{"id": i.id, "year": i.year, "filename": i.filename, "rows": i.rows,
                    "created_by": audit_name(i.created_by), "created_at": i.created_at, "spendable": int(s or 0)}
                   for i, s in found.items]
    return found


def audit_name(key: str) -> str:
    kind, _, ident = key.partition(":")
    return audit._actor_name(kind, int(ident)) if ident.isdigit() else key
