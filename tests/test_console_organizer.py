"""The branch secretary's day in the console, in a real headless Chromium on the built console: post and
publish an activity, show its code on the projector, see a member's check-in arrive, award a list, and
an admin approves it in the approvals inbox. Then the same pages on a 390 px phone."""
from selenium.webdriver.common.by import By

from points_mall.common.fields import mask_name

from .browser import browser, live_server, log_in  # noqa: F401  (fixtures)
from .console_ui import as_phone, cut_off, open_tab, pick, shot, type_date, visible
from .helpers import make_activity, nonce
from .park import PASSWORD


# A time the browser reads in its own time zone: ten minutes ago, so check-in is open now.
TEN_MINUTES_AGO = ("const d = new Date(Date.now() - 10 * 60000), p = (n) => String(n).padStart(2, '0');"
                   "return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`")


def menu_items(browser):
    return [e.get_attribute("textContent").strip() for e in browser.find_elements(By.CSS_SELECTOR, "#side-menu .el-menu-item")]


def test_the_organizer_posts_shows_the_code_sees_a_check_in_and_an_admin_approves_the_award(client, park, browser,  # noqa: F811
                                                                                           live_server):
    wait = log_in(browser, f"{live_server}/console/", "org_a", PASSWORD)
    wait.until(lambda d: d.current_url.endswith("/console/activities"))
    # The organizer's own pages first; the points year's pages (申报审核, 公示, 档案 …) follow them.
    assert menu_items(browser)[:5] == ["我的活动", "发布活动", "积分申报", "奖励审批", "申报审核"]
    assert browser.find_element(By.ID, "session-name").text == "org_a"

    browser.find_element(By.ID, "new-activity").click()
    wait.until(lambda d: d.find_elements(By.ID, "activity-title"))
    pick(browser, wait, "#activity-org", "星联电子党支部")
    browser.find_element(By.ID, "activity-title").send_keys("十一月主题党日")
    type_date(browser, "#activity-starts", browser.execute_script(TEN_MINUTES_AGO))
    browser.find_element(By.ID, "activity-place").send_keys("党群服务中心")
    pick(browser, wait, "#activity-rule", "study.meeting")
    browser.find_element(By.ID, "save-publish").click()
    wait.until(lambda d: d.find_elements(By.ID, "activity-status") and d.find_element(By.ID, "activity-status").text == "已发布")
    activity_id = int(browser.current_url.rstrip("/").rsplit("/", 1)[1])
    posted = client.get(f"/api/v1/activities/{activity_id}", headers=park.auth("org_a")).get_json()
    assert (posted["title"], posted["status"], posted["org_id"], posted["place"]) == \
        ("十一月主题党日", "published", park.branch_a.id, "党群服务中心")

    browser.find_element(By.ID, "open-display").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#qr svg"))
    wait.until(lambda d: d.find_element(By.ID, "title").text == "十一月主题党日")
    payload = browser.find_element(By.ID, "qr").get_attribute("data-payload")
    member = park.members_a[3]
    scan = client.post("/api/v1/checkins", json={"payload": payload, "nonce": nonce()}, headers=park.auth(member))
    assert scan.status_code == 200, scan.get_json()
    wait.until(lambda d: d.find_element(By.ID, "count").text == "1")
    assert [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#attendees li")] == [mask_name(member.name)]
    assert member.name not in browser.find_element(By.TAG_NAME, "body").text
    shot(browser, "display.png", 1280, 720)

    browser.get(f"{live_server}/console/awards")
    wait.until(lambda d: d.find_elements(By.ID, "award-members"))
    chosen = park.members_a[1:3]
    for m in chosen:
        pick(browser, wait, "#award-members", m.name, typed=m.name)
    pick(browser, wait, "#award-rule", "performance.pioneer")
    browser.find_element(By.ID, "award-reason").send_keys("防汛抢险突击队")
    browser.find_element(By.ID, "award-submit").click()
    wait.until(lambda d: d.find_elements(By.ID, "award-result"))
    assert "已提交审批：2人" in browser.find_element(By.ID, "award-result").text
    pending = client.get("/api/v1/awards/pending", headers=park.auth("admin")).get_json()
    assert [(a["reason"], [line["member_id"] for line in a["lines"]]) for a in pending] == \
        [("防汛抢险突击队", [m.id for m in chosen])]

    browser.find_element(By.ID, "logout").click()
    wait = log_in(browser, f"{live_server}/console/approvals", "admin", PASSWORD)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pm-approval"))
    card = browser.find_element(By.CSS_SELECTOR, ".pm-approval")
    assert "防汛抢险突击队" in card.text and "申报人 org_a" in card.text and all(m.name in card.text for m in chosen)
    card.find_element(By.CSS_SELECTOR, ".approve").click()
    wait.until(lambda d: d.find_elements(By.ID, "approvals-empty"))
    assert client.get("/api/v1/awards/pending", headers=park.auth("admin")).get_json() == []
    for m in chosen:
        me = client.get("/api/v1/me", headers=park.auth(m)).get_json()
        assert me["spendable"] == 10, me


def test_a_keeper_sent_to_an_organizer_page_is_told_which_role_it_needs(client, park, shop, browser, live_server):  # noqa: F811
    wait = log_in(browser, f"{live_server}/console/awards", "keeper", PASSWORD)
    wait.until(lambda d: d.find_elements(By.ID, "forbidden-reason"))
    assert "支部书记" in browser.find_element(By.ID, "forbidden-reason").text
    assert menu_items(browser) == ["柜台核销", "商品管理", "入库与报损"]


def test_an_expired_token_goes_back_to_log_in_and_then_to_the_page(client, park, browser, live_server):  # noqa: F811
    wait = log_in(browser, f"{live_server}/console/approvals", "org_a", PASSWORD)
    wait.until(lambda d: d.find_elements(By.ID, "approvals-page"))
    browser.execute_script("localStorage.setItem('pm.console.token', 'not-a-token')")
    browser.get(f"{live_server}/console/approvals")
    wait.until(lambda d: d.find_elements(By.ID, "username"))
    assert "next=" in browser.current_url
    browser.find_element(By.ID, "username").send_keys("org_a")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login-button").click()
    wait.until(lambda d: d.current_url.endswith("/console/approvals"))


def test_the_organizers_pages_fit_a_390px_phone(client, park, browser, live_server):  # noqa: F811
    a = make_activity(client, park, title="党小组学习")
    wait = log_in(browser, f"{live_server}/console/activities", "org_a", PASSWORD)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#activities-table tbody tr"))
    shot(browser, "console-organizer.png", 1280, 760)
    open_tab(browser, "日历")
    wait.until(lambda d: [e for e in visible(d, "#activities-calendar .pm-cal-item") if e.text == "党小组学习"])
    as_phone(browser)
    pages = {
        "/console/activities": ("#activities-table", ["#new-activity", ".pm-header", "#activities-table", ".el-tabs"]),
        f"/console/activities/{a['id']}": ("#activity-title", ["#open-display", "#checkin-by-name", "#member-code", ".pm-figures"]),
        "/console/activities/new": ("#activity-title", ["#activity-title", "#save-publish", "#activity-starts"]),
        "/console/awards": ("#awards-page", ["#award-submit", "#awards-page .el-select", "#award-mode"]),
        "/console/approvals": ("#approvals-page", ["#approvals-page"]),
    }
    for path, (ready, key) in pages.items():
        browser.get(live_server + path)
        wait.until(lambda d: visible(d, ready), path)
        assert visible(browser, "#menu-button"), "on a phone the menu folds behind a button"
        assert cut_off(browser, key) == [], path
        if path == "/console/activities":
            shot(browser, "console-organizer-390.png", 390, 760)
    browser.find_element(By.ID, "menu-button").click()
    wait.until(lambda d: visible(d, ".pm-drawer .el-menu-item"))
    wait.until(lambda d: cut_off(d, [".pm-drawer .el-menu-item"]) == [])  # once the drawer has slid in
