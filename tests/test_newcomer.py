"""What a newcomer trips on: a start page, a demo with activities that prints its logins every time,
host and port of `make run`, the shops a member can list, a pickup code any scanner reads."""
import os
import re
import subprocess

import segno

from points_mall.extensions import db
from points_mall.activities import codes

from .helpers import nonce

ROOT = os.path.join(os.path.dirname(__file__), "..")


def test_the_start_page_leads_to_the_console_the_members_pages_the_board_and_the_docs(client):
    r = client.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert "党员积分超市" in page and 'lang="zh-CN"' in page
    links = set(re.findall(r'href="([^"]+)"', page))
    assert {"/console/", "/m/", "/board", "/docs"} <= links
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def seed(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def login_member(client, openid):
    r = client.post("/api/v1/auth/wechat-login", json={"code": f"dev:{openid}"})
    assert r.status_code == 200, r.get_json()
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def login_staff(client, username, password):
    r = client.post("/api/v1/auth/staff-login", json={"username": username, "password": password})
    assert r.status_code == 200, r.get_json()
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def test_the_demo_has_a_past_a_running_and_an_upcoming_activity_with_their_display_pages(app, runner, client, sql):
    output = seed(runner)
    urls = re.findall(r"(\S+)/console/activities/(\d+)/display", output)
    assert len(urls) == 3 and all(base == app.config["PUBLIC_BASE_URL"].rstrip("/") for base, _ in urls)
    past, running, upcoming = (int(i) for _, i in urls)
    assert sql("SELECT count(*) FROM activity WHERE status = 'published'") == 3
    assert sql("SELECT count(*) FROM checkin WHERE activity_id = :a", a=past) > 0
    assert sql("SELECT minutes IS NOT NULL FROM activity WHERE id = :a", a=past) is True
    assert sql("SELECT count(*) FROM activity WHERE id = :a AND checkin_opens_at <= now() AND checkin_closes_at > now()",
               a=running) == 1
    assert sql("SELECT count(*) FROM activity WHERE id = :a AND starts_at > now()", a=upcoming) == 1
    assert sql("SELECT count(*) FROM ledger_entry WHERE source_type = 'activity'") > 0
    assert client.get(f"/console/activities/{running}/display").status_code in (200, 503)

    # The organizer opens the running one's code and the demo member scans it at once.
    organizer = login_staff(client, "huayou", "organizer-demo-2026")
    code = client.get(f"/api/v1/activities/{running}/qr", headers=organizer)
    assert code.status_code == 200, code.get_json()
    scan = client.post("/api/v1/checkins", json={"payload": code.get_json()["payload"], "nonce": nonce()},
                       headers=login_member(client, "demo-member"))
    assert scan.status_code == 200, scan.get_json()
    roll = client.get(f"/api/v1/activities/{past}/attendance", headers=organizer)
    assert roll.status_code == 200 and roll.get_json()["present"]


def test_seeding_again_prints_the_same_logins_and_pages_and_changes_nothing(runner, sql):
    first = seed(runner)
    counted = "SELECT (SELECT count(*) FROM org) + (SELECT count(*) FROM member) + (SELECT count(*) FROM activity)" \
              " + (SELECT count(*) FROM ledger_entry) + (SELECT count(*) FROM staff_user) + (SELECT count(*) FROM redemption)"
    before = sql(counted)
    second = seed(runner)
    assert sql(counted) == before
    assert "nothing changed" in second

    def logins(output):
        return [line for line in output.splitlines() if "-demo-2026" in line or line.lstrip().startswith("code dev:")]

    assert logins(first) == logins(second) and len(logins(first)) == 6
    assert "admin    admin-demo-2026" in second
    assert re.findall(r"/console/activities/\d+/display", first) == \
        re.findall(r"/console/activities/\d+/display", second)


def test_the_demo_leaves_a_database_that_is_not_the_demo_alone(runner, park, sql):
    orgs = sql("SELECT count(*) FROM org")
    output = seed(runner)
    assert "nothing changed" in output and sql("SELECT count(*) FROM org") == orgs
    assert sql("SELECT count(*) FROM activity") == 0


def make_run(*args):
    return subprocess.run(["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if k != "PUBLIC_BASE_URL"}).stdout


def test_make_run_listens_on_the_host_and_port_it_is_given():
    default = make_run()
    assert "run --host 127.0.0.1 --port 5000" in default
    assert "PUBLIC_BASE_URL=http://127.0.0.1:5000" in default
    chosen = make_run("HOST=192.168.1.20", "PORT=8080")
    assert "run --host 192.168.1.20 --port 8080" in chosen
    assert "PUBLIC_BASE_URL=http://192.168.1.20:8080" in chosen


def test_a_member_lists_the_open_shops(client, park, shop, app):
    from points_mall.mall.models import Shop

    with app.app_context():
        closed = Shop(name="已关闭的小站", org_id=park.root.id, active=False)
        db.session.add(closed)
        db.session.commit()
        db.session.remove()
    member = park.members_a[1]
    r = client.get("/api/v1/shops", headers=park.auth(member))
    assert r.status_code == 200, r.get_json()
    listed = r.get_json()
    assert [s["id"] for s in listed] == [shop.shop_id, shop.other_shop_id]
    assert listed[0] == {"id": shop.shop_id, "name": "积分超市（党群服务中心）", "org_id": park.root.id,
                         "address": "一楼", "opening_hours": "9:00-17:00"}
    assert client.get("/api/v1/shops", headers=park.auth("keeper")).status_code == 200
    assert client.get("/api/v1/shops", headers=park.auth("org_a")).status_code == 200
    refused = client.get("/api/v1/shops")
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthorized"


def test_the_pickup_code_is_a_regular_qr_that_any_scanner_reads(client, park, shop):
    assert segno.make("12345678", error="m").is_micro  # what segno would pick on its own
    r = client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id,
                                                 "items": [{"product_id": shop.products["毛巾"], "qty": 1}]},
                    headers=park.auth(park.members_a[1]) | {"Idempotency-Key": "pickup-qr-1"})
    assert r.status_code == 201, r.get_json()
    order = client.get(f"/api/v1/redemptions/{r.get_json()['id']}", headers=park.auth(park.members_a[1])).get_json()
    drawn = codes.qr(order["pickup_code"])
    assert not drawn.is_micro and drawn.version == 1
    assert order["pickup_qr_svg"] == drawn.svg_inline(scale=10, border=2)
    # 21 modules and a border of 2 on each side, 10 px each: a Micro QR would be at most 17 + 4.
    width = int(re.search(r'width="(\d+)"', order["pickup_qr_svg"]).group(1))
    assert width == (21 + 4) * 10
