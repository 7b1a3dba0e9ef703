"""Year-end settlement (年度结算) on PostgreSQL: each policy with worked numbers, the nearest policy up
the tree, the notice once, the run twice and at once expiring once, ledger-verify clean after."""
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from points_mall.extensions import db
from points_mall.points import ledger
from points_mall.points.models import LedgerEntry
from points_mall.year import settlement
from points_mall.people.access import SYSTEM

from .test_concurrency import run_together

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=SH)


def earn(member_id, points, when, tag=""):
    ledger.post(LedgerEntry(member_id=member_id, kind="award", dimension="service", delta_score=points,
                            delta_spendable=points, idempotency_key=f"t-earn:{member_id}:{when.isoformat()}:{points}:{tag}",
                            occurred_at=when, reason="测试奖励"))


def take(member_id, points, when, tag=""):
    ledger.post(LedgerEntry(member_id=member_id, kind="redeem", delta_spendable=-points,
                            idempotency_key=f"t-take:{member_id}:{when.isoformat()}:{points}:{tag}", occurred_at=when,
                            reason="测试兑换"))


def put_policy(client, park, org_id, who="admin", **body):
    return client.put(f"/api/v1/admin/settlement/policies/{org_id}", json=body, headers=park.auth(who))


def balance(sql, member_id):
    return sql("SELECT spendable FROM balance WHERE member_id = :m", m=member_id)


def test_clear_older_lapses_what_was_earned_before_the_cutoff_less_what_was_spent_oldest_first(app, client, park, sql):
    """N=6: the cutoff is 1 July 2025. January's 100 are older, November's 50 are not; the 30 spent in
    December came out of January's points (oldest first), so 70 lapse and 50 remain."""
    one, two = park.members_a[1].id, park.members_a[2].id
    with app.app_context():
        earn(one, 100, at(2025, 1, 15))
        earn(one, 50, at(2025, 11, 10))
        take(one, 30, at(2025, 12, 1))
        # Spent more than January's points: nothing old is left to lapse.
        earn(two, 100, at(2025, 1, 15))
        earn(two, 50, at(2025, 11, 10))
        take(two, 120, at(2025, 12, 1))
        db.session.commit()
    assert put_policy(client, park, park.root.id, mode="clear_older", months=6, notice_days=30).status_code == 200

    r = client.get("/api/v1/admin/settlement/preview?year=2025&lapsing_only=true", headers=park.auth("admin"))
    body = r.get_json()
    assert r.status_code == 200 and body["lapse"] == 70 and body["lapsing_members"] == 1
    row = body["items"][0]
    assert (row["member_id"], row["spendable"], row["lapse"]) == (one, 120, 70)
    assert "2025年7月1日前获得100分，已使用30分" in row["why"]

    r = client.post("/api/v1/admin/settlement/runs", json={"year": 2025}, headers=park.auth("admin"))
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["members_expired"], r.get_json()["points_expired"]) == (1, 70)
    assert balance(sql, one) == 50 and balance(sql, two) == 30
    entry = sql("SELECT kind, delta_spendable, delta_score, year, idempotency_key FROM ledger_entry "
                "WHERE kind = 'expire'")
    assert entry == [("expire", -70, 0, 2025, f"expire:2025:{one}")]
    # Scores are per year and never lapse.
    assert sql("SELECT score FROM score WHERE member_id = :m AND year = 2025", m=one) == 150
    assert sql("SELECT body FROM notification WHERE member_id = :m AND event = 'points_expired'", m=one).startswith(
        "按2025年度结算规则，您有70分超市积分已于2026年1月1日到期")


def test_clear_all_lapses_the_whole_balance_at_the_turn_but_not_what_was_earned_after(app, client, park, sql):
    m = park.members_b[0].id
    with app.app_context():
        earn(m, 100, at(2025, 1, 15))
        earn(m, 50, at(2025, 11, 10))
        take(m, 30, at(2025, 12, 1))
        earn(m, 20, at(2026, 1, 2))  # the new year's: stays
        db.session.commit()
    put_policy(client, park, park.root.id, mode="clear_all", notice_days=10)
    with app.app_context():
        run = settlement.settle_year(SYSTEM, 2025, trigger="cli")
        assert run.points_expired == 120
    assert balance(sql, m) == 20


def test_keep_lapses_nothing(app, client, park, sql):
    m = park.members_a[1].id
    with app.app_context():
        earn(m, 100, at(2025, 1, 15))
        db.session.commit()
    put_policy(client, park, park.root.id, mode="keep")
    with app.app_context():
        assert settlement.settle_year(SYSTEM, 2025).points_expired == 0
    assert balance(sql, m) == 100 and sql("SELECT count(*) FROM ledger_entry WHERE kind = 'expire'") == 0


def test_the_nearest_policy_up_the_tree_applies_and_none_means_keep(app, client, park, sql):
    in_group, in_a, in_b = park.members_a[0].id, park.members_a[1].id, park.members_b[0].id
    with app.app_context():
        for m in (in_group, in_a, in_b):
            earn(m, 40, at(2025, 3, 1))
        db.session.commit()
    preview = lambda: {r["member_id"]: r["lapse"] for r in client.get(  # noqa: E731
        "/api/v1/admin/settlement/preview?year=2025&page_size=50", headers=park.auth("admin")).get_json()["items"]}
    assert set(preview().values()) == {0}  # no policy anywhere: keep

    put_policy(client, park, park.root.id, mode="clear_all")
    put_policy(client, park, park.branch_a.id, mode="keep")
    assert preview()[in_group] == 0 and preview()[in_a] == 0 and preview()[in_b] == 40
    rows = {r["org_id"]: r for r in client.get("/api/v1/admin/settlement/policies", headers=park.auth("admin")).get_json()}
    assert rows[park.group_a.id]["own"] is None
    assert rows[park.group_a.id]["effective"]["from_org_id"] == park.branch_a.id
    assert rows[park.branch_b.id]["effective"]["mode"] == "clear_all"

    assert client.delete(f"/api/v1/admin/settlement/policies/{park.branch_a.id}",
                         headers=park.auth("admin")).status_code == 204
    assert preview()[in_group] == 40
    again = client.delete(f"/api/v1/admin/settlement/policies/{park.branch_a.id}", headers=park.auth("admin"))
    assert again.status_code == 404 and again.get_json()["error"]["code"] == "unknown_policy"
    actions = [r[0] for r in sql("SELECT action FROM audit_entry ORDER BY id")]
    assert actions.count("settlement.policy") == 2 and "settlement.policy_remove" in actions


def test_policies_are_kept_by_admins_within_their_subtree(client, park):
    assert put_policy(client, park, park.branch_a.id, who="org_a", mode="keep").status_code == 403
    assert put_policy(client, park, park.branch_a.id, who="admin_a", mode="clear_all").status_code == 200
    r = put_policy(client, park, park.branch_b.id, who="admin_a", mode="clear_all")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "out_of_scope"
    r = put_policy(client, park, park.root.id, mode="clear_older")
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_policy"
    # A sub-admin settles their own subtree only; the whole tree needs an admin over all of it.
    r = client.post("/api/v1/admin/settlement/runs", json={"year": 2025}, headers=park.auth("admin_a"))
    assert r.status_code == 403
    r = client.post("/api/v1/admin/settlement/runs", json={"year": 2025, "org_id": park.branch_a.id},
                    headers=park.auth("admin_a"))
    assert r.status_code == 201 and r.get_json()["org"] == park.branch_a.name


def test_a_year_not_yet_over_cannot_be_settled(client, park):
    year = datetime.now(SH).year
    r = client.post("/api/v1/admin/settlement/runs", json={"year": year}, headers=park.auth("admin"))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "year_not_over"
    assert r.get_json()["error"]["message"] == f"{year}年尚未结束，请在{year + 1}年1月1日之后结算"


def _park_with_points(app, client, park):
    with app.app_context():
        for i, p in enumerate(park.members_a + park.members_b):
            earn(p.id, 10 + i, at(2025, 2, 1))
        db.session.commit()
    put_policy(client, park, park.root.id, mode="clear_all")
    return sum(10 + i for i in range(len(park.members_a + park.members_b)))


def test_settlement_run_twice_expires_once(app, client, park, sql, runner):
    total = _park_with_points(app, client, park)
    first = runner.invoke(args=["settle-year", "--year", "2025"])
    assert first.exit_code == 0 and f"expired {total} point(s)" in first.output
    second = runner.invoke(args=["settle-year", "--year", "2025"])
    assert second.exit_code == 0 and "0 expired 0 point(s)" in second.output
    assert sql("SELECT count(*) FROM ledger_entry WHERE kind = 'expire'") == 10
    assert sql("SELECT count(*) FROM notification WHERE event = 'points_expired'") == 10
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0
    runs = client.get("/api/v1/admin/settlement/runs", headers=park.auth("admin")).get_json()
    assert runs["total"] == 2 and [r["points_expired"] for r in runs["items"]] == [0, total]
    assert [r["trigger"] for r in runs["items"]] == ["cli", "cli"]


def test_settlement_run_four_times_at_once_expires_once(app, client, park, sql, runner):
    total = _park_with_points(app, client, park)
    results = run_together(app, [lambda: settlement.settle_year(SYSTEM, 2025, trigger="job").points_expired] * 4)
    assert all(r[0] == "ok" for r in results), results
    assert sum(r[1] for r in results) == total
    assert sql("SELECT count(*) FROM ledger_entry WHERE kind = 'expire'") == 10
    assert sql("SELECT -sum(delta_spendable) FROM ledger_entry WHERE kind = 'expire'") == total
    assert sql("SELECT count(*) FROM notification WHERE event = 'points_expired'") == 10
    assert sql("SELECT count(*) FROM balance WHERE spendable <> 0") == 0
    assert runner.invoke(args=["ledger-verify"]).exit_code == 0


def test_the_job_settles_last_year_in_january_once_and_never_later(app, client, park, sql):
    total = _park_with_points(app, client, park)
    with app.app_context():
        assert settlement.settle_due(now=at(2026, 3, 1)) == 0  # too late for the job: an admin decides
        assert settlement.settle_due(now=at(2026, 1, 1, 0)) == total
        assert settlement.settle_due(now=at(2026, 1, 1, 1)) == 0  # done: the next tick does nothing
    assert sql("SELECT count(*) FROM settlement_run") == 1


def test_members_are_told_once_what_will_lapse_when_the_notice_period_begins(app, client, park, sql):
    m = park.members_a[1].id
    with app.app_context():
        earn(m, 100, at(2026, 1, 15))
        earn(m, 50, at(2026, 11, 10))
        db.session.commit()
    put_policy(client, park, park.root.id, mode="clear_older", months=6, notice_days=30)
    with app.app_context():
        assert settlement.send_notices(now=at(2026, 11, 30)) == 0  # 32 days before: not yet
    results = run_together(app, [lambda: settlement.send_notices(now=at(2026, 12, 5))] * 3)
    assert sorted(r[1] for r in results) == [0, 0, 1], results
    with app.app_context():
        assert settlement.send_notices(now=at(2026, 12, 20)) == 0  # the next day's run: already told
    assert sql("SELECT body FROM notification WHERE event = 'points_lapsing'") == (
        "您有100分超市积分将于2027年1月1日到期，请在2026年12月31日前兑换使用。"
        "2026年7月1日前获得100分，已使用0分，未用完的100分到期（综合党委的设置）")
    assert sql("SELECT points FROM settlement_notice WHERE member_id = :m AND year = 2026", m=m) == 100


def test_the_member_sees_what_will_lapse_this_year(app, client, park):
    m = park.members_b[1]
    with app.app_context():
        earn(m.id, 35, datetime.now(SH).replace(month=1, day=2))
        db.session.commit()
    mine = client.get("/api/v1/me/lapse", headers=park.auth(m)).get_json()
    assert mine["points"] == 0 and mine["mode"] == "keep"
    put_policy(client, park, park.branch_b.id, mode="clear_all")
    mine = client.get("/api/v1/me/lapse", headers=park.auth(m)).get_json()
    year = datetime.now(SH).year
    assert (mine["points"], mine["lapse_on"], mine["year"]) == (35, f"{year + 1}-01-01", year)
    assert client.get("/api/v1/me/lapse", headers=park.auth("admin")).status_code == 403


def test_the_preview_is_paged_with_totals_and_exports_every_row(app, client, park):
    total = _park_with_points(app, client, park)
    r = client.get("/api/v1/admin/settlement/preview?year=2025&page=2&page_size=4", headers=park.auth("admin"))
    body = r.get_json()
    assert body["total"] == 10 and body["lapse"] == total and len(body["items"]) == 4
    assert [i["lapse"] for i in body["items"]] == [15, 14, 13, 12]  # most to lapse first
    assert body["items"][0]["phone"].count("*") == 4
    r = client.get("/api/v1/admin/settlement/preview?year=2025&format=xlsx", headers=park.auth("admin"))
    rows = list(load_workbook(BytesIO(r.data)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("姓名", "手机号", "所属组织", "超市积分", "到期积分") and len(rows) == 11
    scoped = client.get(f"/api/v1/admin/settlement/preview?year=2025&org_id={park.branch_b.id}",
                        headers=park.auth("admin_a"))
    assert scoped.status_code == 403
    assert client.get("/api/v1/admin/settlement/preview?year=2025", headers=park.auth("org_a")).status_code == 403


def test_on_the_embedded_default_settlement_notices_and_imports_work_too():
    """A database of its own without Redis, as `make run` starts it: the same use cases."""
    from flask_migrate import upgrade

    from points_mall import create_app
    from points_mall.config import TestConfig
    from points_mall.year import opening

    from .conftest import _recreate_database
    from .park import Park
    from .sheets import sheet

    class Embedded(TestConfig):
        SQLALCHEMY_DATABASE_URI = TestConfig.SQLALCHEMY_DATABASE_URI + "_embedded"
        REDIS_URL = None

    _recreate_database(Embedded.SQLALCHEMY_DATABASE_URI)

    app = create_app(Embedded)
    with app.app_context():
        upgrade()
        park = Park.build()
        m = park.members_a[1]
        opening.import_opening(SYSTEM, sheet([(m.name, m.phone, 80, 5, 0, 0, 0, 0)], opening.COLUMNS), 2025)
        earn(m.id, 50, at(2025, 11, 10))
        db.session.commit()
        settlement.set_policy(SYSTEM, park.root.id, "clear_older", 6, 30)
        assert settlement.preview(SYSTEM, 2025)["lapse"] == 80  # the opening balance counts from 1 January
        assert settlement.send_notices(now=at(2025, 12, 20)) == 1
        assert settlement.send_notices(now=at(2025, 12, 21)) == 0
        assert settlement.settle_year(SYSTEM, 2025).points_expired == 80
        assert settlement.settle_year(SYSTEM, 2025).points_expired == 0
        assert ledger.verify() == []
        db.session.remove()
        db.engine.dispose()
