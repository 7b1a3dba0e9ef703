"""The demo's activities: one past (with check-ins and minutes), one open for check-in now, one upcoming,
so that a newcomer can open a display page at once."""
import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from points_mall.extensions import db
from points_mall.activities.models import Activity, Checkin, ScanAttempt
from points_mall.people.models import Member, Org
from points_mall.activities import activities, attendance
from points_mall.points import ledger
from points_mall.people.access import Actor, member_key
from points_mall.common.clock import utcnow

PAST, RUNNING, UPCOMING = "past", "running", "upcoming"
# when, kind, title, rule, place, starts (from now), hours
PLAN = [
    (PAST, "branch_meeting", "支部党员大会：学习贯彻党的二十届三中全会精神", "study.meeting", "公司三楼会议室",
     timedelta(days=-3), 2),
    (RUNNING, "theme_day", "主题党日：重温入党誓词", "study.theme_day", "党群服务中心二楼活动室",
     timedelta(minutes=-20), 3),
    (UPCOMING, "party_lecture", "专题党课：新时代党员的责任与担当", "study.lecture", "党群服务中心报告厅",
     timedelta(days=4), 2),
]
MINUTES = ("会议由支部书记主持。一、集体学习党的二十届三中全会精神；二、交流学习体会；"
           "三、部署下阶段志愿服务工作。会议要求全体党员结合岗位实际抓好落实。")


def seed(actor: Actor, org: Org, rng: random.Random) -> None:
    """The three activities for org's members, unless the demo has them already."""
    if demo_activities():
        return
    made = {}
    for when, kind, title, rule, place, start, hours in PLAN:
        starts_at = (utcnow() + start).replace(second=0, microsecond=0)
        made[when] = activities.create(actor, org.id, publish=when != PAST, kind=kind, title=title, place=place,
                                       starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
                                       rule_code=rule)
    _held(made[PAST], actor, rng)


def _held(activity: Activity, actor: Actor, rng: random.Random) -> None:
    """Most of the branch came and scanned the code; the secretary wrote the record afterwards.
    Published only now: the members were told of it before the demo began."""
    activity.status = "published"
    members = db.session.scalars(select(Member).where(Member.org_id == activity.org_id, Member.status == "active")
                                 .order_by(Member.id)).all()
    for member in members:
        if rng.random() < 0.2:
            continue  # absent
        at = activity.starts_at - timedelta(minutes=rng.randrange(0, 25))
        entry = ledger.apply_rule([member.id], activity.rule, key_prefix=f"checkin:{activity.id}:",
                                  source=("activity", activity.id), actor=actor.key, reason=activity.title,
                                  occurred_at=at).get(member.id)
        points = entry.delta_score if entry else 0
        db.session.add(Checkin(activity_id=activity.id, member_id=member.id, method="scan", scanned_at=at,
                               recorded_at=at, points=points, actor=member_key(member.id)))
        db.session.add(ScanAttempt(activity_id=activity.id, member_id=member.id, actor=member_key(member.id),
                                   nonce_key=f"{member_key(member.id)}:demo-{activity.id}", method="scan",
                                   outcome="ok", reason="ok", status=200, scanned_at=at, recorded_at=at,
                                   response={"activity": {"id": activity.id, "title": activity.title},
                                             "member_id": member.id, "points": points}))
    db.session.commit()
    attendance.write_minutes(actor, activity.id, MINUTES)


def demo_activities() -> dict[str, Activity]:
    titles = {title: when for when, _kind, title, *_rest in PLAN}
    found = db.session.scalars(select(Activity).where(Activity.title.in_(titles)).order_by(Activity.id)).all()
    return {titles[a.title]: a for a in found}


def lines() -> list[str]:
    """Where to open each demo activity's display page (the organizer's screen)."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    now, out = utcnow(), ["demo activities (display page for the organizer's screen):"]
    for activity in sorted(demo_activities().values(), key=lambda a: a.starts_at):
        state = ("签到中" if activity.checkin_opens_at <= now < activity.checkin_closes_at
                 else "已结束" if now >= activity.checkin_closes_at else "未开始")
        out.append(f"  {state} {activity.title}: {base}/console/activities/{activity.id}/display")
    return out
