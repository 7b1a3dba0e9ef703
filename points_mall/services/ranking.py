"""The points board (积分公示栏) and star board (党员星级公示栏): yearly scores, ranked."""
from sqlalchemy import func, select

from ..errors import DomainError
from ..extensions import db
from ..models import Member, Org, Score
from ..models.rules import DIMENSIONS
from .access import get_org
from .profile import stars_for


def points_board(org_id: int, year: int, dimension: str | None = None, limit: int = 50,
                 member_id: int | None = None) -> dict:
    """Active members of the subtree by yearly score, ties sharing a rank (1, 1, 3)."""
    if dimension is not None and dimension not in DIMENSIONS:
        raise DomainError("invalid_dimension")
    org = get_org(org_id)
    ranked = _ranked(org, year, dimension)
    rows = db.session.execute(select(ranked).order_by(ranked.c.rank, ranked.c.id).limit(limit)).all()
    mine = None
    if member_id is not None:
        mine = db.session.execute(select(ranked.c.rank, ranked.c.score).where(ranked.c.id == member_id)).first()
    count = db.session.scalar(select(func.count()).select_from(ranked))
    return {
        "org": org.name, "year": year, "dimension": dimension, "members": count,
        "rows": [{"rank": r.rank, "name": r.name, "org": r.org, "score": r.score,
                  "stars": stars_for(r.score) if dimension is None else None} for r in rows],
        "my_rank": mine.rank if mine else None, "my_score": mine.score if mine else None,
    }


def rank_of(member_id: int, org_id: int, year: int) -> int | None:
    """The member's place on the board of the subtree (None when not on it, e.g. switched off)."""
    ranked = _ranked(get_org(org_id), year, None)
    return db.session.scalar(select(ranked.c.rank).where(ranked.c.id == member_id))


def _ranked(org: Org, year: int, dimension: str | None):
    """Active members of the subtree by yearly score, ties sharing a rank (1, 1, 3): one definition
    for the board, the member's own rank and the public account's answer."""
    score = select(Score.member_id, func.sum(Score.score).label("total")).where(Score.year == year)
    if dimension:
        score = score.where(Score.dimension == dimension)
    score = score.group_by(Score.member_id).subquery()
    total = func.coalesce(score.c.total, 0)
    return (select(Member.id, Member.name, Org.name.label("org"), total.label("score"),
                   func.rank().over(order_by=total.desc()).label("rank"))
            .join(Org, Member.org_id == Org.id).outerjoin(score, score.c.member_id == Member.id)
            .where(Org.path.startswith(org.path), Member.status == "active").subquery())
