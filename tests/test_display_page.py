"""The projector page (/console/activities/{id}/display, now in the console) in a real headless Chromium:
it renders, the code rotates, check-ins appear with masked names, and the code fills a 1920×1080 screen."""

from selenium.webdriver.common.by import By

from points_mall.common.fields import mask_name

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
        assert browser.current_url.endswith(f"/console/activities/{a['id']}/display")
        assert not browser.find_elements(By.ID, "side-menu"), "the projector shows no menu"
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
    finally:
        app.config["CHECKIN_CODE_STEP"] = 30


def test_the_code_grows_to_fill_a_projector(client, park, browser, live_server):  # noqa: F811
    a = make_activity(client, park, title="党课")
    browser.set_window_size(1920, 1080)
    wait = log_in(browser, f"{live_server}/console/activities/{a['id']}/display", "org_a", PASSWORD)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#qr svg"))
    viewport_h = browser.execute_script("return window.innerHeight")
    box = browser.execute_script("const r = document.querySelector('#qr svg').getBoundingClientRect();"
                                 "return {w: r.width, h: r.height, top: r.top, bottom: r.bottom, left: r.left, right: r.right}")
    assert box["h"] >= 0.7 * viewport_h and abs(box["w"] - box["h"]) < 2, box
    assert box["top"] >= 0 and box["bottom"] <= viewport_h, "the whole code is on the screen"
    code_side = browser.find_element(By.CSS_SELECTOR, ".pm-display-code").rect
    centre = box["left"] + box["w"] / 2
    assert abs(centre - (code_side["x"] + code_side["width"] / 2)) < 4, "the code is centred in its half"


def test_the_display_can_show_a_mini_program_code_whose_scene_checks_in(client, park, browser, live_server):  # noqa: F811
    a = make_activity(client, park, title="党员大会")
    wait = log_in(browser, f"{live_server}/console/activities/{a['id']}/display?code=mp", "org_a", PASSWORD)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#qr img"))
    image = browser.find_element(By.CSS_SELECTOR, "#qr img").get_attribute("src")
    assert image.startswith("data:image/png;base64,")
    scene = browser.find_element(By.ID, "qr").get_attribute("data-payload")
    assert scene.startswith(f"a={a['id']}&t=") and len(scene) <= 32
    assert "小程序码" in browser.find_element(By.CSS_SELECTOR, ".pm-display-hint").text
    r = client.post("/api/v1/checkins", json={"payload": scene, "nonce": nonce()}, headers=park.auth(park.members_a[1]))
    assert r.status_code == 200, r.get_json()
    wait.until(lambda d: d.find_element(By.ID, "count").text == "1")
