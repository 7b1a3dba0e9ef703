"""An activity's own page in the console: check-in by name and by the member's code, leave, 一会一记;
and a member who holds a grant logging in to the console with WeChat."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from points_mall.extensions import db
from points_mall.people.models import Grant, Member

from .browser import browser, live_server, log_in  # noqa: F401  (fixtures)
from .console_ui import open_tab, pick, visible
from .helpers import make_activity
from .park import PASSWORD



def tab(browser, name):
    open_tab(browser, name)


def roll(client, park, activity_id):
    return client.get(f"/api/v1/activities/{activity_id}/attendance", headers=park.auth("org_a")).get_json()


def test_the_organizer_checks_in_by_name_and_by_code_decides_leave_and_writes_the_record(client, park, browser,  # noqa: F811
                                                                                        live_server):
    a = make_activity(client, park, kind="branch_meeting", title="支部党员大会")
    by_name, by_code, away = park.members_a[1], park.members_a[2], park.members_a[3]
    assert client.post(f"/api/v1/activities/{a['id']}/leave", json={"reason": "出差在外"}, headers=park.auth(away)).status_code == 201
    code = client.get("/api/v1/me/qr", headers=park.auth(by_code)).get_json()["payload"]

    wait = log_in(browser, f"{live_server}/console/activities/{a['id']}", "org_a", PASSWORD)
    wait.until(lambda d: d.find_elements(By.ID, "checkin-by-name"))
    pick(browser, wait, "#checkin-member", by_name.name, typed=by_name.name)
    browser.find_element(By.ID, "checkin-by-name").click()
    wait.until(lambda d: "按姓名：签到成功" in d.find_element(By.ID, "checkin-results").text)
    browser.find_element(By.ID, "member-code").send_keys(code + Keys.ENTER)  # as a USB scanner types it
    wait.until(lambda d: "个人码：签到成功" in d.find_element(By.ID, "checkin-results").text)
    wait.until(lambda d: d.find_element(By.ID, "count-present").text == "2")
    assert sorted(p["member_id"] for p in roll(client, park, a["id"])["present"]) == sorted([by_name.id, by_code.id])

    browser.find_element(By.ID, "member-code").send_keys(code + Keys.ENTER)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#checkin-results .pm-row-error"))
    assert "个人码：" in browser.find_element(By.CSS_SELECTOR, "#checkin-results .pm-row-error").text

    tab(browser, "请假审批")
    wait.until(lambda d: away.name in d.find_element(By.ID, "leave-table").text)
    assert "出差在外" in browser.find_element(By.ID, "leave-table").text
    [b for b in visible(browser, "#leave-table button") if b.text == "批准"][0].click()
    wait.until(lambda d: "已批准" in d.find_element(By.ID, "leave-table").text)
    assert [p["member_id"] for p in roll(client, park, a["id"])["on_leave"]] == [away.id]

    tab(browser, "一会一记")
    wait.until(lambda d: visible(d, "#minutes-text"))
    browser.find_element(By.ID, "minutes-text").send_keys("学习党章，讨论发展党员。")
    [b for b in visible(browser, "#pane-minutes button, .el-tab-pane button") if b.text == "把出席名单写入记录"][0].click()
    browser.find_element(By.ID, "save-minutes").click()
    wait.until(lambda d: "会议记录已保存" in d.find_element(By.TAG_NAME, "body").text)
    minutes = roll(client, park, a["id"])["minutes"]
    assert minutes.startswith("学习党章，讨论发展党员。") and "出席（2人）" in minutes and by_name.name in minutes
    assert f"请假（1人）：{away.name}" in minutes


def test_a_member_with_a_grant_logs_in_to_the_console_with_wechat(app, client, park, browser, live_server):  # noqa: F811
    m = park.members_a[4]
    with app.app_context():
        db.session.get(Member, m.id).openid = "wx-secretary"
        db.session.add(Grant(member_id=m.id, role="organizer", org_id=park.branch_a.id))
        db.session.commit()
    browser.get(f"{live_server}/console/")
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 15, poll_frequency=0.1)
    wait.until(lambda d: d.find_elements(By.ID, "username"))
    tab(browser, "党员（微信）登录")
    wait.until(lambda d: visible(d, "#wechat-code"))
    browser.find_element(By.ID, "wechat-code").send_keys("dev:wx-nobody")
    browser.find_element(By.ID, "wechat-login-button").click()
    wait.until(lambda d: d.find_elements(By.ID, "login-error"))
    assert "还没有绑定" in browser.find_element(By.ID, "login-error").text

    box = browser.find_element(By.ID, "wechat-code")
    box.send_keys(Keys.CONTROL, "a", Keys.BACKSPACE)
    box.send_keys("dev:wx-secretary")
    browser.find_element(By.ID, "wechat-login-button").click()
    wait.until(lambda d: d.current_url.endswith("/console/activities"))
    wait.until(lambda d: d.find_element(By.ID, "session-name").text == m.name)
