"""积分公示 in Chromium: an organizer publishes a 公示 in the console, a member appeals from the member app
(a phone in WeChat, logged in by the fake web OAuth), the organizer corrects, the member sees the corrected
figure; the console's sheet prints as a clean table with its title, period and window."""
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from .browser import (  # noqa: F401  (fixtures)
    bind_by_sms, browser, live_server, log_in, phone, public_base, text_of)
from .console_ui import as_desktop, as_phone, cut_off, open_tab, shot, visible
from .park import PASSWORD
from .test_member_pages import click, shot as phone_shot
from .test_publicity import LAST_MONTH, month  # noqa: F401  (fixture)



def appear(wait, css):
    return wait.until(lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()])


def test_an_organizer_publishes_a_member_appeals_the_organizer_corrects_and_the_member_sees_it(  # noqa: F811
        app, client, park, month, browser, phone, public_base, sql):
    a1 = park.members_a[1]

    # The organizer opens 积分公示: last month's sheet of their branch, a1 first with 10.
    wait = log_in(browser, f"{public_base}/console/publicity", "org_a", PASSWORD)
    wait = WebDriverWait(browser, 20, poll_frequency=0.1)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#pub-table .el-table__body tr")) == 5)
    first = browser.find_elements(By.CSS_SELECTOR, "#pub-table .el-table__body tr")[0].text
    assert a1.name in first and "10" in first
    assert f"{LAST_MONTH.year}年{LAST_MONTH.month}月积分汇总表" in text_of(browser, "#pub-print-head")
    shot(browser, "publicity-console-1280.png", 1280)

    # Publish it with a 3-day window: the members are told.
    browser.find_element(By.ID, "pub-publish-open").click()
    appear(wait, "#pub-window input, input#pub-window")
    for _ in range(2):  # 5 days by default; two clicks on − make it 3
        visible(browser, ".el-dialog .el-input-number__decrease")[0].click()
    browser.find_element(By.ID, "pub-publish").click()
    wait.until(lambda d: "已发布" in text_of(d, ".el-message") or text_of(d, "#pub-publish-error"))
    assert not text_of(browser, "#pub-publish-error"), text_of(browser, "#pub-publish-error")
    pub = client.get("/api/v1/publicities", headers=park.auth("org_a")).get_json()[0]
    assert pub["status"] == "open" and pub["label"] == f"{LAST_MONTH.year}年{LAST_MONTH.month}月"
    assert "公示期" in text_of(browser, "#pub-print-head")
    assert sql("SELECT count(*) FROM notification WHERE event = 'publicity_opened' AND member_id = :m", m=a1.id) == 1

    # The sheet prints as a clean table: no menu, no buttons; the heading and every member.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not visible(browser, ".pm-aside") and not visible(browser, "#pub-publish-open")
    assert len(visible(browser, "#pub-print-table tbody tr")) == 5
    assert "公示期" in text_of(browser, "#pub-print-head")
    shot(browser, "publicity-print.png", 1280, 700)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    # The board in the activity centre shows it while the window runs, names masked.
    browser.get(f"{public_base}/board?org_id={park.root.id}&view=publicity")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#board-publicity-rows tr")) == 5)
    assert pub["title"] in text_of(browser, "#board-publicity")
    assert a1.name not in text_of(browser, "#board-publicity-rows") and "张*明" in text_of(browser, "#board-publicity-rows")
    shot(browser, "publicity-board-1280.png", 1280, 720)

    # The member, in WeChat: binds once, finds the 公示 of the branch with their row highlighted.
    pwait = WebDriverWait(phone, 20, poll_frequency=0.1)
    phone.get(f"{public_base}/m/publicity")
    bind_by_sms(app, phone, pwait, a1)
    pwait.until(lambda d: text_of(d, "#my-total"))
    assert text_of(phone, "#my-total").startswith("10")
    assert a1.name in text_of(phone, "#publicity-rows tr.mine")
    assert "公示中" in text_of(phone, "#publicity-window")
    others = [e.text for e in phone.find_elements(By.CSS_SELECTOR, "#publicity-rows tbody tr:not(.mine)")]
    assert others and all("*" in row for row in others)
    assert not cut_off(phone, ["#publicity-head", "#publicity-mine"])
    phone_shot(phone, "publicity-member-390.png")

    # Appeal: one of the two volunteer entries was worth more.
    click(phone, "#appeal-start")
    pwait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".entry-choice") or text_of(d, "#appeal-error"))
    assert not text_of(phone, "#appeal-error"), text_of(phone, "#appeal-error")
    assert len(phone.find_elements(By.CSS_SELECTOR, ".entry-choice")) == 2
    click(phone, "#appeal-submit")  # nothing picked: said beside the list
    pwait.until(lambda d: "请选择" in text_of(d, "#appeal-entry-error"))
    click(phone, ".entry-choice")
    phone.find_element(By.CSS_SELECTOR, "#appeal-reason").send_keys("那次志愿服务做了两场，只记了一场")
    phone_shot(phone, "publicity-appeal-390.png")
    click(phone, "#appeal-submit")
    pwait.until(lambda d: d.current_url.endswith("/m/appeals") and d.find_elements(By.CSS_SELECTOR, ".appeal-item"))
    assert "待处理" in text_of(phone, ".appeal-item")
    appeal = client.get("/api/v1/me/appeals", headers=park.auth(a1)).get_json()[0]
    assert appeal["status"] == "open" and appeal["kind"] == "entry"

    # The organizer corrects in the inbox: +3 in the entry's dimension.
    browser.get(f"{public_base}/console/publicity")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#pub-table .el-table__body tr"))
    open_tab(browser, "申诉处理")
    appear(wait, f".pm-pub-appeal[data-appeal-id='{appeal['id']}'] .appeal-correct")
    assert "那次志愿服务" in text_of(browser, ".pm-pub-appeal")
    shot(browser, "publicity-appeals-1280.png", 1280)
    browser.find_element(By.CSS_SELECTOR, f".pm-pub-appeal[data-appeal-id='{appeal['id']}'] .appeal-correct").click()
    delta = appear(wait, "#appeal-delta input, input#appeal-delta")[0]
    for _ in range(2):  # 1 by default; two clicks on + make it 3
        visible(browser, ".el-dialog .el-input-number__increase")[0].click()
    assert delta.get_attribute("value") == "3"
    browser.find_element(By.CSS_SELECTOR, "#appeal-resolution").send_keys("经核实为两场，补记")
    browser.find_element(By.ID, "appeal-submit").click()
    wait.until(lambda d: "已更正" in text_of(d, ".el-message"))
    done = client.get("/api/v1/appeals", headers=park.auth("org_a")).get_json()[0]
    assert done["status"] == "corrected" and done["correction"]["delta_score"] == 3

    # The member sees the outcome and the corrected figure.
    phone.get(f"{public_base}/m/appeals")
    pwait.until(lambda d: "已更正" in text_of(d, ".appeal-item"))
    assert "+3" in text_of(phone, ".appeal-outcome") and "经核实为两场" in text_of(phone, ".appeal-outcome")
    phone.get(f"{public_base}/m/publicity/{pub['id']}")
    pwait.until(lambda d: text_of(d, "#my-total"))
    assert text_of(phone, "#my-total").startswith("13")
    assert "13" in text_of(phone, "#publicity-rows tr.mine")

    # The console on a phone: nothing sticks out.
    as_phone(browser)
    browser.get(f"{public_base}/console/publicity")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#pub-table .el-table__body tr"))
    time.sleep(0.5)
    assert not cut_off(browser, ["#pub-publish-open", "#pub-load"])
    shot(browser, "publicity-console-390.png", 390)
    as_desktop(browser)


def test_a_correction_beyond_the_item_waits_in_the_console_for_a_second_organizer(  # noqa: F811
        client, park, month, browser, public_base, sql):
    a1 = park.members_a[1]
    pub = client.post("/api/v1/publicities", json={"org_id": park.branch_a.id, "period": "month",
                                                   "start": LAST_MONTH.isoformat()}, headers=park.auth("org_a")).get_json()
    entry = sql("SELECT id FROM ledger_entry WHERE idempotency_key = 's2'")  # a 5-point volunteer entry
    appeal = client.post(f"/api/v1/me/publicities/{pub['id']}/appeals", json={"entry_id": entry, "reason": "做了三场"},
                         headers=park.auth(a1)).get_json()
    card = f".pm-pub-appeal[data-appeal-id='{appeal['id']}']"

    # org_a asks for +8: more than the entry gave, so it waits for a second organizer.
    log_in(browser, f"{public_base}/console/publicity", "org_a", PASSWORD)
    wait = WebDriverWait(browser, 20, poll_frequency=0.1)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#pub-table .el-table__body tr"))
    open_tab(browser, "申诉处理")
    appear(wait, f"{card} .appeal-correct")[0].click()
    delta = appear(wait, "#appeal-delta input, input#appeal-delta")[0]
    delta.send_keys(Keys.CONTROL, "a")
    delta.send_keys("8", Keys.TAB)
    browser.find_element(By.CSS_SELECTOR, "#appeal-resolution").send_keys("核实为三场")
    browser.find_element(By.ID, "appeal-submit").click()
    wait.until(lambda d: "另一位组织者审批" in text_of(d, ".el-message") or text_of(d, "#appeal-error"))
    assert not text_of(browser, "#appeal-error"), text_of(browser, "#appeal-error")
    assert sql("SELECT status FROM appeal WHERE id = :i", i=appeal["id"]) == "pending"
    assert sql("SELECT count(*) FROM ledger_entry WHERE kind = 'adjust'") == 0

    # org_general approves it under 待审批; the correction is posted.
    browser.execute_script("localStorage.clear(); sessionStorage.clear()")
    log_in(browser, f"{public_base}/console/publicity", "org_general", PASSWORD)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".el-tabs__item"))
    open_tab(browser, "申诉处理")
    [b for b in appear(wait, "#pub-appeals .el-radio-button") if "待审批" in b.text][0].click()
    approve = appear(wait, f"{card} .appeal-approve")[0]
    assert "+8" in text_of(browser, f"{card} .appeal-proposal")
    approve.click()
    wait.until(lambda d: "已更正" in text_of(d, ".el-message"))
    assert sql("SELECT delta_score FROM ledger_entry WHERE kind = 'adjust'") == 8
