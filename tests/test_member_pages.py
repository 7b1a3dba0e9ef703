"""The members' pages (党员端) in headless Chromium on a phone inside WeChat: scan a check-in link, log in
through the (console) web OAuth, bind, earn, see the score, redeem, get the pickup code, see the handover."""
import os
import re
from datetime import timedelta
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from points_mall.activities import codes, geo
from points_mall.common.clock import utcnow

from .browser import (  # noqa: F401  (fixtures)
    bind_by_code, bind_by_sms, browser, live_server, phone, public_base, sms_received, text_of)
from .helpers import make_activity

DOCS = Path(__file__).resolve().parent.parent / "docs"


def all_text(driver, css):
    return "\n".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, css))


def shot(driver, name, full=True):
    """A screenshot for the README, the page's full height at the phone's width; written when asked
    (SCREENSHOTS=1), so test runs leave docs/ alone."""
    if not os.environ.get("SCREENSHOTS"):
        return
    if full:
        height = driver.execute_script("return Math.max(document.body.scrollHeight, window.innerHeight)")
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 390, "height": min(height, 1400), "deviceScaleFactor": 1, "mobile": True})
    DOCS.mkdir(exist_ok=True)
    driver.save_screenshot(str(DOCS / name))
    if full:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})


def click(driver, css):
    """Tap an element as a thumb would: scrolled into the middle of the screen first."""
    element = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def link_at(app, activity_id, at=None):
    with app.test_request_context():
        return codes.current("a", activity_id, at)["payload"]


def test_a_member_scans_binds_earns_redeems_and_sees_the_handover(app, client, park, shop, phone, public_base, sql):
    m = park.members_a[1]
    a = make_activity(client, park, title="主题党日：重温入党誓词", place="党群服务中心三楼")
    wait = WebDriverWait(phone, 15, poll_frequency=0.1)

    # Scanned with WeChat: the link logs in through OAuth, asks who I am once, then checks me in.
    phone.get(link_at(app, a["id"]))
    wait.until(lambda d: d.find_elements(By.ID, "bind-phone"))
    assert "/m/login" in phone.current_url and "code=dev" in phone.current_url
    bind_by_sms(app, phone, wait, m, before_submit=lambda: shot(phone, "member-bind.png"))
    wait.until(lambda d: text_of(d, "#checkin-ok") or text_of(d, "#checkin-refused"))
    assert text_of(phone, "#checkin-points") == "+2 积分", text_of(phone, "#checkin-refused")
    assert text_of(phone, "#checkin-activity") == "主题党日：重温入党誓词"
    assert "超市积分余额 102" in text_of(phone, "#checkin-balance")
    assert sql("SELECT points FROM checkin WHERE member_id = :m AND activity_id = :a", m=m.id, a=a["id"]) == 2
    assert sql("SELECT oa_openid FROM member WHERE id = :m", m=m.id).startswith("web-")
    shot(phone, "member-checkin.png")

    # A link scanned three minutes ago (a screenshot passed on): refused, with what to do next.
    phone.get(link_at(app, a["id"], utcnow() - timedelta(minutes=3)))
    wait.until(lambda d: text_of(d, "#checkin-refused"))
    assert "二维码已过期" in text_of(phone, "#checkin-message")
    assert text_of(phone, "#checkin-next") == "请扫描屏幕上最新的二维码"
    assert sql("SELECT count(*) FROM scan_attempt WHERE member_id = :m AND reason = 'code_expired'", m=m.id) == 1
    shot(phone, "member-expired.png")

    # Home: the two numbers apart, the score by dimension, the rank in the branch.
    me = client.get("/api/v1/me", headers=park.auth(m)).get_json()
    phone.get(f"{public_base}/m/")
    wait.until(lambda d: text_of(d, "#home-score"))
    assert text_of(phone, "#home-score") == str(me["score"]) == "102"
    assert text_of(phone, "#home-spendable") == str(me["spendable"])
    assert "学习" in text_of(phone, "#home-dimensions") and me["score_by_dimension"]["study"] == 2
    wait.until(lambda d: text_of(d, "#home-rank"))
    assert "第 1 名" in text_of(phone, "#home-rank")  # the only member of the branch with a check-in
    shot(phone, "member-home.png")

    # The shop: goods with the limits left; redeem with a confirmation; the pickup QR and the 8 digits.
    phone.get(f"{public_base}/m/shop")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".good[data-name='毛巾'] .redeem"))
    assert "本月还可兑 2 件" in text_of(phone, ".good[data-name='大米5kg']")
    shot(phone, "member-shop.png")
    click(phone, ".good[data-name='毛巾'] .redeem")
    wait.until(lambda d: "毛巾 × 1，共 10 积分" in text_of(d, ".van-dialog"))
    assert "年度积分不变" in text_of(phone, ".van-dialog")
    click(phone, ".van-dialog__confirm")
    wait.until(lambda d: text_of(d, "#pickup-code"))
    order = client.get("/api/v1/me/redemptions", headers=park.auth(m)).get_json()[0]
    assert order["status"] == "reserved" and order["total_points"] == 10
    assert text_of(phone, "#pickup-code").replace(" ", "") == order["pickup_code"]
    assert phone.find_element(By.CSS_SELECTOR, "#pickup-qr svg").size["width"] >= 250
    assert phone.current_url.endswith(f"/m/orders/{order['id']}")
    shot(phone, "member-pickup.png")

    # The keeper confirms at the counter: the page shows it handed over, and a message arrives.
    keeper = park.auth("keeper")
    found = client.post("/api/v1/shop/redemptions/lookup", json={"pickup_code": order["pickup_code"]}, headers=keeper)
    assert found.status_code == 200
    assert client.post(f"/api/v1/shop/redemptions/{order['id']}/fulfil", headers=keeper).status_code == 200
    wait.until(lambda d: text_of(d, "#order-status") == "已领取")
    assert client.get(f"/api/v1/redemptions/{order['id']}", headers=park.auth(m)).get_json()["status"] == "fulfilled"

    inbox = client.get("/api/v1/me/messages", headers=park.auth(m)).get_json()
    assert inbox["messages"][0]["title"] == "已领取" and inbox["unread"] >= 1
    phone.get(f"{public_base}/m/messages")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".message.unread"))
    first = phone.find_element(By.CSS_SELECTOR, ".message.unread")
    assert "已领取" in first.text and f"{inbox['unread']} 条未读" == text_of(phone, "#messages-unread")
    shot(phone, "member-messages.png")
    first.click()
    wait.until(lambda d: d.current_url.endswith(f"/m/orders/{order['id']}"))
    assert client.get("/api/v1/me/messages", headers=park.auth(m)).get_json()["unread"] == inbox["unread"] - 1

    # The ledger says what each entry was for and who gave it; the code to show an organizer.
    phone.get(f"{public_base}/m/points")
    wait.until(lambda d: "主题党日" in all_text(d, ".entry"))
    checkin_entry = next(e.text for e in phone.find_elements(By.CSS_SELECTOR, ".entry") if "主题党日" in e.text)
    assert "本人扫码" in checkin_entry and "年度 +2" in checkin_entry and "超市 +2" in checkin_entry
    assert "本人兑换" in phone.find_elements(By.CSS_SELECTOR, ".entry")[0].text
    shot(phone, "member-points.png", full=False)
    phone.get(f"{public_base}/m/activities")
    wait.until(lambda d: "主题党日" in all_text(d, ".van-cell"))
    assert "已签到" in all_text(phone, ".van-cell")
    shot(phone, "member-activities.png", full=False)
    phone.get(f"{public_base}/m/code")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#my-code svg"))
    shot(phone, "member-code.png", full=False)
    # 换微信绑定: the WeChat already bound makes the one-time code a new WeChat binds with.
    click(phone, "#move-wechat")
    wait.until(lambda d: text_of(d, "#move-code"))
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", text_of(phone, "#move-code"))
    assert sql("SELECT issued_by FROM binding_code WHERE member_id = :m", m=m.id) == f"member:{m.id}"
    loaded = phone.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")
    assert loaded and all(url.startswith(public_base) for url in loaded), loaded  # nothing from another host


def test_the_pages_work_in_a_desktop_browser_too(app, client, park, shop, browser, public_base):  # noqa: F811
    m = park.members_a[2]
    make_activity(client, park, title="党课：学习党章", starts_at=(utcnow() + timedelta(days=2)).isoformat(),
                  ends_at=(utcnow() + timedelta(days=2, hours=2)).isoformat())
    browser.set_window_size(1280, 800)
    wait = WebDriverWait(browser, 15, poll_frequency=0.1)
    browser.get(f"{public_base}/m/")
    wait.until(lambda d: d.find_elements(By.ID, "bind-phone"))
    browser.find_element(By.ID, "bind-phone").send_keys(m.phone)
    browser.find_element(By.ID, "bind-send").click()
    wait.until(lambda d: text_of(d, "#bind-sms-note"))
    code = sms_received(app, m.phone)
    field = browser.find_element(By.ID, "bind-sms-code")
    field.send_keys(f"{(int(code) + 1) % 10 ** 6:06d}")
    browser.find_element(By.ID, "bind-button").click()
    wait.until(lambda d: text_of(d, "#bind-error"))
    assert text_of(browser, "#bind-error") == "验证未通过，请核对验证码或绑定码后重试；仍不行请联系支部书记"
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(code)  # typed over the selection, so Vue sees the input
    browser.find_element(By.ID, "bind-button").click()
    wait.until(lambda d: text_of(d, "#home-spendable"))
    assert text_of(browser, "#home-spendable") == "100"
    wait.until(lambda d: "党课：学习党章" in d.find_element(By.TAG_NAME, "body").text)
    shot(browser, "member-desktop.png", full=False)
    # Outside WeChat, 扫一扫 is a field to paste the link into.
    browser.get(f"{public_base}/m/scan")
    wait.until(lambda d: d.find_elements(By.ID, "scan-text"))
    browser.find_element(By.CSS_SELECTOR, "#scan-text").send_keys("https://example.cn/q/m/3?t=0123456789abcdef")
    browser.find_element(By.ID, "scan-go").click()
    wait.until(lambda d: "党员本人的二维码" in d.find_element(By.TAG_NAME, "body").text)


def test_a_geofenced_activity_takes_the_phones_location(app, client, park, shop, phone, public_base, sql):
    m = park.members_a[3]
    a = make_activity(client, park, title="志愿服务：清扫园区", latitude=30.2741, longitude=120.1551, radius_m=200)
    phone.execute_cdp_cmd("Browser.grantPermissions", {"origin": public_base, "permissions": ["geolocation"]})
    # The place was picked on a map (GCJ-02); the phone reports WGS-84, some 500 m apart in Hangzhou.
    near = geo.gcj02_to_wgs84(30.2745, 120.1553)
    phone.execute_cdp_cmd("Emulation.setGeolocationOverride", {"latitude": near[0], "longitude": near[1], "accuracy": 20})
    wait = WebDriverWait(phone, 20, poll_frequency=0.1)
    # A member without a phone of their own: the secretary's 绑定码.
    code = client.post(f"/api/v1/admin/members/{m.id}/binding-code", headers=park.auth("org_a")).get_json()["code"]
    phone.get(link_at(app, a["id"]))
    bind_by_code(phone, wait, code, before_submit=lambda: shot(phone, "member-bind-code.png"))
    wait.until(lambda d: text_of(d, "#checkin-ok") or text_of(d, "#checkin-refused"))
    assert text_of(phone, "#checkin-points") == "+2 积分", text_of(phone, "#checkin-refused")
    assert sql("SELECT count(*) FROM scan_attempt WHERE member_id = :m AND reason = 'location_required'", m=m.id) == 1
    assert sql("SELECT count(*) FROM checkin WHERE member_id = :m", m=m.id) == 1

    # Far from the place: refused, and told to go there first.
    b = make_activity(client, park, title="党员大会", latitude=30.2741, longitude=120.1551, radius_m=200)
    phone.execute_cdp_cmd("Emulation.setGeolocationOverride", {"latitude": 31.23, "longitude": 121.47, "accuracy": 20})
    phone.get(link_at(app, b["id"]))
    wait.until(lambda d: text_of(d, "#checkin-refused"))
    assert text_of(phone, "#checkin-next") == "请到活动地点后再扫码"
