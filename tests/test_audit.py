"""The audit trail: every staff change and every login attempt leaves one row, written with the change
(and gone with it when the change fails), and admins over the whole tree search it."""
from io import BytesIO

import pytest

from .helpers import make_activity, nonce
from .park import PASSWORD
from .sheets import sheet

HALL = "10.20.30.40"  # the client address every staff request in these tests comes from


def call(client, park, who, method, url, body=None):
    return client.open(url, method=method, json=body, headers=park.auth(who), environ_base={"REMOTE_ADDR": HALL})


def audit_rows(sql, action=None):
    """Rows of the trail, oldest first, as dicts."""
    where = "WHERE action = :action" if action else ""
    rows = sql("SELECT actor_kind, actor_id, actor_name, address, action, entity, entity_id, before, after "
               f"FROM audit_entry {where} ORDER BY id", action=action) or []
    keys = ("actor_kind", "actor_id", "actor_name", "address", "action", "entity", "entity_id", "before", "after")
    return [dict(zip(keys, r)) for r in (rows if isinstance(rows, list) else [rows])]


def only(sql, action):
    rows = audit_rows(sql, action)
    assert len(rows) == 1, rows
    return rows[0]


def staff_id(sql, username):
    return sql("SELECT id FROM staff_user WHERE username = :u", u=username)


def by(sql, username):
    """What a row says about who acted, for a staff account."""
    return {"actor_kind": "staff", "actor_id": staff_id(sql, username), "actor_name": username, "address": HALL}


def test_organisations_created_renamed_moved_and_retired_are_audited(client, park, sql):
    made = call(client, park, "admin", "POST", "/api/v1/admin/orgs",
                {"name": "智芯传感党支部", "kind": "branch", "parent_id": park.root.id}).get_json()
    row = only(sql, "org.create")
    assert row | by(sql, "admin") == row and row["entity"] == "org" and row["entity_id"] == made["id"]
    assert row["before"] is None and row["after"]["name"] == "智芯传感党支部" and row["after"]["parent_id"] == park.root.id

    call(client, park, "admin", "PATCH", f"/api/v1/admin/orgs/{made['id']}", {"name": "智芯党支部"})
    assert only(sql, "org.rename")["before"] == {"name": "智芯传感党支部"}
    assert only(sql, "org.rename")["after"] == {"name": "智芯党支部"}
    call(client, park, "admin", "PATCH", f"/api/v1/admin/orgs/{made['id']}", {"parent_id": park.branch_b.id})
    moved = only(sql, "org.move")
    assert moved["before"]["parent_id"] == park.root.id and moved["after"]["parent_id"] == park.branch_b.id
    call(client, park, "admin", "POST", f"/api/v1/admin/orgs/{made['id']}/retire")
    retired = only(sql, "org.retire")
    assert (retired["before"], retired["after"], retired["entity_id"]) == ({"active": True}, {"active": False}, made["id"])


def test_members_created_imported_and_edited_are_audited_with_only_the_changed_fields(client, park, sql):
    made = call(client, park, "admin_a", "POST", "/api/v1/admin/members",
                {"name": "赵六", "phone": "13611112222", "member_type": "党员", "org_id": park.branch_a.id}).get_json()
    row = only(sql, "member.create")
    assert row | by(sql, "admin_a") == row and row["entity_id"] == made["id"]
    assert row["after"]["phone"] == "13611112222" and row["after"]["org_id"] == park.branch_a.id

    content = sheet([("王五", "13712345678", "党员", "星联电子党支部", "2020-07-01", None)])
    r = client.post("/api/v1/admin/members/import", data={"file": (BytesIO(content), "m.xlsx")},
                    headers=park.auth("admin"), environ_base={"REMOTE_ADDR": HALL})
    assert r.status_code == 201
    imported = only(sql, "member.import")
    assert imported["after"]["name"] == "王五" and imported["after"]["party_birthday"] == "2020-07-01"
    assert imported["entity_id"] == sql("SELECT id FROM member WHERE phone = '13712345678'")

    m = park.members_a[1]
    call(client, park, "admin", "PATCH", f"/api/v1/admin/members/{m.id}", {"name": "张一鸣", "member_type": "党员"})
    edited = only(sql, "member.edit")
    assert edited | by(sql, "admin") == edited and edited["entity_id"] == m.id
    assert edited["before"] == {"name": m.name} and edited["after"] == {"name": "张一鸣"}  # member_type did not change


def test_grants_given_and_revoked_are_audited(client, park, sql):
    secretary = park.members_a[0]
    g = call(client, park, "admin_a", "POST", "/api/v1/admin/grants",
             {"member_id": secretary.id, "role": "organizer", "org_id": park.group_a.id}).get_json()
    given = only(sql, "grant.create")
    assert given | by(sql, "admin_a") == given and given["entity"] == "grant" and given["entity_id"] == g["id"]
    assert given["after"] == {"role": "organizer", "member_id": secretary.id, "staff_id": None,
                              "org_id": park.group_a.id, "shop_id": None}
    assert call(client, park, "admin", "DELETE", f"/api/v1/admin/grants/{g['id']}").status_code == 204
    revoked = only(sql, "grant.revoke")
    assert revoked | by(sql, "admin") == revoked and revoked["before"] == given["after"] and revoked["after"] is None


def test_rules_created_edited_and_retired_are_audited(client, park, sql):
    body = {"code": "service.blood", "name": "无偿献血", "dimension": "service", "points": 10}
    rule = call(client, park, "admin", "POST", "/api/v1/admin/rules", body).get_json()
    created = only(sql, "rule.create")
    assert created | by(sql, "admin") == created and created["after"]["code"] == "service.blood"
    call(client, park, "admin", "PATCH", f"/api/v1/admin/rules/{rule['id']}", {"points": 12, "name": "无偿献血"})
    edited = only(sql, "rule.edit")
    assert (edited["entity_id"], edited["before"], edited["after"]) == (rule["id"], {"points": 10, "version": 1},
                                                                     {"points": 12, "version": 2})
    call(client, park, "admin", "POST", f"/api/v1/admin/rules/{rule['id']}/retire")
    assert only(sql, "rule.retire")["after"] == {"active": False}


def test_shops_created_and_edited_are_audited(client, park, sql):
    made = call(client, park, "admin", "POST", "/api/v1/admin/shops",
                {"name": "星联积分角", "org_id": park.branch_a.id, "address": "三楼"}).get_json()
    created = only(sql, "shop.create")
    assert created | by(sql, "admin") == created and created["entity_id"] == made["id"]
    assert created["after"]["name"] == "星联积分角" and created["after"]["address"] == "三楼"
    call(client, park, "admin_a", "PATCH", f"/api/v1/admin/shops/{made['id']}", {"opening_hours": "周三下午"})
    edited = only(sql, "shop.edit")
    assert edited | by(sql, "admin_a") == edited
    assert (edited["before"], edited["after"]) == ({"opening_hours": ""}, {"opening_hours": "周三下午"})


def test_products_created_and_edited_are_audited(client, park, shop, sql):
    made = call(client, park, "keeper", "POST", "/api/v1/shop/products",
                {"shop_id": shop.shop_id, "name": "保温杯", "points_price": 80}).get_json()
    created = only(sql, "product.create")
    assert created | by(sql, "keeper") == created and created["entity_id"] == made["id"]
    assert created["after"]["points_price"] == 80 and created["after"]["shop_id"] == shop.shop_id
    call(client, park, "keeper", "PATCH", f"/api/v1/shop/products/{made['id']}", {"points_price": 60, "name": "保温杯"})
    edited = only(sql, "product.edit")
    assert (edited["before"], edited["after"]) == ({"points_price": 80}, {"points_price": 60})


def test_stock_movements_are_audited_with_the_stock_before_and_after(client, park, shop, sql):
    towel = shop.products["毛巾"]
    r = call(client, park, "keeper", "POST", f"/api/v1/shop/products/{towel}/stock",
             {"delta": 10, "kind": "purchase", "unit_cost": 6.5, "funding_source": park.root.id})
    assert r.status_code in (200, 201), r.get_json()
    bought = only(sql, "stock.purchase")
    assert bought | by(sql, "keeper") == bought and bought["entity"] == "stock_movement"
    assert bought["before"] == {"on_hand": 20}
    assert bought["after"] | {"on_hand": 30, "product_id": towel, "quantity": 10, "unit_cost": "6.50",
                              "funding_org_id": park.root.id} == bought["after"]
    call(client, park, "keeper", "POST", f"/api/v1/shop/products/{towel}/stock", {"delta": -2, "kind": "loss"})
    lost = only(sql, "stock.loss")
    assert lost["before"] == {"on_hand": 30} and lost["after"]["on_hand"] == 28


def test_award_approvals_and_rejections_are_audited(client, park, sql):
    ids = [park.members_a[1].id, park.members_a[2].id]
    first = call(client, park, "org_a", "POST", "/api/v1/awards",
                 {"member_ids": ids, "rule_code": "performance.pioneer", "reason": "技术攻关"}).get_json()
    second = call(client, park, "org_a", "POST", "/api/v1/awards",
                  {"member_ids": ids[:1], "rule_code": "performance.pioneer", "reason": "重复申报"}).get_json()
    assert audit_rows(sql) == []  # a proposal awaiting approval changes nobody's points yet
    assert call(client, park, "org_general", "POST", f"/api/v1/awards/{first['id']}/approve",
                {"note": "同意"}).status_code == 200
    approved = only(sql, "award.approve")
    assert approved | by(sql, "org_general") == approved and approved["entity"] == "award"
    assert approved["entity_id"] == first["id"] and approved["before"] == {"status": "pending"}
    assert approved["after"] == {"status": "applied", "decision_note": "同意", "member_ids": ids}
    call(client, park, "org_general", "POST", f"/api/v1/awards/{second['id']}/reject", {"note": "重复"})
    rejected = only(sql, "award.reject")
    assert rejected["entity_id"] == second["id"] and rejected["after"]["status"] == "rejected"


def test_a_ledger_reversal_is_audited(client, park, sql):
    m = park.members_a[1]
    call(client, park, "org_a", "POST", "/api/v1/awards", {"member_ids": [m.id], "rule_code": "service.volunteer",
                                                           "reason": "社区服务"})
    entry = sql("SELECT id FROM ledger_entry WHERE member_id = :m", m=m.id)
    r = call(client, park, "admin", "POST", f"/api/v1/ledger/{entry}/reverse", {"reason": "重复录入"})
    assert r.status_code == 201
    row = only(sql, "ledger.reverse")
    assert row | by(sql, "admin") == row and row["entity"] == "ledger_entry" and row["entity_id"] == entry
    assert row["after"] == {"reversal_id": r.get_json()["id"], "member_id": m.id, "delta_score": -5,
                            "delta_spendable": -5, "reason": "重复录入"}


def test_leave_decisions_are_audited(client, park, sql):
    a = make_activity(client, park, kind="branch_meeting", title="支部党员大会")
    asks = [client.post(f"/api/v1/activities/{a['id']}/leave", json={"reason": "出差"},
                        headers=park.auth(m)).get_json()["id"] for m in park.members_a[1:3]]
    call(client, park, "org_a", "POST", f"/api/v1/leave/{asks[0]}/approve")
    call(client, park, "org_a", "POST", f"/api/v1/leave/{asks[1]}/reject")
    approved, rejected = only(sql, "leave.approve"), only(sql, "leave.reject")
    assert approved | by(sql, "org_a") == approved and approved["entity"] == "leave_request"
    assert approved["entity_id"] == asks[0] and approved["before"] == {"status": "pending"}
    assert approved["after"] == {"status": "approved", "member_id": park.members_a[1].id, "activity_id": a["id"]}
    assert rejected["entity_id"] == asks[1] and rejected["after"]["status"] == "rejected"


def test_an_outbox_resend_is_audited(client, park, sql):
    call(client, park, "org_a", "POST", "/api/v1/awards", {"member_ids": [park.members_a[1].id],
                                                           "rule_code": "service.volunteer", "reason": "社区服务"})
    note = sql("SELECT id FROM notification")
    sql("UPDATE notification SET status = 'dead' WHERE id = :n", n=note)
    assert call(client, park, "admin", "POST", f"/api/v1/admin/outbox/{note}/resend").status_code == 200
    row = only(sql, "outbox.resend")
    assert row | by(sql, "admin") == row and (row["entity"], row["entity_id"]) == ("notification", note)
    assert (row["before"], row["after"]) == ({"status": "dead"}, {"status": "pending"})


def test_activities_created_edited_published_and_cancelled_are_audited(client, park, sql):
    a = make_activity(client, park, publish=False, title="七一主题党日", place="党群服务中心")
    created = only(sql, "activity.create")
    assert created | by(sql, "org_a") | {"address": "127.0.0.1"} == created and created["entity_id"] == a["id"]
    assert created["after"]["title"] == "七一主题党日" and created["after"]["status"] == "draft"
    call(client, park, "org_a", "PATCH", f"/api/v1/activities/{a['id']}", {"place": "三楼会议室", "title": "七一主题党日"})
    edited = only(sql, "activity.edit")
    assert (edited["before"], edited["after"]) == ({"place": "党群服务中心"}, {"place": "三楼会议室"})
    call(client, park, "org_a", "POST", f"/api/v1/activities/{a['id']}/publish")
    assert only(sql, "activity.publish")["after"] == {"status": "published"}
    call(client, park, "org_general", "POST", f"/api/v1/activities/{a['id']}/cancel", {"reason": "台风"})
    cancelled = only(sql, "activity.cancel")
    assert cancelled | by(sql, "org_general") == cancelled
    assert (cancelled["before"], cancelled["after"]) == ({"status": "published"}, {"status": "cancelled", "reason": "台风"})


def test_meeting_minutes_are_audited(client, park, sql):
    a = make_activity(client, park, kind="branch_meeting", title="支部党员大会")
    call(client, park, "org_a", "PUT", f"/api/v1/activities/{a['id']}/minutes", {"minutes": "学习党章。"})
    call(client, park, "org_a", "PUT", f"/api/v1/activities/{a['id']}/minutes", {"minutes": "学习党章，讨论发展党员。"})
    first, second = audit_rows(sql, "activity.minutes")
    assert first | by(sql, "org_a") == first and first["entity_id"] == a["id"]
    assert (first["before"], first["after"]) == ({"minutes": None}, {"minutes": "学习党章。"})
    assert (second["before"], second["after"]) == ({"minutes": "学习党章。"}, {"minutes": "学习党章，讨论发展党员。"})


def test_a_keeper_handing_over_an_order_is_audited(client, park, shop, sql):
    m = park.members_a[1]
    order = client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id,
                                                     "items": [{"product_id": shop.products["毛巾"], "qty": 1}]},
                        headers=park.auth(m) | {"Idempotency-Key": nonce()}).get_json()
    assert audit_rows(sql) == []  # a member's own order is not a staff change
    assert call(client, park, "keeper", "POST", f"/api/v1/shop/redemptions/{order['id']}/fulfil").status_code == 200
    row = only(sql, "redemption.fulfil")
    assert row | by(sql, "keeper") == row and (row["entity"], row["entity_id"]) == ("redemption", order["id"])
    assert row["after"] == {"status": "fulfilled", "member_id": m.id, "shop_id": shop.shop_id}


def test_a_refused_change_writes_no_audit_row(client, park, shop, sql):
    assert call(client, park, "admin_a", "PATCH", f"/api/v1/admin/orgs/{park.branch_b.id}", {"name": "x"}).status_code == 403
    loss = call(client, park, "keeper", "POST", f"/api/v1/shop/products/{shop.products['毛巾']}/stock",
                {"delta": -999, "kind": "loss"})
    assert loss.status_code == 409
    assert audit_rows(sql) == []


def test_a_change_that_fails_at_commit_takes_its_audit_row_with_it(app, park, sql):
    """The row is written in the change's own transaction: here the database refuses the new name
    only at commit, after the row was added, and neither is kept."""
    from points_mall.errors import DomainError
    from points_mall.people import access, org_tree

    with app.app_context():
        admin = access.load_actor("staff", staff_id(sql, "admin"))
        with pytest.raises(Exception) as refused:
            org_tree.rename(admin, park.branch_a.id, "长" * 150)  # the column holds 100 characters
        assert not isinstance(refused.value, DomainError) or refused.value.code == "conflict"
    assert sql("SELECT name FROM org WHERE id = :o", o=park.branch_a.id) == park.branch_a.name
    assert audit_rows(sql) == []


def test_staff_logins_are_kept_failed_ones_too_and_never_the_password(client, park, sql):
    ok = client.post("/api/v1/auth/staff-login", json={"username": "org_a", "password": PASSWORD},
                     environ_base={"REMOTE_ADDR": HALL})
    assert ok.status_code == 200
    wrong = client.post("/api/v1/auth/staff-login", json={"username": "org_a", "password": "guess-1234"},
                        environ_base={"REMOTE_ADDR": "10.9.9.9"})
    nobody = client.post("/api/v1/auth/staff-login", json={"username": "ghost", "password": "guess-5678"})
    assert wrong.status_code == nobody.status_code == 401
    success, failed, unknown = audit_rows(sql, "staff-login")
    assert success | by(sql, "org_a") == success and success["after"] == {"key": "org_a", "outcome": "success"}
    assert success["entity"] == "staff_user" and success["entity_id"] == staff_id(sql, "org_a")
    assert failed["address"] == "10.9.9.9" and failed["after"] == {"key": "org_a", "outcome": "bad_credentials"}
    assert unknown["actor_kind"] == "anonymous" and unknown["actor_id"] is None and unknown["actor_name"] == "ghost"
    assert unknown["after"] == {"key": "ghost", "outcome": "bad_credentials"}
    everything = str(sql("SELECT array_agg(audit_entry::text) FROM audit_entry"))
    assert PASSWORD not in everything and "guess-1234" not in everything


def test_wechat_logins_are_kept_with_the_openid_and_the_outcome(client, park, sql):
    m = park.members_a[1]
    sql("UPDATE member SET openid = 'o-zhang' WHERE id = :m", m=m.id)
    assert client.post("/api/v1/auth/wechat-login", json={"code": "dev:o-zhang"},
                       environ_base={"REMOTE_ADDR": HALL}).get_json()["needs_binding"] is False
    assert client.post("/api/v1/auth/wechat-login", json={"code": "dev:o-new"}).get_json()["needs_binding"] is True
    assert client.post("/api/v1/auth/wechat-login", json={"code": "not-a-code"}).status_code == 400
    sql("UPDATE member SET status = 'inactive' WHERE id = :m", m=m.id)
    assert client.post("/api/v1/auth/wechat-login", json={"code": "dev:o-zhang"}).status_code == 403
    success, binding, bad_code, inactive = audit_rows(sql, "wechat-login")
    assert success == {"actor_kind": "member", "actor_id": m.id, "actor_name": m.name, "address": HALL,
                       "action": "wechat-login", "entity": "member", "entity_id": m.id, "before": None,
                       "after": {"key": "o-zhang", "outcome": "success"}}
    assert binding["actor_kind"] == "anonymous" and binding["after"] == {"key": "o-new", "outcome": "needs_binding"}
    assert bad_code["after"] == {"key": None, "outcome": "invalid_login_code"}
    assert inactive["actor_id"] == m.id and inactive["after"]["outcome"] == "member_inactive"


def test_admins_over_the_whole_tree_search_the_trail_newest_first_page_by_page(client, park, sql):
    for name in ("一", "二", "三"):
        call(client, park, "admin", "PATCH", f"/api/v1/admin/orgs/{park.branch_a.id}", {"name": f"星联电子党支部{name}"})
    call(client, park, "admin_a", "PATCH", f"/api/v1/admin/members/{park.members_a[1].id}", {"name": "张一鸣"})
    client.post("/api/v1/auth/staff-login", json={"username": "org_b", "password": "wrong-pass-1"})

    def search(who="admin", **params):
        return client.get("/api/v1/admin/audit", query_string=params, headers=park.auth(who))

    everything = search().get_json()["entries"]
    assert [e["action"] for e in everything] == ["staff-login", "member.edit", "org.rename", "org.rename", "org.rename"]
    assert everything[2]["after"] == {"name": "星联电子党支部三"} and everything[2]["address"] == HALL
    page = search(limit=2).get_json()
    assert [e["id"] for e in page["entries"]] == [e["id"] for e in everything[:2]]
    rest = search(limit=2, cursor=page["next_cursor"]).get_json()
    assert [e["id"] for e in rest["entries"]] == [e["id"] for e in everything[2:4]]

    admin_a = f"staff:{staff_id(sql, 'admin_a')}"
    assert [e["action"] for e in search(actor=admin_a).get_json()["entries"]] == ["member.edit"]
    assert [e["action"] for e in search(actor="admin_a").get_json()["entries"]] == ["member.edit"]
    assert search(actor="staff:99999999999").get_json()["entries"] == []  # past the id column: no match, no error
    assert len(search(actor="", entity="org", entity_id=park.branch_a.id).get_json()["entries"]) == 3
    assert search(entity="org", entity_id=park.branch_b.id).get_json()["entries"] == []
    assert [e["after"]["outcome"] for e in search(action="staff-login").get_json()["entries"]] == ["bad_credentials"]
    today = sql("SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')")
    assert len(search(**{"from": today, "to": today}).get_json()["entries"]) == 5
    assert search(**{"from": "2001-01-01", "to": "2001-12-31"}).get_json()["entries"] == []

    assert search("admin_a").status_code == 403  # an admin of one branch only
    assert search("org_a").status_code == 403
    assert search(park.members_a[1]).status_code == 403
    assert client.get("/api/v1/admin/audit").status_code == 401


def test_web_logins_from_the_members_pages_are_kept_too(client, park, sql):
    m = park.members_a[2]
    sql("UPDATE member SET oa_openid = 'oa-li' WHERE id = :m", m=m.id)
    assert client.post("/api/v1/auth/web-login", json={"code": "dev:oa-li"},
                       environ_base={"REMOTE_ADDR": HALL}).status_code == 200
    assert client.post("/api/v1/auth/web-login", json={"code": "nonsense"}).status_code == 400
    success, refused = audit_rows(sql, "web-login")
    assert (success["actor_kind"], success["actor_id"], success["address"]) == ("member", m.id, HALL)
    assert success["after"] == {"key": "oa-li", "outcome": "success"}
    assert refused["actor_kind"] == "anonymous" and refused["after"] == {"key": None, "outcome": "invalid_login_code"}
