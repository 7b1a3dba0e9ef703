"""Members: registration one by one, and the all-or-nothing import of a branch's list."""
from datetime import date, datetime
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from points_mall.errors import DomainError, message_of
from points_mall.extensions import db
from points_mall.people.models import Member, Org
from points_mall.year.models import Membership
from points_mall.people.models import MEMBER_TYPES
from points_mall.audit import trail as audit
from points_mall.board import board_cache
from points_mall.points import ledger
from points_mall.people.access import Actor, get_org, require_org
from points_mall.common.tx import committed
from points_mall.accounts.auth import PHONE

MEMBER_FIELDS = ("name", "phone", "member_type", "org_id", "party_birthday", "joined_on", "status")

# Column headings of the import sheet (first row), in order.
COLUMNS = ("姓名", "手机号", "类型", "所属组织", "入党日期", "加入日期")


def create_member(actor: Actor, name: str, phone: str, member_type: str, org_id: int,
                  party_birthday: date | None = None, joined_on: date | None = None) -> Member:
    org = get_org(org_id)
    require_org(actor, "admin", org)
    if not org.active:
        raise DomainError("org_retired", details={"org_id": org.id, "org": org.name})
    errors = _check(name, phone, member_type)
    if errors:
        raise DomainError(errors[0][0])
    if db.session.scalar(select(Member.id).where(Member.phone == phone)) is not None:
        raise DomainError("duplicate_phone", details={"phone": phone})
    with committed("duplicate_phone"):
        member = add_member(name.strip(), phone, member_type, org, party_birthday, joined_on)
        audit.record(actor, "member.create", "member", member.id, after=audit.snapshot(member, MEMBER_FIELDS))
    return member


def add_member(name, phone, member_type, org, party_birthday=None, joined_on=None) -> Member:
    member = Member(name=name, phone=phone, member_type=member_type, org_id=org.id,
                    party_birthday=party_birthday, joined_on=joined_on, status="active")
    db.session.add(member)
    db.session.flush()
    db.session.add(Membership(member_id=member.id, org_id=org.id))
    ledger.open_balance(member.id)
    board_cache.member_changed(member, None, False)
    return member


def _check(name, phone, member_type) -> list[tuple[str, str]]:
    errors = []
    if not (name or "").strip() or len(name.strip()) > 50:
        errors.append(("invalid_name", "姓名不能为空"))
    if not PHONE.match(phone or ""):
        errors.append(("invalid_phone", message_of("invalid_phone")))
    if member_type not in MEMBER_TYPES:
        errors.append(("invalid_member_type", message_of("invalid_member_type")))
    return errors


def _cell_date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return datetime.strptime(str(value).strip(), fmt).date()
        except ValueError:
            pass
    raise ValueError(value)


def cell_text(value) -> str:
    """A cell as people meant it: numbers typed as text (phones) without a trailing .0, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_sheet(content: bytes, columns: tuple[str, ...] = COLUMNS) -> list[dict]:
    """The filled-in rows of an uploaded sheet whose first row is exactly these column names; each row a
    dict by column name, with "row" its line number in Excel. invalid_file if it is no workbook or the
    header differs."""
    try:
        sheet = load_workbook(BytesIO(content), read_only=True, data_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
    except Exception:
        raise DomainError("invalid_file")
    if not rows or tuple(cell_text(c) for c in rows[0][:len(columns)]) != columns:
        raise DomainError("invalid_file:header", details={"expected": list(columns), "columns": "、".join(columns)})
    return [dict(zip(columns, row)) | {"row": i} for i, row in enumerate(rows[1:], start=2)
            if any(c not in (None, "") for c in row)]


def check_import(actor: Actor, content: bytes) -> tuple[list[dict], list[dict], list[tuple]]:
    """Read and check every row, writing nothing: (rows, row errors, rows ready to add)."""
    rows = read_sheet(content)
    if not rows:
        raise DomainError("empty_file")
    orgs_by_name: dict[str, list[Org]] = {}
    for org in db.session.scalars(select(Org).where(Org.active)):  # a retired name is no longer a place to import into
        orgs_by_name.setdefault(org.name, []).append(org)
    phones_in_file: dict[str, int] = {}
    known = set(db.session.scalars(select(Member.phone).where(
        Member.phone.in_([cell_text(r["手机号"]) for r in rows]))))
    errors, ready = [], []
    for r in rows:
        name, phone, kind, org_name = (cell_text(r[c]) for c in COLUMNS[:4])
        row_errors = [{"row": r["row"], "code": c, "message": m} for c, m in _check(name, phone, kind)]
        def fail(code, message):
            row_errors.append({"row": r["row"], "code": code, "message": message})
        if phone in known:
            fail("duplicate_phone", f"手机号{phone}已登记")
        elif phone in phones_in_file:
            fail("duplicate_phone", f"手机号与第{phones_in_file[phone]}行重复")
        phones_in_file.setdefault(phone, r["row"])
        matches = orgs_by_name.get(org_name, [])
        if not matches:
            fail("unknown_org", f"组织“{org_name}”不存在")
        elif len(matches) > 1:
            fail("ambiguous_org", f"组织“{org_name}”有重名，请先改名")
        elif not actor.covers_org("admin", matches[0]):
            fail("out_of_scope", f"组织“{org_name}”超出您的管理范围")
        try:
            birthday, joined = _cell_date(r["入党日期"]), _cell_date(r["加入日期"])
        except ValueError as e:
            fail("invalid_date", f"日期“{e.args[0]}”无法识别，请用 2020-07-01 格式")
            birthday = joined = None
        if row_errors:
            errors.extend(row_errors)
        else:
            ready.append((name, phone, kind, matches[0], birthday, joined))
    return rows, errors, ready


def import_members(actor: Actor, content: bytes) -> dict:
    """Check every row first; import all rows, or none with the list of row errors."""
    rows, errors, ready = check_import(actor, content)
    if errors:
        raise DomainError("import_rejected", details={"count": len(errors), "errors": errors, "rows": len(rows)})
    with committed("duplicate_phone"):
        for row in ready:
            member = add_member(*row)
            audit.record(actor, "member.import", "member", member.id, after=audit.snapshot(member, MEMBER_FIELDS))
    return {"imported": len(ready)}
