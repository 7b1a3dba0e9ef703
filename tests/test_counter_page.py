"""The shopkeeper's counter page in a real headless Chromium: code in, preview, confirm."""
from selenium.webdriver.common.by import By

from .browser import browser, live_server, log_in  # noqa: F401  (fixtures)
from .park import PASSWORD


def test_the_keeper_types_the_code_checks_the_preview_and_confirms(client, park, shop, browser, live_server, sql):  # noqa: F811
    m = park.members_a[1]
    order = client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id, "items": [
        {"product_id": shop.products["毛巾"], "qty": 2}]}, headers=park.auth(m) | {"Idempotency-Key": "p1"}).get_json()

    wait = log_in(browser, f"{live_server}/console/shop", "keeper", PASSWORD)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#shop option"))

    code = browser.find_element(By.ID, "pickup-code")
    code.send_keys("1234")
    browser.find_element(By.ID, "lookup").click()
    wait.until(lambda d: d.find_element(By.ID, "message").text == "取货码应为8位数字")

    code.clear()
    code.send_keys(order["pickup_code"])
    browser.find_element(By.ID, "lookup").click()
    wait.until(lambda d: d.find_element(By.ID, "preview").is_displayed())
    assert browser.find_element(By.ID, "member-name").text == m.name[0] + "*" + m.name[-1]
    assert browser.find_element(By.ID, "lines").text.startswith("毛巾 2 20")
    assert browser.find_element(By.ID, "status").text == "待领取"

    browser.find_element(By.ID, "confirm").click()
    wait.until(lambda d: d.find_element(By.ID, "status").text == "已交付")
    assert not browser.find_element(By.ID, "confirm").is_enabled()
    wait.until(lambda d: "毛巾×2" in d.find_element(By.ID, "today").text)
    assert sql("SELECT status FROM redemption WHERE id = :o", o=order["id"]) == "fulfilled"
