"""The admin's console pages and the public board in a real headless Chromium, on the built console."""
import os
import time
from datetime import timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from points_mall.common.fields import mask_name

from .browser import browser, live_server  # noqa: F401  (fixtures)
from .helpers import now
from .park import PASSWORD
from .sheets import sheet

DOCS = os.path.join(os.path.dirname(__file__), "..", "docs")


def shot(browser, name: str, width: int, height: int = 900) -> None:
    """Screenshots for the README, written only when asked (SCREENSHOTS=1), so test runs leave docs/ alone."""
    if not os.environ.get("SCREENSHOTS"):
        return
    browser.set_window_size(width, height)
    time.sleep(0.8)  # charts resize on the next frame
    browser.save_screenshot(os.path.join(DOCS, name))


def sign_in(browser, url: str, username: str):
    """The console's log-in form is drawn by the app after its script loads: wait for it, then sign in."""
    browser.get(url)
    WebDriverWait(browser, 15, poll_frequency=0.1).until(lambda d: d.find_elements(By.ID, "username"))
    browser.find_element(By.ID, "username").send_keys(username)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login-button").click()
    return WebDriverWait(browser, 15, poll_frequency=0.1)


def texts(browser, css):
    return [e.text for e in browser.find_elements(By.CSS_SELECTOR, css)]


def test_the_admin_imports_a_sheet_sees_the_bad_row_fixes_it_and_imports(client, park, browser, live_server,  # noqa: F811
                                                                            sql, tmp_path):
    bad = tmp_path / "名单.xlsx"
    rows = [("王五", "13712345678", "党员", "星联电子党支部", "2020-07-01", None),
            ("赵六", "1371234", "预备党员", "北辰软件党支部", None, None)]
    bad.write_bytes(sheet(rows))
    wait = sign_in(browser, f"{live_server}/console/admin/members", "admin")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#members-table tbody tr")) == 10)

    browser.find_element(By.ID, "open-import").click()
    wait.until(lambda d: d.find_elements(By.ID, "import-file"))
    browser.find_element(By.ID, "import-file").send_keys(str(bad))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#import-table tbody tr"))
    row = browser.find_element(By.CSS_SELECTOR, "#import-table tbody tr").text
    assert "3" in row and "赵六" in row and "手机号格式不正确" in row
    assert "1行有1处错误" in browser.find_element(By.ID, "import-bad").text
    assert not browser.find_element(By.ID, "import-run").is_enabled()
    assert sql("SELECT count(*) FROM member WHERE name IN ('王五', '赵六')") == 0

    rows[1] = ("赵六", "13712345679", "预备党员", "北辰软件党支部", None, None)
    bad.write_bytes(sheet(rows))
    browser.find_element(By.ID, "import-file").send_keys(str(bad))
    wait.until(lambda d: d.find_elements(By.ID, "import-ok"))
    assert "共2行，均可导入" in browser.find_element(By.ID, "import-ok").text
    browser.find_element(By.ID, "import-run").click()
    # the table reloads after the import: both new members appear on it
    wait.until(lambda d: "赵六" in d.find_element(By.ID, "members-table").text)
    assert "王五" in browser.find_element(By.ID, "members-table").text
    listed = client.get("/api/v1/admin/members?q=赵六", headers=park.auth("admin")).get_json()
    assert [(m["name"], m["member_type"]) for m in listed] == [("赵六", "预备党员")]


def test_the_admin_reads_the_mall_report_and_its_chart_and_downloads_the_workbook(client, park, shop, browser,  # noqa: F811
                                                                                   live_server, tmp_path):
    for i, m in enumerate(park.members_a[:3]):
        order = client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id, "items": [
            {"product_id": shop.products["大米5kg"], "qty": 1}]}, headers=park.auth(m) | {"Idempotency-Key": f"r{i}"}).get_json()
        assert client.post(f"/api/v1/shop/redemptions/{order['id']}/fulfil", headers=park.auth("keeper")).status_code == 200
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})

    wait = sign_in(browser, f"{live_server}/console/admin/reports", "admin")
    wait.until(lambda d: d.find_elements(By.ID, "mall-headline"))
    assert browser.find_element(By.ID, "mall-headline").text == "3人兑换物品，价值119.70元"
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#mall-month-chart svg path"))
    assert browser.find_element(By.CSS_SELECTOR, "#mall-month-chart svg").size["width"] > 200

    browser.find_element(By.ID, "mall-download").click()
    WebDriverWait(browser, 10).until(lambda d: [f for f in os.listdir(tmp_path) if f.endswith(".xlsx")])
    name = next(f for f in os.listdir(tmp_path) if f.endswith(".xlsx"))
    assert name.startswith("兑换统计-")
    book = load_workbook(tmp_path / name)
    assert book["汇总"]["G2"].value == "3人兑换物品，价值119.70元"
    today = now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    api = client.get(f"/api/v1/reports/mall?from={today - timedelta(days=1)}&to={today}&org_id={park.root.id}",
                     headers=park.auth("admin")).get_json()
    assert api["headline"] == "3人兑换物品，价值119.70元"

    browser.get(f"{live_server}/console/admin")
    wait.until(lambda d: "人兑换物品" in d.find_element(By.ID, "home-headline").text)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".echart svg path"))
    shot(browser, "console-admin-1280.png", 1280)
    shot(browser, "console-admin-390.png", 390, 844)


def test_the_board_masks_names_and_pages_by_itself(client, park, browser, live_server):  # noqa: F811
    r = client.post("/api/v1/awards", json={"member_ids": [m.id for m in park.members_a[:3]],
                                            "rule_code": "service.volunteer"}, headers=park.auth("org_general"))
    assert r.status_code == 201
    browser.get(f"{live_server}/board?org_id={park.root.id}&view=points&size=4&interval=2")
    wait = WebDriverWait(browser, 10, poll_frequency=0.1)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#board-rows tr"))
    assert "2026" in browser.find_element(By.ID, "board-title").text or "年党员积分公示栏" in browser.find_element(By.ID, "board-title").text
    first_page = texts(browser, "#board-rows tr")
    assert len(first_page) == 4 and browser.find_element(By.ID, "board-page").text == "第1/3页"
    assert first_page[0].startswith(f"1 {mask_name(park.members_a[0].name)}")
    wait.until(lambda d: d.find_element(By.ID, "board-page").text == "第2/3页")
    assert texts(browser, "#board-rows tr") != first_page
    everyone = park.members_a + park.members_b
    page = browser.page_source
    assert not any(m.name in page for m in everyone)
    assert all("*" in row.split()[1] for row in texts(browser, "#board-rows tr"))
    wait.until(lambda d: d.find_element(By.ID, "board-page").text == "第3/3页")
    wait.until(lambda d: d.find_element(By.ID, "board-page").text == "第1/3页")

    browser.get(f"{live_server}/board?org_id={park.root.id}&interval=600")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#board-rows tr"))
    shot(browser, "board-1280.png", 1280, 800)
    shot(browser, "board-390.png", 390, 844)
    browser.find_element(By.XPATH, "//button[text()='支部榜']").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#board-branch-chart svg path"))
    assert "星联电子党支部" in browser.find_element(By.ID, "board-branch-rows").text
    shot(browser, "board-branches-1280.png", 1280, 800)
    browser.find_element(By.XPATH, "//button[text()='维度榜']").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#board-dimension-chart svg path"))
    service = next(e.text for e in browser.find_elements(By.CSS_SELECTOR, ".board-dim") if e.text.startswith("服务"))
    assert "15分" in service and mask_name(park.members_a[0].name) in service
    shot(browser, "board-dimensions-1280.png", 1280, 800)


def test_the_admin_sees_who_wechat_cannot_reach_and_the_days_sends(park, browser, live_server, sql):  # noqa: F811
    m = park.members_a[1]
    sql("UPDATE member SET oa_openid = 'oa-web-only', oa_unreachable_since = now() WHERE id = :m", m=m.id)
    wait = sign_in(browser, f"{live_server}/console/admin/outbox", "admin")
    wait.until(lambda d: texts(d, "#unreachable tbody td:first-child") == [m.name])
    assert "/ 100000" in browser.find_element(By.ID, "sent-today").text
