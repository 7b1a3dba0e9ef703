"""The board's other views for the activity-centre screen: by branch and by dimension (no names but masked ones)."""
from collections import defaultdict

from sqlalchemy import select

from points_mall.extensions import db
from points_mall.people.models import Member, Org
from points_mall.points.models import Score
from points_mall.points.models import DIMENSIONS
from points_mall.people.access import get_org

TOP = 5


def _scores(org: Org, year: int) -> tuple[list, dict]:
    """Active members of the subtree (id, name, org path) and their score per dimension this year."""
    people = db.session.execute(
        select(Member.id, Member.name, Org.path).join(Org, Org.id == Member.org_id)
        .where(Org.path.startswith(org.path), Member.status == "active")).all()
    scores: dict[int, dict[str, int]] = defaultdict(dict)
    for member_id, dimension, score in db.session.execute(
            select(Score.member_id, Score.dimension, Score.score).join(Member, Member.id == Score.member_id)
            .join(Org, Org.id == Member.org_id)
            .where(Score.year == year, Org.path.startswith(org.path), Member.status == "active")):
        scores[member_id][dimension] = score
    return people, scores


def branches(org_id: int, year: int) -> dict:
    """Each branch (党支部) of the subtree with its members' total and average score, by dimension.
    A subtree with no branch below it is shown as itself."""
    org = get_org(org_id)
    people, scores = _scores(org, year)
    units = db.session.scalars(select(Org).where(Org.path.startswith(org.path), Org.kind == "branch", Org.active)
                               .order_by(Org.path)).all() or [org]
    rows = []
    for unit in units:
        inside = [p for p in people if p.path.startswith(unit.path)]
        by_dim = {d: sum(scores[p.id].get(d, 0) for p in inside) for d in DIMENSIONS}
        total = sum(by_dim.values())
        rows.append({"org_id": unit.id, "org": unit.name, "members": len(inside), "score": total,
                     "average": round(total / len(inside), 1) if inside else 0.0, "by_dimension": by_dim})
    rows.sort(key=lambda r: (-r["average"], r["org"]))
    return {"org": org.name, "year": year, "rows": rows}


def dimensions(org_id: int, year: int) -> dict:
    """Each dimension's total over the subtree and its leading members (names masked by the schema)."""
    org = get_org(org_id)
    people, scores = _scores(org, year)
    out = []
    for d in DIMENSIONS:
        ranked = sorted(((scores[p.id].get(d, 0), p.name, p.id) for p in people), key=lambda x: (-x[0], x[2]))
        out.append({"dimension": d, "score": sum(s for s, _, _ in ranked),
                    "top": [{"name": n, "score": s} for s, n, _ in ranked[:TOP] if s > 0]})
    return {"org": org.name, "year": year, "members": len(people), "rows": out}
