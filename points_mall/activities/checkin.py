"""Check-in (签到): one use case per way in, every attempt stored with its reason.

A member scans the activity's rotating code; an organizer scans a member's own code or picks
the name; an organizer uploads scans made offline. All of them end in `_check_in`.
"""
import math
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import joinedload

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.activities.models import Activity, Checkin, ScanAttempt
from points_mall.points.models import Balance, Rule
from points_mall.people.models import Member
from points_mall.activities import audience, codes
from points_mall.points import posting
from points_mall.people.access import Actor, member_key, require_org
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
        require_org(actor, "organizer", activity.org)
        target = member_id
        if member_code:
            target, token = codes.parse(member_code, "m")
            codes.verify("m", target, token, at)
        if target is None:
            raise refusal("invalid_member")
        return _check_in(activity_id, target, method, actor.key, at, trusted_place=True)
    return _attempt(actor.key, nonce, method, perform, activity_id=activity_id, member_id=member_id)


def upload_offline(actor: Actor, activity_id: int, scans: list[dict]) -> list[dict]:
    """Scans an organizer made without network, each with its original time and nonce."""
    require_org(actor, "organizer", _activity(activity_id).org)
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
            activity, checkin_row, record = perform()
            result = _record_success(activity, checkin_row, dict(record, actor=actor_key, nonce_key=nonce_key))
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


def _distance_m(lat1, lng1, lat2, lng2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371000 * 2 * math.asin(math.sqrt(a))


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
    if activity.latitude is None or activity.radius_m is None:
        return
    lat, lng = location
    if lat is None or lng is None:
        raise refusal("location_required")
    if _distance_m(activity.latitude, activity.longitude, lat, lng) > activity.radius_m:
        raise refusal("out_of_range")


def _check_in(activity_id: int, member_id: int, method: str, actor_key: str, at: datetime,
              location=(None, None), trusted_place: bool = False) -> tuple[SimpleNamespace, dict, dict]:
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
    record = dict(activity_id=activity_id, member_id=member_id, method=method, outcome="ok", reason="ok",
                  status=200, scanned_at=at, recorded_at=now)
    return activity, row, record


def _record_success(activity, checkin_row: dict, attempt: dict) -> dict:
    """The points, the check-in row (its unique pair refuses a second check-in right here) and the
    attempt holding the answer. On PostgreSQL with a rule, all of it is the ledger's one statement."""
    member_id = checkin_row["member_id"]
    if activity.rule is not None and posting.on_postgresql():
        posted = _award(activity, checkin_row, (_CHECKIN_TAIL, {
            **{f"c_{k}": v for k, v in checkin_row.items()}, **{f"a_{k}": v for k, v in attempt.items()},
            "title": activity.title}))
        entry = posted.get(member_id)
        return _answer(activity, member_id, posted.tail_id, entry.delta_score if entry else 0,
                       entry.spendable_after if entry else posted.balances[member_id], checkin_row["late_upload"])
    entry = _award(activity, checkin_row).get(member_id) if activity.rule is not None else None
    points = entry.delta_score if entry else 0
    spendable = entry.spendable_after if entry else db.session.get(Balance, member_id).spendable
    checkin_id = db.session.execute(insert(Checkin).values({**checkin_row, "points": points})
                                    .returning(Checkin.id)).scalar_one()
    result = _answer(activity, member_id, checkin_id, points, spendable, checkin_row["late_upload"])
    db.session.execute(insert(ScanAttempt).values(**attempt, response=result))
    return result


def _answer(activity, member_id, checkin_id, points, spendable, late_upload) -> dict:
    """What a successful check-in answers (and its attempt keeps, for a retry): keys in this order."""
    return {"activity": {"id": activity.id, "title": activity.title}, "member_id": member_id,
            "checkin_id": checkin_id, "points": points, "spendable": spendable, "late_upload": late_upload}


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


# The check-in row and its attempt, in the ledger's statement (posting.apply_rule's tail). The answer
# is built here as _answer builds it, keys in the same order (json keeps them), so a retry gets it as it was.
_CHECKIN_TAIL = """, tail_row AS (
        INSERT INTO checkin (activity_id, member_id, method, scanned_at, recorded_at, late_upload, actor, points)
        SELECT CAST(:c_activity_id AS integer), i.member_id, CAST(:c_method AS varchar),
               CAST(:c_scanned_at AS timestamptz), CAST(:c_recorded_at AS timestamptz),
               CAST(:c_late_upload AS boolean), CAST(:c_actor AS varchar), COALESCE(p.delta_score, 0)
        FROM input i LEFT JOIN plan p USING (member_id)
        RETURNING id, member_id, points
    ), attempt_row AS (
        INSERT INTO scan_attempt (activity_id, member_id, actor, nonce_key, method, outcome, reason, status,
                                  response, scanned_at, recorded_at)
        SELECT CAST(:a_activity_id AS integer), t.member_id, CAST(:a_actor AS varchar), CAST(:a_nonce_key AS varchar),
               CAST(:a_method AS varchar), CAST(:a_outcome AS varchar), CAST(:a_reason AS varchar),
               CAST(:a_status AS integer),
               json_build_object(
                   'activity', json_build_object('id', CAST(:c_activity_id AS integer), 'title', CAST(:title AS text)),
                   'member_id', t.member_id, 'checkin_id', t.id, 'points', t.points,
                   'spendable', CASE WHEN p.member_id IS NULL THEN i.spendable
                                     WHEN p.delta_spendable = 0 THEN NULL ELSE b.spendable END,
                   'late_upload', CAST(:c_late_upload AS boolean)),
               CAST(:a_scanned_at AS timestamptz), CAST(:a_recorded_at AS timestamptz)
        FROM tail_row t JOIN input i USING (member_id) LEFT JOIN plan p USING (member_id)
             LEFT JOIN b USING (member_id)
    )"""


def _award(activity, checkin_row: dict, tail: tuple[str, dict] | None = None) -> posting.Postings:
    """The activity's rule, through the ledger, once per member and activity (the idempotency key)."""
    notice = posting.Notice("points_changed", "签到成功", f"{activity.title}：获得", {"activity_id": activity.id})
    return posting.apply_rule([checkin_row["member_id"]], activity.rule, key_prefix=f"checkin:{activity.id}:",
                              source=("activity", activity.id), actor=checkin_row["actor"], reason=activity.title,
                              occurred_at=checkin_row["scanned_at"], notice=notice, tail=tail)
