"""The board kept in Redis (公示栏缓存): the same answer as SQL after every kind of posting, member change,
a lost set, a rolled-back posting, and awards from many threads at once while a set is being built."""
import random
from contextlib import contextmanager

from points_mall import create_app
from points_mall.config import TestConfig
from points_mall.errors import DomainError
from points_mall.extensions import db
from points_mall.points.models import Rule
from points_mall.points.models import DIMENSIONS
from points_mall.board import board_cache, ranking
from points_mall.points import ledger
from datetime import datetime
from zoneinfo import ZoneInfo

from .helpers import make_activity, nonce
from .test_concurrency import run_together, staff
from .test_mall import redeem, rice

YEAR = datetime.now(ZoneInfo("Asia/Shanghai")).year  # the park's year (TIMEZONE), the board's default


@contextmanager
def sql_only(app):
    """The board as the embedded default answers it: no Redis."""
    client = app.extensions["pm_redis"]
    app.extensions["pm_redis"] = None
    try:
        yield
    finally:
        app.extensions["pm_redis"] = client


def board(app, org_id, dimension=None, member_id=None, limit=50):
    with app.app_context():
        answer = ranking.points_board(org_id, YEAR, dimension, limit, member_id)
        db.session.remove()
    return answer


def sql_board(app, org_id, dimension=None, member_id=None, limit=50):
    with sql_only(app):
        return board(app, org_id, dimension, member_id, limit)


def rds(app):
    """The app's Redis (the tests' database)."""
    return app.extensions["pm_redis"]


def cached(app, org_id, dimension=None) -> bool:
    return bool(rds(app).exists(board_cache.key(org_id, YEAR, dimension)))


def orgs(park):
    return [park.root, park.branch_a, park.branch_b, park.group_a]


def every_board(app, park, viewers):
    """Each organisation's board, total and by dimension, for each viewer, built (read once) first."""
    for org in orgs(park):
        for dimension in (None, *DIMENSIONS):
            for viewer in viewers:
                yield org.id, dimension, viewer


def assert_redis_equals_sql(app, park, viewers=(None,), already_built=True):
    for org_id, dimension, viewer in every_board(app, park, viewers):
        if already_built:  # kept in step by the ledger, not rebuilt for this read
            assert cached(app, org_id, dimension), (org_id, dimension)
        redis_answer = board(app, org_id, dimension, viewer)
        assert cached(app, org_id, dimension), (org_id, dimension)
        assert redis_answer == sql_board(app, org_id, dimension, viewer), (org_id, dimension, viewer)


def build_all(app, park):
    for org_id, dimension, _ in every_board(app, park, (None,)):
        board(app, org_id, dimension)


def award(client, park, members, code="service.volunteer", who="org_general"):
    r = client.post("/api/v1/awards", json={"member_ids": [m.id for m in members], "rule_code": code},
                    headers=park.auth(who))
    assert r.status_code == 201, r.get_json()


def call(client, park, who, method, url, body=None):
    r = client.open(url, method=method, json=body, headers=park.auth(who))
    assert r.status_code == 200, r.get_json()


def zset(app, name):
    return rds(app).zrange(name, 0, -1, withscores=True)


def test_the_board_from_redis_equals_sql_after_checkins_awards_deductions_and_redemptions(app, client, park, shop):
    a, b = park.members_a, park.members_b
    build_all(app, park)
    award(client, park, [a[1], a[2], b[1]])
    award(client, park, [a[1], b[3]], code="study.meeting")
    award(client, park, [a[2], b[1]], code="integrity.absent")  # a deduction
    activity = make_activity(client, park)
    for m in (a[0], a[3]):  # a[0] is in the party group, under branch A
        r = client.post(f"/api/v1/activities/{activity['id']}/checkins", json={"member_id": m.id, "nonce": nonce()},
                        headers=park.auth("org_a"))
        assert r.status_code == 200 and r.get_json()["points"] == 2, r.get_json()
    assert redeem(client, park, b[2], shop, rice(shop)).status_code == 201  # spendable only: no score moves
    with app.app_context():  # a reversal (红冲) of a deduction gives the score back
        entry = db.session.execute(db.text("SELECT id FROM ledger_entry WHERE kind = 'deduct' ORDER BY id LIMIT 1")).scalar()
        ledger.reverse(staff("admin"), entry, "误扣")
    assert_redis_equals_sql(app, park, viewers=(None, a[0].id, a[2].id, b[1].id, b[4].id))
    root = board(app, park.root.id)
    # Ties share a rank (1, 1, 3) and list in member-id order.
    ranks = [r["rank"] for r in root["rows"]]
    assert ranks == sorted(ranks) and ranks[0] == 1 and root["members"] == len(a) + len(b)
    scores = [r["score"] for r in root["rows"]]
    for i in range(1, len(scores)):
        assert ranks[i] == (ranks[i - 1] if scores[i] == scores[i - 1] else i + 1)


def test_ties_share_a_rank_in_member_id_order(app, client, park):
    a, b = park.members_a, park.members_b
    build_all(app, park)
    award(client, park, [b[4], a[1], b[0]])
    answer = board(app, park.root.id, member_id=b[4].id, limit=4)
    assert [(r["rank"], r["score"]) for r in answer["rows"]] == [(1, 5), (1, 5), (1, 5), (4, 0)]
    assert answer == sql_board(app, park.root.id, member_id=b[4].id, limit=4)
    assert (answer["my_rank"], answer["my_score"]) == (1, 5)
    with app.app_context():  # the public account's "my rank" reads the same set
        assert ranking.rank_of(b[4].id, park.root.id, YEAR) == 1
        assert ranking.rank_of(a[2].id, park.branch_a.id, YEAR) == 2  # after a[1], level with the rest


def test_a_member_switched_off_leaves_the_board_and_comes_back_with_their_score(app, client, park):
    m = park.members_a[1]
    award(client, park, [m])
    build_all(app, park)
    call(client, park, "admin", "POST", f"/api/v1/admin/members/{m.id}/deactivate", {"note": "长期外出"})
    off = board(app, park.root.id, member_id=m.id)
    assert off["my_rank"] is None and off["members"] == 9 and all(r["score"] == 0 for r in off["rows"])
    assert_redis_equals_sql(app, park, viewers=(None, m.id))
    call(client, park, "admin", "POST", f"/api/v1/admin/members/{m.id}/activate", {"note": "返回"})
    on = board(app, park.branch_a.id, member_id=m.id)
    assert (on["my_rank"], on["my_score"], on["members"]) == (1, 5, 5)
    assert_redis_equals_sql(app, park, viewers=(None, m.id))


def test_a_transfer_moves_the_member_to_the_other_branch_board(app, client, park):
    m = park.members_b[1]
    award(client, park, [m], code="study.meeting")
    build_all(app, park)
    call(client, park, "admin", "POST", f"/api/v1/admin/members/{m.id}/transfer", {"org_id": park.branch_a.id})
    assert board(app, park.branch_b.id, member_id=m.id)["my_rank"] is None
    moved = board(app, park.branch_a.id, "study", member_id=m.id)
    assert (moved["my_rank"], moved["my_score"], moved["members"]) == (1, 2, 6)
    assert_redis_equals_sql(app, park, viewers=(None, m.id))


def test_a_set_lost_from_redis_is_rebuilt_from_sql_and_equal(app, client, park, runner):
    award(client, park, park.members_a[:3])
    build_all(app, park)
    name = board_cache.key(park.root.id, YEAR, None)
    before = zset(app, name)
    rds(app).delete(name)
    assert board(app, park.root.id) == sql_board(app, park.root.id) and zset(app, name) == before
    # A set gone wrong (say a change lost between commit and Redis) is mended by the daily rebuild.
    rds(app).zincrby(name, 7, zset(app, name)[0][0])
    result = runner.invoke(args=["board-rebuild"])
    assert result.exit_code == 0 and "set(s) rebuilt" in result.output
    assert zset(app, name) == before
    assert_redis_equals_sql(app, park)


def test_a_rolled_back_posting_changes_nothing_in_redis(app, client, park):
    a = park.members_a
    build_all(app, park)
    name = board_cache.key(park.root.id, YEAR, None)
    before = zset(app, name)
    with app.app_context():
        rule = db.session.scalar(db.select(Rule).where(Rule.code == "service.volunteer"))
        ledger.apply_rule([a[1].id, a[2].id], rule, key_prefix="t:", source=(None, None), actor="t")
        ledger.apply_rule([a[3].id], rule, key="t1", source=(None, None), actor="t")
        db.session.rollback()
        db.session.commit()  # a later commit of the same session carries nothing of it
    # A posting refused half-way (one member switched off) rolls back as a whole.
    call(client, park, "admin", "POST", f"/api/v1/admin/members/{a[4].id}/deactivate", {})
    r = client.post("/api/v1/awards", json={"member_ids": [a[1].id, a[4].id], "rule_code": "service.volunteer"},
                    headers=park.auth("org_general"))
    assert r.status_code == 409
    after = [(m, s) for m, s in zset(app, name) if board_cache._member_id(m) != a[4].id]
    assert after == [(m, s) for m, s in before if board_cache._member_id(m) != a[4].id]
    assert_redis_equals_sql(app, park)


def test_redis_unreachable_answers_from_sql(app, client, park):
    award(client, park, park.members_a[:2])
    expected = sql_board(app, park.root.id, member_id=park.members_a[0].id)

    class Unreachable(TestConfig):
        REDIS_URL = "redis://127.0.0.1:1/0"

    other = create_app(Unreachable)
    assert board(other, park.root.id, member_id=park.members_a[0].id) == expected
    with other.app_context():  # a posting still commits; its Redis call fails quietly
        rule = db.session.scalar(db.select(Rule).where(Rule.code == "service.volunteer"))
        ledger.apply_rule([park.members_b[0].id], rule, key="t-unreachable", source=(None, None), actor="t")
        db.session.commit()
        assert ledger.verify() == []


def test_concurrent_awards_leave_redis_equal_to_sql_even_while_a_set_is_built(app, park):
    members = [m.id for m in park.members_a + park.members_b]
    build_all(app, park)
    rng = random.Random(12)
    codes = ["service.volunteer", "study.meeting", "integrity.absent"]
    finished = []

    def awards(n):
        outcomes = []
        for i in range(15):
            ids, code = rng.sample(members, rng.randint(1, 6)), rng.choice(codes)
            try:
                outcomes.append(len(posting_award(ids, code, f"{n}-{i}")))
            except DomainError as e:  # a deduction finding the points already spent elsewhere
                assert e.code == "insufficient_points"
        finished.append(n)
        return outcomes

    def rebuild():  # the root's sets lost and built again and again while the awards commit
        from points_mall.people.models import Org

        root, built = db.session.get(Org, park.root.id), 0
        while True:  # at least once, then as long as awards are being posted
            rds(app).delete(board_cache.key(park.root.id, YEAR, None))
            built += board_cache.build(root, YEAR, None)
            board_cache.build(root, YEAR, "study")  # rebuilt in place, the old set answering meanwhile
            if len(finished) == 12:
                return built

    results = run_together(app, [lambda n=n: awards(n) for n in range(12)] + [rebuild, rebuild])
    assert all(r[0] == "ok" for r in results), results
    assert sum(len(r[1]) for r in results[:-2]) >= 90 and results[-1][1] + results[-2][1] >= 1, results
    assert_redis_equals_sql(app, park, viewers=(None, members[0]), already_built=False)
    with app.app_context():
        assert ledger.verify() == []


def posting_award(member_ids, code, n):
    rule = db.session.scalar(db.select(Rule).where(Rule.code == code))
    try:
        posted = ledger.apply_rule(member_ids, rule, key_prefix=f"c{n}:", source=("award", None), actor="test")
        db.session.commit()
        return posted
    except DomainError:
        db.session.rollback()
        raise
