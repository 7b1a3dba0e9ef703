"""积分档案 in the console, in a real headless Chromium on the built console: a branch secretary finds a
member by name, opens the member's archive (score chart, tables), filters the ledger across the branch,
pages it and exports it; the same pages on a 390 px phone."""
import os
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from points_mall.extensions import db
from points_mall.points.models import Rule
from points_mall.points import ledger
from points_mall.people.access import SYSTEM
from points_mall.common.clock import utcnow

from .browser import browser, live_server, log_in  # noqa: F401  (fixtures)
from .console_ui import as_desktop, as_phone, cut_off, pick, shot
from .park import PASSWORD



@pytest.fixture
def history(app, park):
    """Sixty volunteer awards across branch A over two months, a study award and a reversed deduction
    for 张1明, and entries in branch B the secretary of A must never see."""
    now = utcnow()
    with app.app_context():
        rules = {r.code: r for r in db.session.query(Rule)}
        for i in range(60):
            m = park.members_a[i % len(park.members_a)]
            ledger.apply_rule([m.id], rules["service.volunteer"], key=f"h:{i}", source=("award", None),
                              actor="staff:2", occurred_at=now - timedelta(days=i))
        target = park.members_a[1]
        ledger.apply_rule([target.id], rules["study.meeting"], key="h:study", source=("award", None), actor="staff:2",
                          occurred_at=now - timedelta(hours=2))
        deduct = ledger.apply_rule([target.id], rules["integrity.absent"], key="h:absent",
                                   source=("award", None), actor="staff:2",
                                   occurred_at=now - timedelta(hours=1))[target.id]
        for i in range(5):
            ledger.apply_rule([park.members_b[0].id], rules["service.volunteer"], key=f"b:{i}", source=("award", None),
                              actor="staff:3", occurred_at=now - timedelta(days=i))
        db.session.commit()
        ledger.reverse(SYSTEM, deduct.id, "误扣，已核实出席")
        db.session.commit()
        db.session.remove()


def rows(browser, css):
    """The table's rows as text, read in one script (Vue may replace the rows between two reads)."""
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' .el-table__body tr')].map(r => r.innerText)", css)


def test_a_secretary_finds_a_member_reads_the_archive_filters_the_ledger_and_exports(client, park, history,
                                                                                     browser, live_server, tmp_path):  # noqa: F811
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    target = park.members_a[1]
    wait = log_in(browser, f"{live_server}/console/archive", "org_a", PASSWORD)
    wait.until(lambda d: d.find_elements(By.ID, "archive-q") and rows(d, "#archive-members"))
    menu = [e.get_attribute("textContent").strip() for e in browser.find_elements(By.CSS_SELECTOR, "#side-menu .el-menu-item")]
    assert "积分档案" in menu and "积分明细查询" in menu
    # Branch A's five members; branch B's are not in the secretary's scope.
    assert len(rows(browser, "#archive-members")) == len(park.members_a)
    assert not any(m.name in browser.find_element(By.ID, "archive-members").text for m in park.members_b)

    browser.find_element(By.ID, "archive-q").send_keys(target.name)
    browser.find_element(By.ID, "archive-search").click()
    wait.until(lambda d: len(rows(d, "#archive-members")) == 1)
    row = rows(browser, "#archive-members")[0]
    api = client.get("/api/v1/archive/members", query_string={"name": target.name}, headers=park.auth("org_a")).get_json()[0]
    assert target.name in row and api["phone"] in row and str(api["score"]) in row and target.phone not in row

    # A phone that is neither 11 digits nor the last 4: the API's message shows beside the field.
    box = browser.find_element(By.ID, "archive-q")
    box.send_keys(Keys.CONTROL, "a", Keys.BACKSPACE)
    box.send_keys("123")
    browser.find_element(By.ID, "archive-search").click()
    wait.until(lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, ".el-form-item__error") if "后4位" in e.text])
    box.send_keys(Keys.CONTROL, "a", Keys.BACKSPACE)
    box.send_keys(target.name)
    browser.find_element(By.ID, "archive-search").click()
    wait.until(lambda d: len(rows(d, "#archive-members")) == 1 and not d.find_elements(By.CSS_SELECTOR, ".el-form-item__error"))
    shot(browser, "archive-search-1280.png", 1280)

    browser.find_element(By.LINK_TEXT, target.name).click()
    wait.until(lambda d: d.find_elements(By.ID, "archive-member-name"))
    page = client.get(f"/api/v1/archive/members/{target.id}", headers=park.auth("org_a")).get_json()
    assert browser.find_element(By.ID, "archive-member-name").text == target.name
    assert browser.find_element(By.ID, "archive-score").text == str(page["score"])
    assert browser.find_element(By.ID, "archive-spendable").text == str(page["spendable"])
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".echart svg path"))
    wait.until(lambda d: "已冲正" in d.find_element(By.CSS_SELECTOR, ".pm-archive-ledger").text)
    ledger_text = browser.find_element(By.CSS_SELECTOR, ".pm-archive-ledger").text
    assert "误扣，已核实出席" in ledger_text and "冲正#" in ledger_text
    shot(browser, "archive-member-1280.png", 1280, 1300)

    browser.find_element(By.ID, "archive-member-export").click()
    WebDriverWait(browser, 10).until(lambda d: [f for f in os.listdir(tmp_path) if f.endswith(".xlsx")])
    book = load_workbook(tmp_path / next(f for f in os.listdir(tmp_path) if f.endswith(".xlsx")))
    listed = client.get("/api/v1/archive/ledger", query_string={"member_id": target.id, "limit": 200},
                        headers=park.auth("org_a")).get_json()["entries"]
    sheet_rows = list(book.active.iter_rows(values_only=True))[1:]
    assert len(sheet_rows) == len(listed) and {r[1] for r in sheet_rows} == {target.name}
    for f in os.listdir(tmp_path):
        os.remove(tmp_path / f)

    # 积分明细查询: the whole branch, filtered to the service dimension, a page of 50, then the next.
    browser.get(f"{live_server}/console/archive/ledger")
    wait.until(lambda d: len(rows(d, "#ledger-table")) == 50)
    assert not any(m.name in browser.find_element(By.ID, "ledger-table").text for m in park.members_b)
    pick(browser, wait, "#ledger-dimension", "服务")
    browser.find_element(By.ID, "ledger-search").click()
    wait.until(lambda d: len(rows(d, "#ledger-table")) == 50 and "学习" not in d.find_element(By.ID, "ledger-table").text)
    first_page = rows(browser, "#ledger-table")
    browser.find_element(By.ID, "ledger-next").click()
    wait.until(lambda d: rows(d, "#ledger-table") != first_page)
    assert len(rows(browser, "#ledger-table")) == 10  # 60 volunteer awards in all
    shot(browser, "archive-ledger-1280.png", 1280)

    browser.find_element(By.ID, "ledger-export").click()
    WebDriverWait(browser, 10).until(lambda d: [f for f in os.listdir(tmp_path) if f.endswith(".xlsx")])
    book = load_workbook(tmp_path / next(f for f in os.listdir(tmp_path) if f.endswith(".xlsx")))
    exported = list(book.active.iter_rows(values_only=True))
    assert exported[0][:3] == ("时间", "姓名", "所属组织") and len(exported) - 1 == 60
    assert {r[4] for r in exported[1:]} == {"服务"}

    # The same pages on a phone: nothing sticks out of the screen.
    as_phone(browser)
    browser.get(f"{live_server}/console/archive/members/{target.id}")
    wait.until(lambda d: d.find_elements(By.ID, "archive-member-name") and d.find_elements(By.CSS_SELECTOR, ".echart svg path"))
    assert cut_off(browser, [".pm-figures", ".pm-archive-grid", ".pm-archive-head"]) == []
    shot(browser, "archive-member-390.png", 390, 1400)
    browser.get(f"{live_server}/console/archive")
    wait.until(lambda d: rows(d, "#archive-members"))
    assert cut_off(browser, ["#archive-q", "#archive-search"]) == []
    shot(browser, "archive-search-390.png", 390, 844)
    as_desktop(browser)


def test_a_secretary_opening_another_branchs_member_is_told_so(park, browser, live_server):  # noqa: F811
    wait = log_in(browser, f"{live_server}/console/archive/members/{park.members_b[0].id}", "org_a", PASSWORD)
    wait.until(lambda d: "超出您的管理范围" in d.find_element(By.TAG_NAME, "body").text)
    assert park.members_b[0].name not in browser.find_element(By.TAG_NAME, "body").text
