"""Check-in (签到): one use case per way in, every attempt stored with its reason.

A member scans the activity's rotating code; an organizer scans a member's own code or picks
the name; an organizer uploads scans made offline. All of them end in `_check_in`.
"""
import json
import math
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import aliased, joinedload

from ..errors import DomainError
from ..extensions import db
from ..models import Activity, Balance, Checkin, Member, Org, Rule, ScanAttempt
from . import codes, posting
from .access import Actor, require_org
from .clock import utcnow
from .tx import committed

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
        return _check_in(activity_id, member_id, "scan", f"member:{member_id}", at,
                         location=(latitude, longitude))
    return _attempt(f"member:{member_id}", nonce, "scan", perform, member_id=member_id)


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
            result, checkin_row, record = perform()
            _store_success(result, checkin_row, dict(record, actor=actor_key, nonce_key=nonce_key))
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


def eligible(activity: Activity, member: Member) -> bool:
    if member.org.path.startswith(activity.org.path):
        return True
    return activity.open_to_volunteers and member.member_type == "群众志愿者"


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
              location=(None, None), trusted_place: bool = False) -> tuple[dict, dict, dict]:
    """The checks and the points; the check-in row and its attempt are stored by _store_success."""
    activity, member = _activity_and_member(activity_id, member_id)
    if member is None or member.status != "active":
        raise refusal("not_eligible")
    _check_window(activity, at)
    if not eligible(activity, member):
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
    entry = _award(activity, member_id, at, actor_key)
    row = dict(activity_id=activity_id, member_id=member_id, method=method, scanned_at=at, recorded_at=now,
               late_upload=now - at > LATE_AFTER, actor=actor_key, points=entry.delta_score if entry else 0)
    spendable = entry.spendable_after if entry else db.session.get(Balance, member_id).spendable
    result = {"activity": {"id": activity.id, "title": activity.title}, "member_id": member_id,
              "checkin_id": None, "points": row["points"], "spendable": spendable,
              "late_upload": row["late_upload"]}
    record = dict(activity_id=activity_id, member_id=member_id, method=method, outcome="ok", reason="ok",
                  status=200, scanned_at=at, recorded_at=now)
    return result, row, record


def _activity_and_member(activity_id: int, member_id: int):
    """What the checks read of the activity (its organisation, its rule) and of the member, in one
    query of plain columns: a scan is the hot path, and loading three ORM entities costs more than
    the query itself."""
    activity_org, member_org = aliased(Org), aliased(Org)
    row = db.session.execute(
        select(*_ACTIVITY_FIELDS, activity_org.path.label("org_path"), *_RULE_FIELDS,
               Member.id.label("member_id"), Member.status.label("member_status"), Member.member_type,
               member_org.path.label("member_path"))
        .select_from(Activity).join(activity_org, activity_org.id == Activity.org_id)
        .outerjoin(Rule, Rule.id == Activity.rule_id)
        .outerjoin(Member, Member.id == member_id).outerjoin(member_org, member_org.id == Member.org_id)
        .where(Activity.id == activity_id)
    ).first()
    if row is None:
        raise refusal("unknown_activity")
    rule = None if row.rule_id is None else SimpleNamespace(
        id=row.rule_id, points=row.rule_points, cap_period=row.rule_cap_period, cap=row.rule_cap,
        dimension=row.rule_dimension, name=row.rule_name)
    activity = SimpleNamespace(**{c.key: getattr(row, c.key) for c in _ACTIVITY_FIELDS},
                               org=SimpleNamespace(path=row.org_path), rule=rule)
    member = None if row.member_id is None else SimpleNamespace(
        id=row.member_id, status=row.member_status, member_type=row.member_type,
        org=SimpleNamespace(path=row.member_path))
    return activity, member


_ACTIVITY_FIELDS = (Activity.id, Activity.title, Activity.status, Activity.checkin_opens_at,
                    Activity.checkin_closes_at, Activity.open_to_volunteers, Activity.latitude, Activity.longitude,
                    Activity.radius_m, Activity.capacity)
_RULE_FIELDS = (Rule.id.label("rule_id"), Rule.points.label("rule_points"), Rule.cap_period.label("rule_cap_period"),
                Rule.cap.label("rule_cap"), Rule.dimension.label("rule_dimension"), Rule.name.label("rule_name"))


def _store_success(result: dict, checkin_row: dict, attempt: dict) -> None:
    """The check-in row (its unique pair refuses a second one right here) and the attempt answering
    with its id: one statement on PostgreSQL, two elsewhere."""
    if posting.on_postgresql():
        # The stored answer is the answer as returned, keys in order: its text around the id.
        head, mark, tail = json.dumps(result, ensure_ascii=False).partition('"checkin_id": null')
        result["checkin_id"] = db.session.execute(_STORE_SUCCESS, {
            **{f"c_{k}": v for k, v in checkin_row.items()}, **attempt,
            "head": head + '"checkin_id": ', "tail": tail}).scalar_one()
        return
    result["checkin_id"] = db.session.execute(insert(Checkin).values(checkin_row).returning(Checkin.id)).scalar_one()
    db.session.execute(insert(ScanAttempt).values(**attempt, response=result))


_STORE_SUCCESS = text("""
    WITH c AS (
        INSERT INTO checkin (activity_id, member_id, method, scanned_at, recorded_at, late_upload, actor, points)
        VALUES (:c_activity_id, :c_member_id, :c_method, :c_scanned_at, :c_recorded_at, :c_late_upload, :c_actor,
                :c_points)
        RETURNING id
    ), a AS (
        INSERT INTO scan_attempt (activity_id, member_id, actor, nonce_key, method, outcome, reason, status,
                                  response, scanned_at, recorded_at)
        SELECT :activity_id, :member_id, :actor, :nonce_key, :method, :outcome, :reason, :status,
               CAST(CAST(:head AS text) || c.id || CAST(:tail AS text) AS json),
               :scanned_at, :recorded_at
        FROM c
    )
    SELECT id FROM c""")


def _award(activity: Activity, member_id: int, at: datetime, actor_key: str):
    """The activity's rule, through the ledger, once per member and activity (the idempotency key)."""
    if activity.rule is None:
        return None
    notice = posting.Notice("points_changed", "签到成功", f"{activity.title}：获得", {"activity_id": activity.id})
    return posting.apply_rule([member_id], activity.rule, key_prefix=f"checkin:{activity.id}:",
                              source=("activity", activity.id), actor=actor_key, reason=activity.title,
                              occurred_at=at, notice=notice).get(member_id)
