"""The shopkeeper's day in the console, in a real headless Chromium on the built console: stock in with
unit cost and who paid, add a product, a member redeems through the API, the keeper confirms at the
counter. Then the keeper's pages on a 390 px phone."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .browser import browser, live_server, log_in  # noqa: F401  (fixtures)
from .console_ui import as_phone, cut_off, pick, shot, visible
from .park import PASSWORD



def retype(browser, css, text):
    box = browser.find_element(By.CSS_SELECTOR, css)
    box.send_keys(Keys.CONTROL, "a", Keys.BACKSPACE)
    box.send_keys(str(text), Keys.TAB)


def stock_of(client, park, shop, name):
    lines = client.get(f"/api/v1/reports/stock?shop_id={shop.shop_id}", headers=park.auth("keeper")).get_json()
    return next(line for line in lines if line["name"] == name)


def test_the_keeper_stocks_in_a_member_redeems_and_the_keeper_hands_it_over(client, park, shop, browser,  # noqa: F811
                                                                            live_server, sql):
    wait = log_in(browser, f"{live_server}/console/", "keeper", PASSWORD)
    wait.until(lambda d: d.current_url.endswith("/console/shop"))
    wait.until(lambda d: d.find_elements(By.ID, "pickup-code"))

    browser.get(f"{live_server}/console/shop/stock")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#stock-table tbody tr"))
    pick(browser, wait, "#stock-product", "毛巾")
    retype(browser, "#stock-qty", 10)
    retype(browser, "#stock-cost", "6.5")
    pick(browser, wait, "#stock-funder", "星联电子党支部")
    browser.find_element(By.ID, "stock-submit").click()
    wait.until(lambda d: d.find_element(By.ID, "stock-message").text)
    assert browser.find_element(By.ID, "stock-message").text == "已登记：毛巾 进货 10 件"
    towel = stock_of(client, park, shop, "毛巾")
    assert towel["on_hand"] == 30 and towel["movements"]["purchase"] == 30
    assert sql("SELECT unit_cost::text || ' ' || funding_org_id FROM stock_movement WHERE product_id = :p "
               "ORDER BY id DESC LIMIT 1", p=shop.products["毛巾"]) == f"6.50 {park.branch_a.id}"

    browser.get(f"{live_server}/console/shop/goods")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#goods-table tbody tr"))
    browser.find_element(By.ID, "new-product").click()
    wait.until(lambda d: visible(d, "#product-name"))
    browser.find_element(By.ID, "product-name").send_keys("党建笔记本")
    retype(browser, "#product-price", 15)
    browser.find_element(By.ID, "save-product").click()
    wait.until(lambda d: "党建笔记本" in d.find_element(By.ID, "goods-table").text)
    listed = client.get(f"/api/v1/products?shop_id={shop.shop_id}", headers=park.auth("keeper")).get_json()
    assert [(p["name"], p["points_price"], p["on_hand"]) for p in listed if p["name"] == "党建笔记本"] == [("党建笔记本", 15, 0)]

    member = park.members_a[2]
    order = client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id, "items": [
        {"product_id": shop.products["毛巾"], "qty": 1}]}, headers=park.auth(member) | {"Idempotency-Key": "k-towel"}).get_json()
    browser.get(f"{live_server}/console/shop")
    wait.until(lambda d: d.find_elements(By.ID, "pickup-code"))
    browser.find_element(By.ID, "pickup-code").send_keys(order["pickup_code"] + Keys.ENTER)
    wait.until(lambda d: d.find_element(By.ID, "preview").is_displayed())
    assert browser.find_element(By.ID, "member-name").text == member.name[0] + "*" + member.name[-1]
    assert browser.find_element(By.ID, "member-org").text == "星联电子党支部"
    browser.find_element(By.ID, "confirm").click()
    wait.until(lambda d: d.find_element(By.ID, "status").text == "已交付")
    assert browser.find_element(By.ID, "message").text == "已确认交付：" + member.name[0] + "*" + member.name[-1] + "，共 10 积分"
    wait.until(lambda d: "毛巾×1" in d.find_element(By.ID, "today").text)
    shot(browser, "console-keeper.png", 1280, 760)
    assert client.get(f"/api/v1/redemptions/{order['id']}", headers=park.auth(member)).get_json()["status"] == "fulfilled"
    assert stock_of(client, park, shop, "毛巾")["on_hand"] == 29


def test_the_keepers_pages_fit_a_390px_phone(client, park, shop, browser, live_server):  # noqa: F811
    order = client.post("/api/v1/redemptions", json={"shop_id": shop.shop_id, "items": [
        {"product_id": shop.products["洗衣液"], "qty": 1}]}, headers=park.auth(park.members_a[1]) | {"Idempotency-Key": "k-390"}).get_json()
    wait = log_in(browser, f"{live_server}/console/shop", "keeper", PASSWORD)
    wait.until(lambda d: d.find_elements(By.ID, "pickup-code"))
    as_phone(browser)
    browser.find_element(By.ID, "pickup-code").send_keys(order["pickup_code"])
    wait.until(lambda d: d.find_element(By.ID, "preview").is_displayed())
    assert cut_off(browser, ["#pickup-code", "#lookup", "#preview", "#confirm", "#lines", "#today", "#low-stock", ".pm-header"]) == []
    shot(browser, "console-keeper-390.png", 390, 844)
    for path, ready, key in (("/console/shop/goods", "#goods-table", ["#new-product", ".pm-shop-select", "#goods-table"]),
                             ("/console/shop/stock", "#stock-table", ["#stock-submit", "#stock-product", "#stock-kind", "#stock-table"])):
        browser.get(live_server + path)
        wait.until(lambda d: visible(d, ready + " tbody tr"))
        assert cut_off(browser, key) == [], path
