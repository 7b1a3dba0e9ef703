"""The points board (积分公示栏) and star board (党员星级公示栏): yearly scores, ranked."""
from sqlalchemy import func, select

from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.people.models import Member, Org
from points_mall.points.models import DIMENSIONS
from points_mall.board import board_cache
from points_mall.people.access import get_org
from points_mall.points.profile import stars_for


def points_board(org_id: int, year: int, dimension: str | None = None, limit: int = 50,
                 member_id: int | None = None) -> dict:
    """Active members of the subtree by yearly score, ties sharing a rank (1, 1, 3)."""
    if dimension is not None and dimension not in DIMENSIONS:
        raise DomainError("invalid_dimension")
    org = get_org(org_id)
    cached = board_cache.read(org, year, dimension, limit, member_id)
    if cached is not None:
        return _from_cache(org, year, dimension, cached)
    ranked = _ranked(org, year, dimension)
    rows = db.session.execute(select(ranked).order_by(ranked.c.rank, ranked.c.id).limit(limit)).all()
    mine = None
    if member_id is not None:
        mine = db.session.execute(select(ranked.c.rank, ranked.c.score).where(ranked.c.id == member_id)).first()
    count = db.session.scalar(select(func.count()).select_from(ranked))
    return {
        "org": org.name, "year": year, "dimension": dimension, "members": count,
        "rows": [_row(r.rank, r.name, r.org, r.score, dimension) for r in rows],
        "my_rank": mine.rank if mine else None, "my_score": mine.score if mine else None,
    }


def rank_of(member_id: int, org_id: int, year: int) -> int | None:
    """The member's place on the board of the subtree (None when not on it, e.g. switched off)."""
    org = get_org(org_id)
    cached = board_cache.read(org, year, None, 0, member_id)
    if cached is not None:
        return cached.mine[0] if cached.mine else None
    ranked = _ranked(org, year, None)
    return db.session.scalar(select(ranked.c.rank).where(ranked.c.id == member_id))


def _from_cache(org: Org, year: int, dimension: str | None, cached: board_cache.Standing) -> dict:
    """The board as SQL would answer it, from the set: names and branches by primary key."""
    ids = [member_id for member_id, _, _ in cached.top]
    names = {r.id: r for r in db.session.execute(
        select(Member.id, Member.name, Org.name.label("org")).join(Org, Member.org_id == Org.id)
        .where(Member.id.in_(ids)))} if ids else {}
    return {
        "org": org.name, "year": year, "dimension": dimension, "members": cached.members,
        "rows": [_row(rank, names[i].name, names[i].org, score, dimension) for i, score, rank in cached.top],
        "my_rank": cached.mine[0] if cached.mine else None, "my_score": cached.mine[1] if cached.mine else None,
    }


def _row(rank: int, name: str, org: str, score: int, dimension: str | None) -> dict:
    """One line of the board; stars go with the total only."""
    return {"rank": rank, "name": name, "org": org, "score": score,
            "stars": stars_for(score) if dimension is None else None}


def _ranked(org: Org, year: int, dimension: str | None):
    """Active members of the subtree by yearly score, ties sharing a rank (1, 1, 3): one definition
    for the board, the member's own rank and the public account's answer."""
    board = board_cache.scored(org, year, dimension)
    return select(board, func.rank().over(order_by=board.c.score.desc()).label("rank")).subquery()
