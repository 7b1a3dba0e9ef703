"""The organizer's display page in a real headless Chromium: it renders, the code rotates, check-ins appear."""
import os

from selenium.webdriver.common.by import By

from points_mall.schemas.common import mask_name

from .browser import browser, live_server, log_in  # noqa: F401  (fixtures)
from .helpers import make_activity, nonce
from .park import PASSWORD


def test_the_display_shows_a_rotating_code_and_who_checked_in(app, client, park, browser, live_server):  # noqa: F811
    app.config["CHECKIN_CODE_STEP"] = 2
    try:
        a = make_activity(client, park, title="七一主题党日")
        wait = log_in(browser, f"{live_server}/console/activities/{a['id']}/display", "org_a", PASSWORD)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#qr svg"))
        wait.until(lambda d: d.find_element(By.ID, "title").text == "七一主题党日")
        first = browser.find_element(By.ID, "qr").get_attribute("data-payload")
        assert f"/q/a/{a['id']}?t=" in first
        wait.until(lambda d: d.find_element(By.ID, "qr").get_attribute("data-payload") != first)
        shown = browser.find_element(By.ID, "qr").get_attribute("data-payload")

        member = park.members_a[1]
        r = client.post("/api/v1/checkins", json={"payload": shown, "nonce": nonce()}, headers=park.auth(member))
        assert r.status_code == 200, r.get_json()
        wait.until(lambda d: d.find_element(By.ID, "count").text == "1")
        names = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#attendees li")]
        assert names == [mask_name(member.name)]
        if os.environ.get("SCREENSHOT_DIR"):
            browser.save_screenshot(os.path.join(os.environ["SCREENSHOT_DIR"], "display.png"))
    finally:
        app.config["CHECKIN_CODE_STEP"] = 30
