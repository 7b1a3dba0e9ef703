"""The console's log-in by WeChat QR scan: a ticket on the console's log-in page, scanned and confirmed
on the members' web pages by a member who holds a grant; the console, polling, takes its token once."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from points_mall.extensions import db
from points_mall.people.models import Grant

from .browser import bind_by_sms, browser, live_server, phone, public_base, text_of  # noqa: F401  (fixtures)

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"


@pytest.fixture
def organizer(app, park):
    """A member of branch A who is its organizer."""
    m = park.members_a[1]
    with app.app_context():
        db.session.add(Grant(member_id=m.id, role="organizer", org_id=park.branch_a.id))
        db.session.commit()
        db.session.remove()
    return m


def new_ticket(client):
    r = client.post("/api/v1/auth/console-tickets", headers={"User-Agent": UA})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def poll(client, ticket):
    r = client.get(f"/api/v1/auth/console-tickets/{ticket}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def act(client, park, who, ticket, action):
    return client.post(f"/api/v1/auth/console-tickets/{ticket}/{action}", headers=park.auth(who))


def test_scan_confirm_and_the_console_takes_its_token_once(client, app, park, organizer, sql):
    out = new_ticket(client)
    assert out["url"] == f"{app.config['PUBLIC_BASE_URL'].rstrip('/')}/m/console-login?t={out['ticket']}"
    assert out["qr_svg"].startswith("<svg") and out["expires_in"] == 120 and len(out["ticket"]) >= 43
    assert poll(client, out["ticket"]) == {"status": "pending", "expires_in": pytest.approx(120, abs=2)}

    scanned = act(client, park, organizer, out["ticket"], "scan")
    assert scanned.status_code == 200, scanned.get_json()
    body = scanned.get_json()
    assert (body["status"], body["browser"], body["roles"], body["can_confirm"]) == \
        ("scanned", "Chrome 131 · Windows", ["organizer"], True)
    assert poll(client, out["ticket"])["status"] == "scanned"

    confirmed = act(client, park, organizer, out["ticket"], "confirm")
    assert confirmed.status_code == 200 and confirmed.get_json() == {"status": "confirmed"}
    first = poll(client, out["ticket"])
    assert (first["status"], first["roles"]) == ("confirmed", ["organizer"])
    session = client.get("/api/v1/auth/session", headers={"Authorization": f"Bearer {first['token']}"}).get_json()
    assert (session["kind"], session["id"], session["roles"]) == ("member", organizer.id, ["organizer"])

    # The token is handed out once: the ticket is spent.
    assert poll(client, out["ticket"]) == {"status": "expired", "expires_in": 0}
    assert act(client, park, organizer, out["ticket"], "confirm").get_json()["error"]["code"] == "console_ticket_expired"
    assert sql("SELECT action || ' ' || (after->>'outcome') || ' ' || actor_kind || ':' || actor_id FROM audit_entry "
               "WHERE action = 'console-login'") == f"console-login success member:{organizer.id}"
    assert sql("SELECT key <> :t FROM console_ticket", t=out["ticket"]) is True  # only its hash is kept


def test_a_member_may_confirm_without_scanning_first(client, park, organizer):
    t = new_ticket(client)["ticket"]
    assert act(client, park, organizer, t, "confirm").status_code == 200
    assert "token" in poll(client, t)


def test_an_expired_ticket_can_be_neither_scanned_nor_confirmed(client, park, organizer, sql):
    t = new_ticket(client)["ticket"]
    sql("UPDATE console_ticket SET expires_at = now() - interval '1 second'")
    assert poll(client, t) == {"status": "expired", "expires_in": 0}
    for action in ("scan", "confirm", "refuse"):
        r = act(client, park, organizer, t, action)
        assert (r.status_code, r.get_json()["error"]["code"]) == (409, "console_ticket_expired")
        assert r.get_json()["error"]["message"] == "登录二维码已过期，请在电脑上刷新后重新扫码"


def test_confirmed_but_expired_before_the_console_polled_gives_no_token(client, park, organizer, sql):
    t = new_ticket(client)["ticket"]
    assert act(client, park, organizer, t, "confirm").status_code == 200
    sql("UPDATE console_ticket SET expires_at = now() - interval '1 second'")
    assert poll(client, t) == {"status": "expired", "expires_in": 0}


def test_a_member_without_a_grant_is_refused(client, park, sql):
    t = new_ticket(client)["ticket"]
    plain = park.members_a[2]
    scanned = act(client, park, plain, t, "scan").get_json()
    assert (scanned["roles"], scanned["can_confirm"]) == ([], False)
    r = act(client, park, plain, t, "confirm")
    assert r.status_code == 403
    assert r.get_json()["error"] == {"code": "no_console_grant", "message": "您没有工作台权限，请联系党委管理员授权",
                                     "details": {}}
    assert poll(client, t)["status"] == "scanned"
    assert sql("SELECT after->>'outcome' FROM audit_entry WHERE action = 'console-login'") == "no_console_grant"


def test_a_refused_ticket_tells_the_console_and_logs_nobody_in(client, park, organizer):
    t = new_ticket(client)["ticket"]
    assert act(client, park, organizer, t, "scan").status_code == 200
    r = act(client, park, organizer, t, "refuse")
    assert r.status_code == 200 and r.get_json() == {"status": "refused"}
    assert "token" not in poll(client, t) and poll(client, t)["status"] == "refused"
    again = act(client, park, organizer, t, "confirm")
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "console_ticket_used")


def test_a_ticket_scanned_by_one_member_is_not_anothers(client, app, park, organizer):
    t = new_ticket(client)["ticket"]
    assert act(client, park, organizer, t, "scan").status_code == 200
    other = park.members_a[3]
    with app.app_context():
        db.session.add(Grant(member_id=other.id, role="organizer", org_id=park.branch_a.id))
        db.session.commit()
    r = act(client, park, other, t, "confirm")
    assert (r.status_code, r.get_json()["error"]["code"]) == (409, "console_ticket_used")


@pytest.mark.parametrize("ticket", ["x" * 43, "short", "a%00b" + "c" * 40, "-" * 65])
def test_an_unknown_ticket_is_404(client, park, organizer, ticket):
    r = client.get(f"/api/v1/auth/console-tickets/{ticket}")
    assert (r.status_code, r.get_json()["error"]["code"]) == (404, "unknown_console_ticket")
    assert r.get_json()["error"]["message"] == "登录二维码无效，请在电脑上刷新二维码"
    r = act(client, park, organizer, ticket, "confirm")
    assert (r.status_code, r.get_json()["error"]["code"]) == (404, "unknown_console_ticket")


def test_only_a_members_token_may_scan_confirm_or_refuse(client, park):
    t = new_ticket(client)["ticket"]
    for action in ("scan", "confirm", "refuse"):
        assert client.post(f"/api/v1/auth/console-tickets/{t}/{action}").status_code == 401
        r = client.post(f"/api/v1/auth/console-tickets/{t}/{action}", headers=park.auth("admin"))
        assert (r.status_code, r.get_json()["error"]["code"]) == (403, "members_only")
    assert poll(client, t)["status"] == "pending"


# ---------------------------------------------------------------------------------------------------
# In Chromium: the console shows the code; a member opens its link on a phone (WeChat's web OAuth, first
# visit: binding), confirms, and the console enters the organizer's home page by itself.



def test_the_console_shows_a_code_the_member_confirms_on_the_phone_and_the_console_enters(  # noqa: F811
        app, client, park, organizer, browser, phone, public_base, sql):
    wait = WebDriverWait(browser, 15, poll_frequency=0.1)
    browser.get(f"{public_base}/console/login")
    wait.until(lambda d: d.find_elements(By.ID, "tab-qr"))
    browser.find_element(By.ID, "tab-qr").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#qr-code svg"))
    assert text_of(browser, "#qr-message") == "请用微信扫描二维码，在手机上确认登录"
    url = browser.find_element(By.ID, "qr-login").get_attribute("data-url")
    assert url.startswith(f"{public_base}/m/console-login?t=")

    # WeChat's scanner opens the link: a first visit logs in through the web OAuth and binds once.
    on_phone = WebDriverWait(phone, 15, poll_frequency=0.1)
    phone.get(url)
    bind_by_sms(app, phone, on_phone, organizer)
    on_phone.until(lambda d: d.find_elements(By.ID, "console-login-confirm"))
    assert "/m/console-login?t=" in phone.current_url
    assert text_of(phone, "#console-login-question") == "登录积分超市工作台？"
    assert text_of(phone, "#console-login-browser").startswith("Linux")  # headless Chromium names no version
    assert text_of(phone, "#console-login-time").startswith("请求时间 ")
    wait.until(lambda d: text_of(d, "#qr-message") == "已扫码，请在手机上确认登录")

    phone.find_element(By.ID, "console-login-confirm").click()
    on_phone.until(lambda d: text_of(d, "#console-login-result") == "已确认登录")
    wait.until(lambda d: d.current_url.endswith("/console/activities"))
    wait.until(lambda d: text_of(d, "#session-name") == organizer.name)
    assert sql("SELECT after->>'outcome' FROM audit_entry WHERE action = 'console-login'") == "success"
    assert sql("SELECT status FROM console_ticket") == "delivered"
