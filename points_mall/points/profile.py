"""What a member sees of themselves: balance, yearly score by dimension, stars."""
from flask import current_app

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.people.models import Member
from points_mall.points import ledger
from points_mall.common.clock import local_year, utcnow


def stars_for(score: int) -> int:
    return sum(score >= t for t in current_app.config["STAR_THRESHOLDS"])


def me(member_id: int, year: int | None = None) -> dict:
    member = db.session.get(Member, member_id)
    if member is None:
        raise DomainError("unknown_member")
    year = year or local_year(utcnow())
    points = ledger.summary(member_id, year)
    return {"member": member, "org_name": member.org.name, **points, "stars": stars_for(points["score"])}
