"""A live server and Debian's headless Chromium for the page tests."""
import os
import tempfile
import threading

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from werkzeug.serving import make_server


@pytest.fixture
def live_server(app):
    """The app on a real port; the pages it serves must be built (make test builds them first)."""
    from points_mall.web import DIST

    assert os.path.exists(os.path.join(DIST, "console", "index.html")), \
        "the front-end is not built: run make test (it builds frontend/ first), or set WEB_DIST"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def chromium(mobile: dict | None = None):
    """Debian's headless Chromium with a throwaway profile, optionally emulating a phone
    (mobile: Chromium's mobileEmulation, e.g. deviceMetrics and userAgent); yields the driver."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    profile = tempfile.TemporaryDirectory()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                f"--user-data-dir={profile.name}", "--window-size=1400,800"):
        options.add_argument(arg)
    if mobile:
        options.add_experimental_option("mobileEmulation", mobile)
    # The people using these pages are in China: their browser's clock says China's day, as the service's does.
    china = {**os.environ, "TZ": "Asia/Shanghai"}
    driver = webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver", env=china))
    driver.implicitly_wait(0)
    yield driver
    driver.quit()
    profile.cleanup()


WECHAT_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 "
             "Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) NetType/WIFI Language/zh_CN")


@pytest.fixture
def phone():
    """Chromium as a 390 × 844 phone with WeChat's user agent."""
    yield from chromium({"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 1}, "userAgent": WECHAT_UA})


@pytest.fixture
def public_base(app, live_server):
    """The links on the screen and the OAuth return address point at the live server, as in production."""
    before = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = live_server
    yield live_server
    app.config["PUBLIC_BASE_URL"] = before


def text_of(driver, css):
    found = driver.find_elements("css selector", css)
    return found[0].text if found else ""


@pytest.fixture
def browser():
    yield from chromium()


def log_in(browser, url: str, username: str, password: str):
    """Open a console page and sign in on its login form; returns a waiter for what follows."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    # The console is a single-page app: its log-in form appears once the scripts have run.
    WebDriverWait(browser, 15, poll_frequency=0.1).until(lambda d: d.find_elements(By.ID, "username"))
    browser.find_element(By.ID, "username").send_keys(username)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.ID, "login-button").click()
    return WebDriverWait(browser, 10, poll_frequency=0.1)
