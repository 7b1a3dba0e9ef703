"""年度结算 and 期初积分 in a real headless Chromium: an admin sets a policy, previews and runs the settlement
in the console; imports opening balances with one bad row, sees it, fixes it and imports; a member's points
page says what will lapse."""
from datetime import datetime
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from points_mall.extensions import db
from points_mall.year import opening

from .browser import browser, live_server, phone, text_of  # noqa: F401  (fixtures)
from .console_ui import as_desktop, as_phone, cut_off, open_tab, shot, visible
from .sheets import sheet
from .test_console_admin import sign_in
from .test_settlement import at, earn, take

SH = ZoneInfo("Asia/Shanghai")


def click(browser, css):
    element = browser.find_element(By.CSS_SELECTOR, css)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    browser.execute_script("arguments[0].click()", element)


def type_number(browser, css, value):
    box = browser.find_element(By.CSS_SELECTOR, css)  # el-input-number hands its id to the input inside
    if box.tag_name != "input":
        box = box.find_element(By.CSS_SELECTOR, "input")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(str(value), Keys.TAB)


def confirm(browser, wait, expected):
    """The message box asks first; it must say what will happen before the admin agrees."""
    wait.until(lambda d: visible(d, ".el-message-box"))
    said = browser.find_element(By.CSS_SELECTOR, ".el-message-box").text
    assert expected in said, said
    visible(browser, ".el-message-box .el-button--primary")[0].click()


def test_an_admin_sets_a_policy_previews_and_runs_the_settlement(app, park, browser, live_server, sql):  # noqa: F811
    one, two = park.members_a[1], park.members_b[2]
    with app.app_context():
        earn(one.id, 100, at(2025, 1, 15))
        earn(one.id, 50, at(2025, 11, 10))
        take(one.id, 30, at(2025, 12, 1))
        earn(two.id, 40, at(2025, 3, 1))
        db.session.commit()
    wait = sign_in(browser, f"{live_server}/console/admin/settlement", "admin")
    root = f'.pm-policy-node[data-org="{park.root.id}"]'
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, root))
    assert "未设置，默认保留" in browser.find_element(By.CSS_SELECTOR, root).text

    click(browser, f"{root} .pm-policy-set")
    wait.until(lambda d: visible(d, "#policy-months"))
    as_phone(browser)  # the dialog fits a phone: nothing sticks out
    assert cut_off(browser, [".el-dialog", "#policy-form .el-radio", "#policy-save"]) == []
    shot(browser, "settlement-policy-dialog-phone.png", 390)
    as_desktop(browser)
    type_number(browser, "#policy-months", 6)
    click(browser, "#policy-save")
    wait.until(lambda d: "清除6个月前获得的积分，提前30天通知" in d.find_element(By.CSS_SELECTOR, root).text)
    group = browser.find_element(By.CSS_SELECTOR, f'.pm-policy-node[data-org="{park.group_a.id}"]').text
    assert "沿用“综合党委”：清除6个月前获得的积分" in group
    assert sql("SELECT mode, months FROM settlement_policy WHERE org_id = :o", o=park.root.id) == [("clear_older", 6)]
    shot(browser, "settlement-policies.png", 1280)
    shot(browser, "settlement-policies-phone.png", 390)
    browser.set_window_size(1280, 900)

    open_tab(browser, "结算预览与执行")
    wait.until(lambda d: d.find_elements(By.ID, "preview-year"))
    type_number(browser, "#preview-year", 2025)
    click(browser, "#preview-search")
    wait.until(lambda d: text_of(d, "#preview-lapse") == "110")
    assert text_of(browser, "#preview-lapsing-members") == "2"
    table = browser.find_element(By.ID, "preview-table").text
    assert one.name in table and "2025年7月1日前获得100分，已使用30分，未用完的70分到期" in table
    shot(browser, "settlement-preview.png", 1280)
    shot(browser, "settlement-preview-phone.png", 390)
    as_desktop(browser)
    browser.set_window_size(1280, 900)

    click(browser, "#run-settlement")
    confirm(browser, wait, "2名党员共110分超市积分")
    wait.until(lambda d: "结算完成" in d.find_element(By.TAG_NAME, "body").text)
    assert sql("SELECT member_id, delta_spendable FROM ledger_entry WHERE kind = 'expire' ORDER BY member_id") == [
        (one.id, -70), (two.id, -40)]
    assert sql("SELECT spendable FROM balance WHERE member_id = :m", m=one.id) == 50
    wait.until(lambda d: "已到期积分" in d.find_element(By.ID, "preview-totals").text)

    open_tab(browser, "结算记录")
    wait.until(lambda d: "2人共110分到期" in d.find_element(By.ID, "runs-table").text)
    assert "工作台" in browser.find_element(By.ID, "runs-table").text
    shot(browser, "settlement-runs.png", 1280)


def test_an_admin_imports_opening_balances_fixing_a_bad_row_first(app, client, park, browser, live_server,  # noqa: F811
                                                                   sql, tmp_path):
    a, b = park.members_a[2], park.members_b[3]
    path = tmp_path / "期初积分.xlsx"
    rows = [(a.name, a.phone, 120, 30, 12, 8, 5, 0), ("王错名", b.phone, 60, 10, 0, 0, 0, -2)]
    path.write_bytes(sheet(rows, opening.COLUMNS))
    wait = sign_in(browser, f"{live_server}/console/admin/opening", "admin")
    wait.until(lambda d: d.find_elements(By.ID, "opening-file"))
    browser.find_element(By.ID, "opening-file").send_keys(str(path))
    wait.until(lambda d: d.find_elements(By.ID, "opening-bad"))
    assert "1行有1处错误" in text_of(browser, "#opening-bad")
    bad = browser.find_element(By.CSS_SELECTOR, "#opening-table tbody tr").text
    assert "王错名" in bad and f"姓名与登记不符：手机号{b.phone}登记的是{b.name}" in bad
    assert not browser.find_element(By.ID, "opening-commit").is_enabled()
    shot(browser, "opening-check.png", 1280)
    shot(browser, "opening-check-phone.png", 390)
    as_desktop(browser)
    browser.set_window_size(1280, 900)
    assert sql("SELECT count(*) FROM ledger_entry") == 0

    rows[1] = (b.name, b.phone, 60, 10, 0, 0, 0, -2)
    path.write_bytes(sheet(rows, opening.COLUMNS))
    browser.find_element(By.ID, "opening-file").send_keys(str(path))
    wait.until(lambda d: d.find_elements(By.ID, "opening-ok"))
    assert "共2行，均可导入" in text_of(browser, "#opening-ok")
    click(browser, "#opening-commit")
    year = datetime.now(SH).year
    confirm(browser, wait, f"将为2名党员导入{year}年期初积分")
    wait.until(lambda d: "第1号" in d.find_element(By.ID, "opening-history").text)
    assert "180" in browser.find_element(By.ID, "opening-history").text
    assert sql("SELECT spendable FROM balance WHERE member_id = :m", m=b.id) == 60
    assert sql("SELECT DISTINCT source_type, source_id FROM ledger_entry") == [("opening_import", 1)]
    assert sql("SELECT score FROM score WHERE member_id = :m AND dimension = 'integrity'", m=b.id) == -2
    shot(browser, "opening-done.png", 1280)


def test_the_members_points_page_says_what_will_lapse(app, client, park, phone, browser, live_server):  # noqa: F811
    m = park.members_b[1]
    with app.app_context():
        earn(m.id, 35, datetime.now(SH).replace(month=1, day=2, hour=10))
        db.session.commit()
    r = client.put(f"/api/v1/admin/settlement/policies/{park.branch_b.id}", json={"mode": "clear_all"},
                   headers=park.auth("admin"))
    assert r.status_code == 200
    year = datetime.now(SH).year
    for driver in (phone, browser):
        wait = WebDriverWait(driver, 15, poll_frequency=0.1)
        driver.get(f"{live_server}/openapi.json")  # the origin, without the log-in page's WeChat OAuth
        driver.execute_script("localStorage.setItem('pm.member.token', arguments[0])", park.tokens[f"member:{m.id}"])
        driver.get(f"{live_server}/m/points")
        wait.until(lambda d: text_of(d, "#lapse-line"))
        assert text_of(driver, "#lapse-line") == f"35分将于{year + 1}年1月1日到期，请在年底前兑换使用"
    assert cut_off(phone, ["#lapse-line"]) == []
    import os
    if os.environ.get("SCREENSHOTS"):
        phone.save_screenshot(os.path.join(os.path.dirname(__file__), "..", "docs", "member-lapse.png"))
        browser.set_window_size(1280, 800)
        browser.save_screenshot(os.path.join(os.path.dirname(__file__), "..", "docs", "member-lapse-desktop.png"))
