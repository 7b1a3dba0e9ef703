"""Year-end settlement (年度结算): each organisation's policy, the preview, the run, the notice before it.

A run writes one `expire` entry per member and year (key expire:{year}:{member_id}), so running it
twice, or twice at once, expires once: each batch locks its members' balance rows in id order, and
only then looks for entries already written (a statement begun after the lock sees the other's).
"""
from datetime import timedelta

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert

from points_mall.errors import DomainError, NotFound
from points_mall.extensions import db
from points_mall.people.models import Member, Org
from points_mall.year.models import SettlementNotice, SettlementPolicy, SettlementRun
from points_mall.common.fields import mask_phone
from points_mall.audit import trail as audit
from points_mall.points import ledger
from points_mall.points.models import LedgerEntry
from points_mall.people.access import SYSTEM, Actor, get_org, require_org, require_role, require_root
from points_mall.common.clock import local_year, utcnow
from points_mall.year.lapse import (
    MODE_NAMES, expire_key, expired_in, figures, lapse_day, policies_by_org, turn_of_year)
from points_mall.common.tx import committed

BATCH = 500
POLICY_FIELDS = ("mode", "months", "notice_days")
# The scheduled job settles last year only in the first days of the new one; an older year (a park that
# set its policy later) is settled by an admin on purpose, never by surprise.
JOB_WINDOW = timedelta(days=31)


def _orgs_in(actor: Actor, org_id: int | None) -> list[Org]:
    stmt = select(Org).where(actor.org_scope("admin"))
    if org_id is not None:
        org = get_org(org_id)
        require_org(actor, "admin", org)
        stmt = stmt.where(Org.path.startswith(org.path))
    return list(db.session.scalars(stmt.order_by(Org.path)))


def list_policies(actor: Actor) -> list[dict]:
    """Every organisation the admin keeps, with its own policy (if any) and the one in force."""
    require_role(actor, "admin")
    orgs = _orgs_in(actor, None)
    own = {p.org_id: p for p in db.session.scalars(select(SettlementPolicy))}
    in_force = policies_by_org(orgs)
    rows = []
    for org in orgs:
        p, f = own.get(org.id), in_force[org.id]
        rows.append({"org_id": org.id, "name": org.name, "parent_id": org.parent_id, "active": org.active,
                     "own": None if p is None else {"mode": p.mode, "months": p.months, "notice_days": p.notice_days,
                                                    "updated_by": p.updated_by, "updated_at": p.updated_at},
                     "effective": {"mode": f.mode, "months": f.months, "notice_days": f.notice_days,
                                   "from_org_id": f.org_id, "from_org": f.org_name, "summary": f.describe()}})
    return rows


def set_policy(actor: Actor, org_id: int, mode: str, months: int | None = None, notice_days: int = 30) -> dict:
    org = get_org(org_id)
    require_org(actor, "admin", org)
    if mode == "clear_older" and not months:
        raise DomainError("invalid_policy")
    months = months if mode == "clear_older" else None
    with committed():
        policy = db.session.get(SettlementPolicy, org.id)
        before = audit.snapshot(policy, POLICY_FIELDS) if policy else None
        if policy is None:
            policy = SettlementPolicy(org_id=org.id)
            db.session.add(policy)
        policy.mode, policy.months, policy.notice_days = mode, months, notice_days
        policy.updated_by, policy.updated_at = actor.key, utcnow()
        audit.record(actor, "settlement.policy", "org", org.id, before, audit.snapshot(policy, POLICY_FIELDS))
    return next(r for r in list_policies(actor) if r["org_id"] == org.id)


def remove_policy(actor: Actor, org_id: int) -> None:
    """The organisation follows the nearest policy above it again."""
    org = get_org(org_id)
    require_org(actor, "admin", org)
    policy = db.session.get(SettlementPolicy, org.id)
    if policy is None:
        raise NotFound("unknown_policy", details={"org_id": org.id})
    with committed():
        audit.record(actor, "settlement.policy_remove", "org", org.id, audit.snapshot(policy, POLICY_FIELDS), None)
        db.session.delete(policy)


def preview(actor: Actor, year: int, org_id: int | None = None, lapsing_only: bool = False,
            offset: int = 0, limit: int | None = 20) -> dict:
    """Per member: spendable, what would lapse (or did, once settled) and why; with the totals."""
    require_role(actor, "admin")
    orgs = _orgs_in(actor, org_id)
    found = figures(year, orgs)
    inside = {f.member_id for f in found}
    done = {m: points for m, points in expired_in(year, None).items() if m in inside}
    rows = [(f, done.get(f.member_id, f.lapse)) for f in found]
    if lapsing_only:
        rows = [r for r in rows if r[1] > 0]
    rows.sort(key=lambda r: (-r[1], r[0].member_id))
    page = rows[offset:offset + limit] if limit is not None else rows
    people = {m.id: m for m in db.session.scalars(select(Member).where(Member.id.in_([f.member_id for f, _ in page])))}
    names = {o.id: o.name for o in orgs}
    items = [{"member_id": f.member_id, "name": people[f.member_id].name, "phone": mask_phone(people[f.member_id].phone),
              "org": names.get(f.org_id, ""), "spendable": f.spendable, "lapse": lapse,
              "settled": f.member_id in done, "mode": f.policy.mode, "why": f.why(year)} for f, lapse in page]
    return {"year": year, "lapse_on": lapse_day(year), "settled": bool(done), "total": len(rows),
            "members": len(found), "lapsing_members": sum(1 for _, lapse in rows if lapse > 0),
            "spendable": sum(f.spendable for f, _ in rows), "lapse": sum(lapse for _, lapse in rows), "items": items}


def preview_sheet(actor: Actor, year: int, org_id: int | None = None, lapsing_only: bool = False) -> list[tuple]:
    data = preview(actor, year, org_id, lapsing_only, limit=None)
    rows = [[r["name"], r["phone"], r["org"], r["spendable"], r["lapse"], "已结算" if r["settled"] else "未结算",
             MODE_NAMES.get(r["mode"], r["mode"]), r["why"]] for r in data["items"]]
    return [(f"{year}年度结算", ["姓名", "手机号", "所属组织", "超市积分", "到期积分", "状态", "结算规则", "说明"], rows)]


def settle_year(actor: Actor, year: int, org_id: int | None = None, trigger: str = "console", now=None) -> SettlementRun:
    """Expire what lapses at the end of year for every member in scope (all of it: org_id None)."""
    if org_id is None:
        require_root(actor, "admin")
    now = now or utcnow()
    if now < turn_of_year(year):
        raise DomainError("year_not_over", details={"year": year, "next": year + 1})
    orgs = _orgs_in(actor, org_id)
    with committed():
        run = SettlementRun(year=year, trigger=trigger, actor=actor.key, org_id=org_id, status="running",
                            members_checked=0, members_expired=0, points_expired=0, started_at=utcnow())
        db.session.add(run)
    run_id = run.id
    ids = list(db.session.scalars(select(Member.id).where(Member.org_id.in_([o.id for o in orgs]))
                                  .order_by(Member.id)))
    totals = [0, 0, 0]
    try:
        for start in range(0, len(ids), BATCH):
            with committed():
                for i, n in enumerate(_settle_batch(year, orgs, ids[start:start + BATCH], actor.key)):
                    totals[i] += n
    except Exception:
        db.session.rollback()
        with committed():
            db.session.get(SettlementRun, run_id).status = "failed"
        raise
    with committed():
        run = db.session.get(SettlementRun, run_id)
        run.members_checked, run.members_expired, run.points_expired = totals
        run.status, run.finished_at = "done", utcnow()
        audit.record(actor, "settlement.run", "settlement_run", run.id, None,
                     {"year": year, "org_id": org_id, "trigger": trigger, "members_checked": totals[0],
                      "members_expired": totals[1], "points_expired": totals[2]})
    return run


def _settle_batch(year: int, orgs: list[Org], member_ids: list[int], actor: str) -> tuple[int, int, int]:
    db.session.execute(text("SELECT member_id FROM balance WHERE member_id = ANY(CAST(:ids AS integer[])) "
                            "ORDER BY member_id FOR UPDATE"), {"ids": member_ids})
    done = expired_in(year, member_ids)  # read after the locks: a run that held them has committed
    expired = points = 0
    told = []
    for f in figures(year, orgs, member_ids):
        if f.member_id in done or f.lapse <= 0:
            continue
        # Dated when written, after the turn: a back-dated entry could fall into a period made final by a
        # 公示 since, and an expiry is no correction of that period. The spendable balance alone moves.
        entry = LedgerEntry(member_id=f.member_id, kind="expire", delta_spendable=-f.lapse,
                            idempotency_key=expire_key(year, f.member_id), source_type="settlement", source_id=year,
                            actor=actor, reason=f"{year}年度结算：积分到期", year=year)
        ledger.post(entry)
        told.append((f.member_id, f"按{year}年度结算规则，您有{f.lapse}分超市积分已于{year + 1}年1月1日到期。"
                                  f"{f.why(year)}", {"entry_id": entry.id, "year": year, "points": f.lapse}))
        expired, points = expired + 1, points + f.lapse
    _emit_all("points_expired", "积分到期", told)
    return len(member_ids), expired, points


def settle_due(now=None) -> int:
    """The scheduled job: in the first days of a year, settle the one just ended, once."""
    now = now or utcnow()
    year = local_year(now) - 1
    if now - turn_of_year(year) > JOB_WINDOW:
        return 0
    if db.session.scalar(select(SettlementRun.id).where(SettlementRun.year == year, SettlementRun.org_id.is_(None),
                                                        SettlementRun.status == "done").limit(1)):
        db.session.rollback()
        return 0
    return settle_year(SYSTEM, year, trigger="job", now=now).points_expired


def runs(actor: Actor, offset: int = 0, limit: int = 20, run_id: int | None = None) -> tuple[list[dict], int]:
    """The runs an admin may see (the whole tree's, and those of their subtrees), newest first."""
    require_role(actor, "admin")
    stmt = select(SettlementRun, Org.name).outerjoin(Org, Org.id == SettlementRun.org_id)
    if not actor.is_root("admin"):
        stmt = stmt.where(SettlementRun.org_id.is_(None) | actor.org_scope("admin"))
    if run_id is not None:
        stmt = stmt.where(SettlementRun.id == run_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = db.session.execute(stmt.order_by(SettlementRun.id.desc()).offset(offset).limit(limit)).all()
    return [{"id": r.id, "year": r.year, "trigger": r.trigger, "actor": r.actor, "org_id": r.org_id,
             "org": name or "全部组织", "status": r.status, "members_checked": r.members_checked,
             "members_expired": r.members_expired, "points_expired": r.points_expired,
             "started_at": r.started_at, "finished_at": r.finished_at} for r, name in page], total


def send_notices(now=None) -> int:
    """N days before the turn of the year, each member with something to lose is told once."""
    now = now or utcnow()
    year = local_year(now)
    turn = turn_of_year(year)
    orgs = list(db.session.scalars(select(Org)))
    policy_of = policies_by_org(orgs)
    due = {o.id for o in orgs if policy_of[o.id].mode != "keep"
           and now >= turn - timedelta(days=policy_of[o.id].notice_days)}
    if not due:
        db.session.rollback()
        return 0
    told = set(db.session.scalars(select(SettlementNotice.member_id).where(SettlementNotice.year == year)))
    ids = [i for i in db.session.scalars(select(Member.id).where(Member.org_id.in_(due), Member.status == "active")
                                         .order_by(Member.id)) if i not in told]
    sent = 0
    for start in range(0, len(ids), BATCH):
        with committed():
            sent += _notice_batch(year, [o for o in orgs if o.id in due], ids[start:start + BATCH])
    return sent


def _notice_batch(year: int, orgs: list[Org], member_ids: list[int]) -> int:
    lapsing = {f.member_id: f for f in figures(year, orgs, member_ids) if f.lapse > 0}
    if not lapsing:
        return 0
    now = utcnow()
    # The primary key (member, year) makes a second job, or a second tick, skip who was told already:
    # only the rows that went in are told.
    told = db.session.scalars(insert(SettlementNotice).values(
        [{"member_id": m, "year": year, "points": f.lapse, "notified_at": now} for m, f in lapsing.items()])
        .on_conflict_do_nothing().returning(SettlementNotice.member_id)).all()
    _emit_all("points_lapsing", "积分即将到期", [
        (m, f"您有{lapsing[m].lapse}分超市积分将于{year + 1}年1月1日到期，请在{year}年12月31日前兑换使用。"
            f"{lapsing[m].why(year)}", {"year": year, "points": lapsing[m].lapse}) for m in sorted(told)])
    return len(told)


def _emit_all(event: str, title: str, rows: list[tuple[int, str, dict]]) -> None:
    """notify.emit for many members in one statement (the outbox row is the same)."""
    from points_mall.notify.models import Notification

    if not rows:
        return
    now = utcnow()
    db.session.execute(insert(Notification), [
        dict(member_id=m, staff_id=None, event=event, title=title, body=body, data=data, status="pending",
             attempts=0, next_attempt_at=now, created_at=now) for m, body, data in rows])


def my_lapse(member_id: int, now=None) -> dict:
    """What of the member's spendable points will lapse at the end of this year."""
    now = now or utcnow()
    year = local_year(now)
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound("unknown_member", details={"member_id": member_id})
    found = figures(year, [member.org], [member_id])
    f = found[0] if found else None
    points = f.lapse if f else 0
    return {"year": year, "points": points, "lapse_on": lapse_day(year), "mode": f.policy.mode if f else "keep",
            "why": f.why(year) if f and points else ""}
