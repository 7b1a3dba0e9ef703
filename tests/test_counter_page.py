"""The shopkeeper's counter (/console/shop, now in the console) in a real headless Chromium: code in,
preview, confirm; success in green; a USB scanner's 8 digits look the order up by themselves."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .browser import browser, live_server, log_in  # noqa: F401  (fixtures)
from .park import PASSWORD



def redeem(client, park, shop, member, key, product="毛巾", qty=2):
    return client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id, "items": [
        {"product_id": shop.products[product], "qty": qty}]}, headers=park.auth(member) | {"Idempotency-Key": key}).get_json()


def test_the_keeper_types_the_code_checks_the_preview_and_confirms(client, park, shop, browser, live_server, sql):  # noqa: F811
    m = park.members_a[1]
    order = redeem(client, park, shop, m, "p1")

    wait = log_in(browser, f"{live_server}/console/shop", "keeper", PASSWORD)
    wait.until(lambda d: d.find_elements(By.ID, "pickup-code"))
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".pm-shop-select").text == "积分超市（党群服务中心）")

    code = browser.find_element(By.ID, "pickup-code")
    code.send_keys("1234")
    browser.find_element(By.ID, "lookup").click()
    wait.until(lambda d: d.find_element(By.ID, "message").text == "取货码应为8位数字")
    assert "pm-error-message" in browser.find_element(By.ID, "message").get_attribute("class")

    code.send_keys(Keys.CONTROL, "a", Keys.BACKSPACE)
    code.send_keys(order["pickup_code"])  # the 8th digit looks it up, as a USB scanner's burst does
    wait.until(lambda d: d.find_element(By.ID, "preview").is_displayed())
    assert browser.find_element(By.ID, "member-name").text == m.name[0] + "*" + m.name[-1]
    assert browser.find_element(By.ID, "lines").text.startswith("毛巾 2 20")
    assert browser.find_element(By.ID, "status").text == "待领取"

    browser.find_element(By.ID, "confirm").click()
    wait.until(lambda d: d.find_element(By.ID, "status").text == "已交付")
    assert not browser.find_element(By.ID, "confirm").is_enabled()
    message = browser.find_element(By.ID, "message")
    assert message.text.startswith("已确认交付") and "pm-ok-message" in message.get_attribute("class")
    green = browser.execute_script("return getComputedStyle(arguments[0]).color", message)
    assert green == "rgb(27, 127, 59)", green  # success is green, never the red of an error
    wait.until(lambda d: "毛巾×2" in d.find_element(By.ID, "today").text)
    assert sql("SELECT status FROM redemption WHERE id = :o", o=order["id"]) == "fulfilled"


def test_a_scanner_code_with_enter_is_looked_up_and_a_second_confirmation_is_refused(client, park, shop, browser,  # noqa: F811
                                                                                   live_server):
    order = redeem(client, park, shop, park.members_a[2], "p2", product="洗衣液", qty=1)
    wait = log_in(browser, f"{live_server}/console/shop", "keeper", PASSWORD)
    wait.until(lambda d: d.find_elements(By.ID, "pickup-code"))
    browser.find_element(By.ID, "pickup-code").send_keys(order["pickup_code"] + Keys.ENTER)
    wait.until(lambda d: d.find_element(By.ID, "preview").is_displayed())
    assert client.post(f"/api/v1/shop/redemptions/{order['id']}/fulfil", headers=park.auth("keeper")).status_code == 200
    browser.find_element(By.ID, "confirm").click()
    wait.until(lambda d: d.find_element(By.ID, "message").text)
    assert "pm-error-message" in browser.find_element(By.ID, "message").get_attribute("class")
    assert client.get(f"/api/v1/redemptions/{order['id']}", headers=park.auth(park.members_a[2])).get_json()["status"] == "fulfilled"
