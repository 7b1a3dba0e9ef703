"""Check-in (签到): one use case per way in, every attempt stored with its reason.

A member scans the activity's rotating code; an organizer scans a member's own code or picks
the name; an organizer uploads scans made offline. All of them end in `_check_in`.
"""
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import Boolean, Integer, String, bindparam, case, func, insert, literal_column, null, select, text, \
    update
from sqlalchemy.sql.expression import CTE
from sqlalchemy.orm import joinedload

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.activities.models import Activity, Checkin, ScanAttempt
from points_mall.points.models import Balance, Rule
from points_mall.people.models import Member
from points_mall.activities import activities, audience, codes, geo
from points_mall.points import ledger, notices
from points_mall.points.ledger.statement import ZERO, bare, sql_text
from points_mall.people.access import Actor, member_key, refuse_own, require_org
from points_mall.common.clock import utcnow
from points_mall.common.tx import committed

LATE_AFTER = timedelta(minutes=10)


def refusal(code: str, **details) -> DomainError:
    return DomainError(code, details=details)


def scan(member_id: int, payload: str, nonce: str, latitude: float | None = None,
         longitude: float | None = None, scanned_at: datetime | None = None) -> dict:
    """The member scanned the code on the organizer's screen. scanned_at: when the server saw the
    scan, vouched for by a scan receipt, so a log-in between scan and check-in costs nothing."""
    def perform():
        activity_id, token = codes.parse(payload, "a")
        at = scanned_at or utcnow()
        codes.verify("a", activity_id, token, at)
        return _check_in(activity_id, member_id, "scan", member_key(member_id), at,
                         location=(latitude, longitude))
    return _attempt(member_key(member_id), nonce, "scan", perform, member_id=member_id)


def by_organizer(actor: Actor, activity_id: int, nonce: str, member_code: str | None = None,
                 member_id: int | None = None, scanned_at: datetime | None = None) -> dict:
    """The organizer checks in a member without a phone: by the member's own code, or by name."""
    method = "member_code" if member_code else "by_name"
    if scanned_at is not None:
        method = "offline"

    def perform():
        at = scanned_at or utcnow()
        activity = _activity(activity_id)
        activities.require_manager(actor, activity)
        target = member_id
        if member_code:
            target, token = codes.parse(member_code, "m")
            codes.verify("m", target, token, at)
        if target is None:
            raise refusal("invalid_member")
        refuse_own(actor, [target], "own_points:checkin")  # their own check-in is a scan of the screen
        return _check_in(activity_id, target, method, actor.key, at, trusted_place=True)
    return _attempt(actor.key, nonce, method, perform, activity_id=activity_id, member_id=member_id)


def upload_offline(actor: Actor, activity_id: int, scans: list[dict]) -> list[dict]:
    """Scans an organizer made without network, each with its original time and nonce."""
    activities.require_manager(actor, _activity(activity_id))
    results = []
    max_age = timedelta(days=current_app.config["OFFLINE_MAX_AGE_DAYS"])
    for item in scans:
        at = item["scanned_at"]
        try:
            if at > utcnow() + timedelta(minutes=2) or at < utcnow() - max_age:
                raise refusal("invalid_time:scan")
            answer = by_organizer(actor, activity_id, item["nonce"], item.get("member_code"),
                                  item.get("member_id"), scanned_at=at)
            results.append({"nonce": item["nonce"], "outcome": "ok", "reason": "ok", **answer})
        except DomainError as e:
            results.append({"nonce": item["nonce"], "outcome": "refused", "reason": e.code, "message": e.message})
    return results


def _activity(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id, options=[joinedload(Activity.org), joinedload(Activity.rule)])
    if activity is None:
        raise refusal("unknown_activity")
    return activity


def _attempt(actor_key: str, nonce: str, method: str, perform, activity_id=None, member_id=None) -> dict:
    """Run one attempt; store it with its outcome. A nonce seen before returns the first answer.

    The unique nonce key decides, not a look-up first: a first scan costs no extra query, and a
    retry (or its twin racing it) collides on the key and is answered from the stored attempt."""
    nonce_key = f"{actor_key}:{nonce}"
    try:
        # A unique-key clash: this nonce was answered before, or the member is already checked in.
        with committed("already_checked_in"):
            activity, checkin_row = perform()
            result = _record_success(activity, checkin_row, nonce_key)
        return result
    except DomainError as e:
        error = e
    if not _store_refusal(nonce_key, actor_key, method, error, activity_id, member_id):
        earlier = _replay(nonce_key)
        if earlier is not None:
            return earlier
    raise error


def refuse_malformed(actor_key: str, method: str, fields: dict, member_id: int | None = None,
                     activity_id: int | None = None) -> None:
    """A scan whose request could not even be read (a NUL in the nonce, a number as payload) is still
    an attempt: stored as invalid_input, without a nonce, since there is no usable one to replay."""
    error = DomainError("invalid_input", details={"fields": fields})
    _store_refusal(None, actor_key, method, error, activity_id, member_id)


def _store_refusal(nonce_key, actor_key, method, error, activity_id, member_id) -> bool:
    """Store a refused attempt; False when its nonce was stored before."""
    if activity_id is not None and db.session.get(Activity, activity_id) is None:
        activity_id = None
    if member_id is not None and db.session.get(Member, member_id) is None:
        member_id = None
    try:
        with committed():
            db.session.add(ScanAttempt(activity_id=activity_id, member_id=member_id, actor=actor_key,
                                       nonce_key=nonce_key, method=method, outcome="refused", reason=error.code,
                                       status=error.status, response={"code": error.code, "message": error.message,
                                                                      "details": error.details}))
        return True
    except DomainError:  # the nonce key is stored already
        return False


def _replay(nonce_key: str) -> dict | None:
    attempt = db.session.scalar(select(ScanAttempt).where(ScanAttempt.nonce_key == nonce_key))
    if attempt is None:
        return None
    if attempt.outcome == "ok":
        return attempt.response
    r = attempt.response
    raise DomainError(r["code"], r["message"], attempt.status, r.get("details"))  # the first answer, as it was


def _check_window(activity: Activity, at: datetime) -> None:
    if activity.status == "cancelled":
        raise refusal("cancelled")
    if activity.status != "published":
        raise refusal("not_published:checkin")
    if at < activity.checkin_opens_at:
        raise refusal("not_open_yet", opens_at=activity.checkin_opens_at.isoformat())
    if at > activity.checkin_closes_at:
        raise refusal("closed:checkin")


def _check_place(activity: Activity, location) -> None:
    """The activity's place is map-picked (GCJ-02); the member's phone reports WGS-84 (geo.py)."""
    if activity.latitude is None or activity.radius_m is None:
        return
    lat, lng = location
    if lat is None or lng is None:
        raise refusal("location_required")
    if geo.distance_m(activity.latitude, activity.longitude, *geo.wgs84_to_gcj02(lat, lng)) > activity.radius_m:
        raise refusal("out_of_range")


def _check_in(activity_id: int, member_id: int, method: str, actor_key: str, at: datetime,
              location=(None, None), trusted_place: bool = False) -> tuple[SimpleNamespace, dict]:
    """The checks; the points, the check-in row and its attempt are written by _record_success."""
    activity, member = _activity_and_member(activity_id, member_id)
    if member is None:
        raise refusal("not_eligible")
    if member.status != "active":
        raise refusal("member_inactive:checkin")
    _check_window(activity, at)
    if activity.rule is not None and not activity.rule.active:
        raise refusal("rule_retired:checkin", rule_id=activity.rule.id)
    if not audience.may_attend(activity, member):
        raise refusal("not_eligible")
    if not trusted_place:
        _check_place(activity, location)
    if activity.capacity is not None:
        taken = db.session.execute(
            update(Activity).where(Activity.id == activity_id, Activity.checked_in < Activity.capacity)
            .values(checked_in=Activity.checked_in + 1)
        ).rowcount
        if taken != 1:
            raise refusal("full")
    now = utcnow()
    row = dict(activity_id=activity_id, member_id=member_id, method=method, scanned_at=at, recorded_at=now,
               late_upload=now - at > LATE_AFTER, actor=actor_key)
    return activity, row


def _record_success(activity, checkin_row: dict, nonce_key: str) -> dict:
    """The points, the check-in row (its unique pair refuses a second check-in right here) and the
    attempt holding the answer, in one statement: with a rule, the ledger's, with these rows added."""
    params = {**{f"c_{k}": v for k, v in checkin_row.items()}, "nonce_key": nonce_key, "title": activity.title}
    if activity.rule is None:
        return db.session.execute(_UNPOSTED, params).scalar_one()
    member_id = checkin_row["member_id"]
    posted = ledger.apply_rule(
        [member_id], activity.rule, key_prefix=f"checkin:{activity.id}:", source=("activity", activity.id),
        actor=checkin_row["actor"], reason=activity.title, occurred_at=checkin_row["scanned_at"], rows=_posted_rows,
        params={**params, **notices.notice("签到成功", f"{activity.title}：获得", {"activity_id": activity.id},
                                            event="checked_in")})
    return posted.read["answer"]


def _rows(source, member_id, points, spendable) -> tuple[CTE, CTE]:
    """The check-in row and its attempt (succeeded) for the member of `source`, a FROM clause of one row,
    with these points and spendable balance. The attempt keeps the answer, so a retry gets it as it was:
    built here, by the database, with the ids it writes, the one definition of what a check-in answers."""
    row = bare(select(*(bindparam(f"c_{name}", type_=Checkin.__table__.c[name].type) for name in _CHECKIN),
                       member_id, points).select_from(source))
    checkin = (insert(Checkin).from_select([*_CHECKIN, "member_id", "points"], row)
               .returning(Checkin.id, Checkin.points, *(Checkin.__table__.c[name] for name in _ATTEMPT))
               .cte("checkin_row"))
    key = sql_text
    answer = func.json_build_object(
        key("activity"), func.json_build_object(key("id"), bindparam("c_activity_id", type_=Integer),
                                                key("title"), bindparam("title", type_=String)),
        key("member_id"), checkin.c.member_id, key("checkin_id"), checkin.c.id, key("points"), checkin.c.points,
        key("spendable"), spendable, key("late_upload"), bindparam("c_late_upload", type_=Boolean))
    stored = bare(select(*(checkin.c[name] for name in _ATTEMPT), bindparam("nonce_key", type_=String),
                         sql_text("ok"), sql_text("ok"), literal_column("200"), answer)
                  .select_from(source.join(checkin, checkin.c.member_id == member_id)))
    attempt = (insert(ScanAttempt).from_select([*_ATTEMPT, "nonce_key", "outcome", "reason", "status", "response"],
                                               stored)
               .returning(ScanAttempt.response).cte("attempt_row"))
    return checkin, attempt


_CHECKIN = ("activity_id", "method", "scanned_at", "recorded_at", "late_upload", "actor")
_ATTEMPT = ("activity_id", "member_id", "actor", "method", "scanned_at", "recorded_at")


def _posted_rows(parts: ledger.Parts) -> ledger.Rows:
    """In the ledger's statement: the check-in with the points posted (none when the cap is reached), the
    spendable balance after them (or as it was), the attempt and the member's notification."""
    locked, plan, moved = parts.locked, parts.plan, parts.moved
    source = (locked.outerjoin(plan, plan.c.member_id == locked.c.member_id)
              .outerjoin(moved, moved.c.member_id == locked.c.member_id))
    spendable = case((plan.c.member_id.is_(None), locked.c.spendable), (plan.c.delta_spendable == ZERO, null()),
                     else_=moved.c.spendable)
    checkin, attempt = _rows(source, locked.c.member_id, func.coalesce(plan.c.delta_score, ZERO), spendable)
    return ledger.Rows((checkin, attempt, notices.points_changed(parts)),
                       {"answer": select(attempt.c.response).scalar_subquery()})


def _unposted():
    """Without a rule: the check-in and its attempt, no points."""
    balance = (select(Balance.member_id, Balance.spendable)
               .where(Balance.member_id == bindparam("c_member_id", type_=Integer)).cte("balance"))
    checkin, attempt = _rows(balance, balance.c.member_id, ZERO, balance.c.spendable)
    return select(attempt.c.response).add_cte(checkin)


_UNPOSTED = _unposted()


def _activity_and_member(activity_id: int, member_id: int):
    """What the checks read of the activity (its organisation, its rule) and of the member, in one
    query of plain columns: a scan is the hot path, and loading three ORM entities (or building the
    query afresh) costs more than the query itself."""
    row = db.session.execute(_ACTIVITY_AND_MEMBER, {"activity_id": activity_id, "member_id": member_id}).first()
    if row is None:
        raise refusal("unknown_activity")
    rule = None if row.rule_id is None else SimpleNamespace(
        id=row.rule_id, points=row.rule_points, cap_period=row.rule_cap_period, cap=row.rule_cap,
        dimension=row.rule_dimension, name=row.rule_name, version=row.rule_version, active=row.rule_active)
    activity = SimpleNamespace(**{key: getattr(row, key) for key in _ACTIVITY_FIELDS},
                               org=SimpleNamespace(path=row.org_path), rule=rule)
    member = None if row.member_id is None else SimpleNamespace(
        id=row.member_id, status=row.member_status, member_type=row.member_type,
        org=SimpleNamespace(path=row.member_path))
    return activity, member


_ACTIVITY_FIELDS = ("id", "title", "status", "checkin_opens_at", "checkin_closes_at", "open_to_volunteers",
                    "latitude", "longitude", "radius_m", "capacity")
_ACTIVITY_AND_MEMBER = text(
    "SELECT " + ", ".join(f"a.{f}" for f in _ACTIVITY_FIELDS) + ", ao.path AS org_path, "
    "r.id AS rule_id, r.points AS rule_points, r.cap_period AS rule_cap_period, r.cap AS rule_cap, "
    "r.dimension AS rule_dimension, r.name AS rule_name, r.version AS rule_version, r.active AS rule_active, "
    "m.id AS member_id, m.status AS member_status, m.member_type, mo.path AS member_path "
    "FROM activity a JOIN org ao ON ao.id = a.org_id LEFT JOIN rule r ON r.id = a.rule_id "
    "LEFT JOIN member m ON m.id = :member_id LEFT JOIN org mo ON mo.id = m.org_id "
    "WHERE a.id = :activity_id"
).columns(**{f: getattr(Activity, f).type for f in _ACTIVITY_FIELDS},
           **{f"rule_{f}": getattr(Rule, f).type for f in ("points", "cap", "active", "version")})
