"""积分申报 in headless Chromium: a member in WeChat (390 px phone) declares an item with a photo, the organizer
approves it in the console (1280 px, and the page on a 390 px phone), and the points show in the member app."""
import struct
import zlib

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from .browser import (  # noqa: F401  (fixtures)
    bind_by_sms, browser, live_server, log_in, phone, public_base, text_of)
from .console_ui import as_desktop, as_phone, cut_off, open_tab, settled, shot, visible
from .park import PASSWORD
from .test_declarations import declarable, photos, today, year_end  # noqa: F401  (fixtures)
from .test_member_pages import all_text, click, shot as phone_shot



def png(width=240, height=160) -> bytes:
    """A real PNG (a red-to-gold gradient), drawn without an imaging library."""
    rows = b"".join(b"\x00" + b"".join(bytes((200, 22 + (x * 180) // width, 29 + (y * 60) // height))
                                       for x in range(width)) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def content(driver, css):
    """An element's text, also where it is clipped (a picker's wheel shows a few of its options)."""
    found = driver.find_elements(By.CSS_SELECTOR, css)
    return found[0].get_attribute("textContent") if found else ""


def confirm_picker(phone, wait):  # noqa: F811
    """Tap 确认 on the rule picker; a tap while the popup still slides in is lost, so tap until it takes."""
    def confirmed(d):
        if d.find_element(By.ID, "declaration-rule").get_attribute("value"):
            return True
        buttons = visible(d, "#rule-picker .van-picker__confirm")
        if buttons:
            d.execute_script("arguments[0].click()", buttons[0])
        return False
    wait.until(confirmed)


def log_in_on_the_phone(app, phone, wait, url, member):  # noqa: F811
    """Opened in WeChat: the page logs in through the (console gateway's) web OAuth and asks who I am once."""
    phone.get(url)
    bind_by_sms(app, phone, wait, member)


def test_a_member_declares_with_a_photo_the_organizer_approves_and_the_points_show(  # noqa: F811
        app, client, park, declarable, photos, phone, browser, public_base, sql, tmp_path):
    m = park.members_a[1]
    picture = tmp_path / "植树.png"
    picture.write_bytes(png())
    wait = WebDriverWait(phone, 20, poll_frequency=0.1)

    # The member opens 申报积分 from WeChat, logs in, and fills the form.
    log_in_on_the_phone(app, phone, wait, f"{public_base}/m/declarations/new", m)
    wait.until(lambda d: d.find_elements(By.ID, "declaration-title"))
    assert "/m/declarations/new" in phone.current_url
    click(phone, "#declaration-rule")
    wait.until(lambda d: visible(d, "#rule-picker .van-picker__confirm"))
    wait.until(lambda d: "邻里互助（道德 +5分）" in content(d, "#rule-picker"))
    assert "service.volunteer（服务 +5分）" in content(phone, "#rule-picker")
    confirm_picker(phone, wait)  # the first: 邻里互助
    assert phone.find_element(By.ID, "declaration-rule").get_attribute("value") == "邻里互助（道德 +5分）"
    assert phone.find_element(By.ID, "declaration-day").get_attribute("value") == today().isoformat()
    phone.find_element(By.CSS_SELECTOR, "#declaration-title").send_keys("帮独居老人买菜送药")
    phone.find_element(By.CSS_SELECTOR, "#declaration-description").send_keys("每周两次，持续一个月")
    phone.find_element(By.CSS_SELECTOR, ".field-photos input[type=file]").send_keys(str(picture))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".field-photos .van-uploader__preview-image")
               and not d.find_elements(By.CSS_SELECTOR, ".field-photos .van-uploader__mask"))
    phone_shot(phone, "member-declare.png")
    click(phone, "#declaration-submit")
    wait.until(lambda d: text_of(d, "#declaration-status") == "待审核")
    mine = client.get("/api/v1/me/declarations", headers=park.auth(m)).get_json()
    assert [(d["title"], d["rule_name"], d["status"], len(d["photos"])) for d in mine] == \
        [("帮独居老人买菜送药", "邻里互助", "submitted", 1)]
    declaration = mine[0]
    assert phone.current_url.endswith(f"/m/declarations/{declaration['id']}")
    assert client.get(declaration["photos"][0]["url"]).data == picture.read_bytes()

    # The same item again: the API's Chinese message beside the date.
    phone.get(f"{public_base}/m/declarations/new")
    wait.until(lambda d: d.find_elements(By.ID, "declaration-title"))
    click(phone, "#declaration-rule")
    wait.until(lambda d: visible(d, "#rule-picker .van-picker__confirm"))
    confirm_picker(phone, wait)
    phone.find_element(By.CSS_SELECTOR, "#declaration-title").send_keys("又报一次")
    click(phone, "#declaration-submit")
    wait.until(lambda d: "已申报过" in text_of(d, ".field-day"))
    assert "同一事项不能重复申报" in text_of(phone, ".field-day")
    assert sql("SELECT count(*) FROM declaration") == 1

    # The organizer of the branch approves it in the console, after a look at the photo.
    wait_c = log_in(browser, f"{public_base}/console/declarations", "org_a", PASSWORD)
    browser.set_window_size(1280, 900)
    wait_c.until(lambda d: d.find_elements(By.CSS_SELECTOR, f".open-declaration[data-id='{declaration['id']}']"))
    assert "待审核 (1)" in text_of(browser, "#declaration-tabs")
    assert "申报审核" in text_of(browser, "#side-menu")
    row = text_of(browser, "#declarations-table .el-table__body")
    assert m.name in row and "帮独居老人买菜送药" in row and "1张" in row
    shot(browser, "console-declarations.png", 1280, 700)
    browser.find_element(By.CSS_SELECTOR, f".open-declaration[data-id='{declaration['id']}']").click()
    wait_c.until(lambda d: visible(d, "#declaration-photos .el-image__inner"))
    assert "每周两次，持续一个月" in text_of(browser, "#declaration-detail")
    visible(browser, "#declaration-photos .el-image__inner")[0].click()
    wait_c.until(lambda d: visible(d, ".el-image-viewer__img"))
    shot(browser, "console-declaration-photo.png", 1280, 700)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    wait_c.until(lambda d: not visible(d, ".el-image-viewer__img"))
    # 驳回 without a reason: said beside the field, nothing sent.
    browser.find_element(By.ID, "declaration-reject").click()
    wait_c.until(lambda d: "请填写原因" in text_of(d, "#declaration-drawer"))
    shot(browser, "console-declaration.png", 1280, 800)
    browser.find_element(By.ID, "declaration-approve").click()
    wait_c.until(lambda d: "已批准" in all_text(d, ".el-message"))
    assert f"已批准，{m.name}记入5分" in all_text(browser, ".el-message")
    done = client.get(f"/api/v1/declarations/{declaration['id']}", headers=park.auth("org_a")).get_json()
    assert (done["status"], done["points"], done["decided_by"]) == ("approved", 5, "staff:" + str(
        sql("SELECT id FROM staff_user WHERE username = 'org_a'")))
    wait_c.until(lambda d: "待审核 (0)" in text_of(d, "#declaration-tabs"))

    # The same page on a 390 px phone: nothing sticks out, the drawer takes the screen.
    as_phone(browser)
    browser.refresh()
    wait_c.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#declarations-table"))
    open_tab(browser, "已通过", within="#declaration-tabs")
    wait_c.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".open-declaration"))
    assert cut_off(browser, ["#declaration-tabs", ".el-pagination"]) == []
    shot(browser, "console-declarations-390.png", 390, 760)
    browser.execute_script("arguments[0].click()", browser.find_element(By.CSS_SELECTOR, ".open-declaration"))
    wait_c.until(lambda d: visible(d, "#declaration-detail"))
    wait_c.until(lambda d: not cut_off(d, ["#declaration-detail", "#declaration-photos"]))  # once it has slid in
    shot(browser, "console-declaration-390.png", 390, 760)
    as_desktop(browser)

    # The member sees it approved, the points on the home page and in the ledger.
    phone.get(f"{public_base}/m/declarations")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f".declaration[data-id='{declaration['id']}']"))
    assert "已通过" in text_of(phone, ".declaration") and "+5分" in text_of(phone, ".declaration")
    phone_shot(phone, "member-declarations.png")
    phone.get(f"{public_base}/m/")
    wait.until(lambda d: text_of(d, "#home-score"))
    assert text_of(phone, "#home-score") == "5" and text_of(phone, "#home-spendable") == "5"
    phone.get(f"{public_base}/m/points")
    wait.until(lambda d: "帮独居老人买菜送药" in all_text(d, ".entry"))
    entry = phone.find_elements(By.CSS_SELECTOR, ".entry")[0].text
    assert "申报：帮独居老人买菜送药" in entry and "年度 +5" in entry and "org_a" in entry and "道德" in entry
    # The message in the inbox opens the declaration.
    phone.get(f"{public_base}/m/messages")
    wait.until(lambda d: "积分申报已通过" in all_text(d, ".message"))
    next(e for e in phone.find_elements(By.CSS_SELECTOR, ".message") if "积分申报已通过" in e.text).click()
    wait.until(lambda d: d.current_url.endswith(f"/m/declarations/{declaration['id']}"))
    wait.until(lambda d: text_of(d, "#declaration-points") == "已记入 5 分")
    phone_shot(phone, "member-declaration-approved.png")


def test_a_returned_declaration_is_completed_on_the_phone_and_sent_again(  # noqa: F811
        app, client, park, declarable, photos, phone, public_base, sql):
    m = park.members_a[2]
    d = client.post("/api/v1/me/declarations", json={"rule_id": declarable["service.volunteer"],
                                                     "occurred_on": today().isoformat(), "title": "社区义务植树"},
                    headers=park.auth(m)).get_json()
    r = client.post(f"/api/v1/declarations/{d['id']}/return", json={"note": "请补充活动现场照片"}, headers=park.auth("org_a"))
    assert r.status_code == 200
    wait = WebDriverWait(phone, 20, poll_frequency=0.1)
    log_in_on_the_phone(app, phone, wait, f"{public_base}/m/declarations", m)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".declaration"))
    assert "已退回，待补充" in text_of(phone, ".declaration") and "请补充活动现场照片" in text_of(phone, ".declaration")
    click(phone, ".declaration")
    wait.until(lambda d: d.find_elements(By.ID, "declaration-edit"))
    assert "请补充活动现场照片" in text_of(phone, "#declaration-note")
    phone_shot(phone, "member-declaration-returned.png")
    click(phone, "#declaration-edit")
    wait.until(lambda d: d.find_elements(By.ID, "returned-note"))
    assert phone.find_element(By.ID, "declaration-title").get_attribute("value") == "社区义务植树"
    phone.find_element(By.CSS_SELECTOR, "#declaration-description").send_keys("补充：上午9点在园区东门")
    click(phone, "#declaration-submit")
    wait.until(lambda d: text_of(d, "#declaration-status") == "待审核")
    again = client.get(f"/api/v1/me/declarations/{d['id']}", headers=park.auth(m)).get_json()
    assert (again["status"], again["description"]) == ("submitted", "补充：上午9点在园区东门")
    assert sql("SELECT count(*) FROM declaration") == 1


def test_the_console_says_when_the_cap_leaves_no_room(client, park, declarable, photos, browser, public_base,  # noqa: F811
                                                     year_end):
    m = park.members_a[3]
    ids = [client.post("/api/v1/me/declarations", json={
        "rule_id": declarable["morality.help"], "occurred_on": year_end.replace(month=1, day=n).isoformat(),
        "title": f"邻里互助第{n}次"}, headers=park.auth(m)).get_json()["id"] for n in (1, 2, 3)]
    for i in ids[:2]:  # 5 + 3: the year's cap of 8 is full
        assert client.post(f"/api/v1/declarations/{i}/approve", json={}, headers=park.auth("org_a")).status_code == 200
    wait = log_in(browser, f"{public_base}/console/declarations", "org_a", PASSWORD)
    browser.set_window_size(1280, 900)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f".open-declaration[data-id='{ids[2]}']"))
    browser.find_element(By.CSS_SELECTOR, f".open-declaration[data-id='{ids[2]}']").click()
    wait.until(lambda d: visible(d, "#declaration-approve"))
    settled(browser, "#declaration-approve").click()
    wait.until(lambda d: text_of(d, "#declaration-error"))
    assert "“邻里互助”本年度上限8分已记满" in text_of(browser, "#declaration-error")
    assert "请驳回并写明原因" in text_of(browser, "#declaration-error")
    browser.find_element(By.ID, "declaration-note").send_keys("本年度邻里互助已满8分")
    browser.find_element(By.ID, "declaration-reject").click()
    wait.until(lambda d: "已驳回" in all_text(d, ".el-message"))
    done = client.get(f"/api/v1/me/declarations/{ids[2]}", headers=park.auth(m)).get_json()
    assert (done["status"], done["note"]) == ("rejected", "本年度邻里互助已满8分")
