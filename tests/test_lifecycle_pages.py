"""Rule versions and member changes in the admin's console, in a real headless Chromium on the built console:
an admin edits a rule's points and reads version 2 in its history; transfers a member, is told beside the
field when a date is wrong, and reads the member's history."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .browser import browser, live_server, text_of  # noqa: F401  (fixtures)
from .console_ui import as_desktop, as_phone, cut_off, pick, shot, type_date, visible
from .test_console_admin import sign_in



def day(days_ago: int) -> str:
    return (datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=days_ago)).isoformat()


def row_of(browser, table_css, text):
    """The table's row holding this text, or None (also while the table is being redrawn)."""
    try:
        rows = [r for r in browser.find_elements(By.CSS_SELECTOR, f"{table_css} tbody tr") if text in r.text]
    except StaleElementReferenceException:
        return None
    return rows[0] if rows else None


def test_an_admin_edits_a_rules_points_and_sees_version_2_in_its_history(client, park, browser, live_server):  # noqa: F811
    wait = sign_in(browser, f"{live_server}/console/admin/rules", "admin")
    wait.until(lambda d: row_of(d, ".el-table", "service.volunteer"))
    row = row_of(browser, ".el-table", "service.volunteer")
    assert "第1版" in row.text
    [b for b in row.find_elements(By.CSS_SELECTOR, "button") if b.text == "编辑"][0].click()
    wait.until(lambda d: visible(d, ".el-dialog .el-input-number input"))
    points = visible(browser, ".el-dialog .el-input-number input")[0]
    points.send_keys(Keys.CONTROL, "a", Keys.BACKSPACE)
    points.send_keys("8", Keys.TAB)
    assert "成为第2版" in visible(browser, ".el-dialog")[0].text
    [b for b in visible(browser, ".el-dialog__footer button") if b.text == "保存"][0].click()
    wait.until(lambda d: "第2版" in (row_of(d, ".el-table", "service.volunteer") or d.find_element(By.TAG_NAME, "body")).text)

    row_of(browser, ".el-table", "service.volunteer").find_element(By.CSS_SELECTOR, ".pm-rule-version").click()
    wait.until(lambda d: visible(d, "#rule-versions .pm-version"))
    # The dialog renders in steps (the versions, then the current one's tag): wait for all that is asserted.
    expected = ("分值 +5 → +8", "第2版", "当前", "第1版", "首次设立", "admin")
    try:
        wait.until(lambda d: all(part in text_of(d, "#rule-versions") for part in expected))
    except TimeoutException:
        pass  # the assertions below say what is missing
    history = text_of(browser, "#rule-versions")
    assert "分值 +5 → +8" in history
    assert "第2版" in history and "当前" in history and "第1版" in history and "首次设立" in history
    assert "admin" in history
    rules = client.get("/api/v1/admin/rules", headers=park.auth("admin")).get_json()
    rule = next(r for r in rules if r["code"] == "service.volunteer")
    assert (rule["version"], rule["points"]) == (2, 8)
    versions = client.get(f"/api/v1/admin/rules/{rule['id']}/versions", headers=park.auth("admin")).get_json()
    assert [(v["version"], v["points"]) for v in versions] == [(2, 8), (1, 5)]
    shot(browser, "console-rule-versions-1280.png", 1280, 800)
    shot(browser, "console-rule-versions-390.png", 390, 844)
    as_phone(browser)
    assert cut_off(browser, [".el-dialog"]) == []
    as_desktop(browser)


def test_an_admin_transfers_a_member_is_told_of_a_wrong_date_and_reads_the_history(client, park, browser,  # noqa: F811
                                                                                  live_server, sql):
    member = park.members_a[1]
    wait = sign_in(browser, f"{live_server}/console/admin/members", "admin")
    wait.until(lambda d: row_of(d, "#members-table", member.name))

    def open_action(css):
        row_of(browser, "#members-table", member.name).find_element(By.CSS_SELECTOR, ".pm-more button").click()
        wait.until(lambda d: visible(d, css))
        visible(browser, css)[0].click()

    open_action(".pm-act-transfer")
    wait.until(lambda d: visible(d, "#transfer-form"))
    assert park.branch_a.name in browser.find_element(By.ID, "transfer-form").text
    pick(browser, wait, "#transfer-form .el-select input", park.branch_b.name)
    type_date(browser, "#transfer-date", day(3))
    browser.find_element(By.ID, "transfer-save").click()
    wait.until(lambda d: not visible(d, "#transfer-form"))
    wait.until(lambda d: park.branch_b.name in row_of(d, "#members-table", member.name).text)
    assert sql("SELECT org_id FROM member WHERE id = :m", m=member.id) == park.branch_b.id

    # A second transfer dated before the first one took effect: the API's reason, beside the date.
    open_action(".pm-act-transfer")
    wait.until(lambda d: visible(d, "#transfer-form"))
    pick(browser, wait, "#transfer-form .el-select input", park.branch_a.name)
    type_date(browser, "#transfer-date", day(5))
    browser.find_element(By.ID, "transfer-save").click()
    wait.until(lambda d: visible(d, "#transfer-form .el-form-item__error"))
    error = visible(browser, "#transfer-form .el-form-item__error")[0].text
    assert "生效日期不能早于" in error and day(3) in error
    shot(browser, "console-transfer-error-1280.png", 1280, 800)
    [b for b in visible(browser, ".el-dialog__footer button") if b.text == "取消"][0].click()
    wait.until(lambda d: not visible(d, "#transfer-form"))

    row_of(browser, "#members-table", member.name).find_element(By.CSS_SELECTOR, ".pm-history").click()
    wait.until(lambda d: visible(d, "#history-changes"))
    text = browser.find_element(By.ID, "member-history").text
    assert f"{day(3)} 组织关系转接：{park.branch_a.name} → {park.branch_b.name}" in text
    assert f"启用前 至 {day(3)}" in text and f"{day(3)} 至 今" in text
    memberships = browser.find_elements(By.CSS_SELECTOR, "#history-memberships tbody tr")
    assert [r.text.split("\n")[0] for r in memberships] == [park.branch_a.name, park.branch_b.name]
    history = client.get(f"/api/v1/admin/members/{member.id}/history", headers=park.auth("admin")).get_json()
    assert [(c["kind"], c["effective_on"]) for c in history["changes"]] == [("transfer", day(3))]
    shot(browser, "console-member-history-1280.png", 1280, 800)
    shot(browser, "console-member-history-390.png", 390, 844)
    as_phone(browser)
    # The drawer follows the window to the phone's width (a resize listener, then its own transition).
    wait.until(lambda d: cut_off(d, [".el-drawer"]) == [])
    as_desktop(browser)


def test_an_admin_switches_a_member_off_and_on_with_a_confirmation(client, park, browser, live_server, sql):  # noqa: F811
    member = park.members_a[2]
    wait = sign_in(browser, f"{live_server}/console/admin/members", "admin")
    wait.until(lambda d: row_of(d, "#members-table", member.name))
    row_of(browser, "#members-table", member.name).find_element(By.CSS_SELECTOR, ".pm-more button").click()
    wait.until(lambda d: visible(d, ".pm-act-off"))
    visible(browser, ".pm-act-off")[0].click()
    wait.until(lambda d: visible(d, ".el-message-box input"))
    assert "不能再登录" in visible(browser, ".el-message-box")[0].text
    visible(browser, ".el-message-box input")[0].send_keys("长期外出务工")
    [b for b in visible(browser, ".el-message-box button") if b.text == "停用"][0].click()
    wait.until(lambda d: sql("SELECT status FROM member WHERE id = :m", m=member.id) == "inactive")
    assert sql("SELECT note FROM member_change WHERE member_id = :m", m=member.id) == "长期外出务工"
    # Listed under 停用 now; switched back on from there.
    wait.until(lambda d: row_of(d, "#members-table", member.name) is None)
    pick(browser, wait, ".pm-search .el-form-item:nth-child(4) .el-select input", "停用")
    [b for b in visible(browser, ".pm-search button") if b.text == "查询"][0].click()
    wait.until(lambda d: row_of(d, "#members-table", member.name))
    row_of(browser, "#members-table", member.name).find_element(By.CSS_SELECTOR, ".pm-more button").click()
    wait.until(lambda d: visible(d, ".pm-act-on"))
    visible(browser, ".pm-act-on")[0].click()
    wait.until(lambda d: [b for b in visible(d, ".el-message-box button") if b.text == "启用"])
    [b for b in visible(browser, ".el-message-box button") if b.text == "启用"][0].click()
    wait.until(lambda d: sql("SELECT status FROM member WHERE id = :m", m=member.id) == "active")


def test_the_secretary_issues_a_binding_code_and_the_member_binds_with_it(client, park, browser, live_server, sql):  # noqa: F811
    import re

    member = park.members_a[3]
    wait = sign_in(browser, f"{live_server}/console/admin/members", "admin")
    wait.until(lambda d: row_of(d, "#members-table", member.name))
    row_of(browser, "#members-table", member.name).find_element(By.CSS_SELECTOR, ".pm-more button").click()
    wait.until(lambda d: visible(d, ".pm-act-code"))
    visible(browser, ".pm-act-code")[0].click()
    wait.until(lambda d: visible(d, "#binding-code"))
    code = visible(browser, "#binding-code")[0].text
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", code)
    assert member.name in visible(browser, ".el-message-box")[0].text
    shot(browser, "console-binding-code-1280.png", 1280, 800)
    token = client.post("/api/v1/auth/wechat-login", json={"code": "dev:wx-on-paper"}).get_json()["token"]
    bound = client.post("/api/v1/auth/bind", json={"binding_code": code}, headers={"Authorization": f"Bearer {token}"})
    assert bound.status_code == 200 and bound.get_json()["member"]["id"] == member.id
    assert sql("SELECT action FROM audit_entry WHERE entity_id = :m ORDER BY id", m=member.id) == \
        [("member.binding_code",), ("bind",)]
