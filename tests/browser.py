"""A live server and Debian's headless Chromium for the page tests."""
import os
import tempfile
import threading

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
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


def start_chromium(mobile: dict | None = None):
    """Debian's headless Chromium with a throwaway profile, optionally emulating a phone
    (mobile: Chromium's mobileEmulation, e.g. deviceMetrics and userAgent); returns the driver and the profile."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    profile = tempfile.TemporaryDirectory()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                f"--user-data-dir={profile.name}", f"--window-size={WINDOW[0]},{WINDOW[1]}"):
        options.add_argument(arg)
    if mobile:
        options.add_experimental_option("mobileEmulation", mobile)
    # The people using these pages are in China: their browser's clock says China's day, as the service's does.
    china = {**os.environ, "TZ": "Asia/Shanghai"}
    driver = webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver", env=china))
    driver.implicitly_wait(0)
    return driver, profile


WINDOW = (1400, 800)


class Chromium:
    """One Chromium per test process, handed to each test in a new tab of a clean browser: the tabs of the
    test before closed (with whatever they emulated: a phone's size, a position, print media, a download
    folder), no cookies, no permissions granted, the window at its first size, the storage of the origin
    the test before used cleared. Anything that goes wrong while cleaning starts a new Chromium instead."""

    def __init__(self, mobile: dict | None = None):
        self.mobile = mobile
        self.driver = None
        self.profile = None

    def fresh(self):
        if self.driver is not None:
            try:
                self._clean()
            except WebDriverException:
                self.quit()
        if self.driver is None:
            self.driver, self.profile = start_chromium(self.mobile)
        return self.driver

    def _clean(self) -> None:
        driver = self.driver
        before = driver.window_handles
        driver.switch_to.new_window("tab")
        tab = driver.current_window_handle
        for handle in before:
            driver.switch_to.window(handle)
            driver.close()
        driver.switch_to.window(tab)
        driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        driver.execute_cdp_cmd("Browser.resetPermissions", {})
        driver.set_window_size(*WINDOW)
        driver.implicitly_wait(0)

    def done(self) -> None:
        """After a test: forget what its origin stored (a later test's server may get the same port)."""
        if self.driver is None:
            return
        try:
            origin = self.driver.execute_script("return location.origin")
            if origin and origin.startswith("http"):
                self.driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
        except WebDriverException:
            self.quit()

    def quit(self) -> None:
        if self.driver is not None:
            try:
                self.driver.quit()
            except WebDriverException:
                pass
            self.profile.cleanup()
        self.driver = self.profile = None


WECHAT_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 "
             "Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) NetType/WIFI Language/zh_CN")


@pytest.fixture(scope="session")
def phone_chromium():
    chromium = Chromium({"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 1}, "userAgent": WECHAT_UA})
    yield chromium
    chromium.quit()


@pytest.fixture
def phone(phone_chromium):
    """Chromium as a 390 × 844 phone with WeChat's user agent."""
    yield phone_chromium.fresh()
    phone_chromium.done()


@pytest.fixture
def public_base(app, live_server):
    """The links on the screen and the OAuth return address point at the live server, as in production."""
    before = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = live_server
    yield live_server
    app.config["PUBLIC_BASE_URL"] = before


def text_of(driver, css):
    """The text of the first element matching css; "" while there is none (or Vue is replacing it)."""
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        found = driver.find_elements("css selector", css)
        return found[0].text if found else ""
    except StaleElementReferenceException:
        return ""


@pytest.fixture(scope="session")
def desktop_chromium():
    chromium = Chromium()
    yield chromium
    chromium.quit()


@pytest.fixture
def browser(desktop_chromium):
    """Chromium on a 1400 × 800 window."""
    yield desktop_chromium.fresh()
    desktop_chromium.done()


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


def sms_received(app, phone_number):
    """The last code the console SMS gateway sent to a phone: what the member reads in the text message."""
    return [s["code"] for s in app.extensions["pm_sms"].sent if s["phone"] == phone_number][-1]


def bind_by_sms(app, driver, wait, member, before_submit=None):
    """On the bind page: the registered phone, 获取验证码, the code from the text message, 确认绑定."""
    from selenium.webdriver.common.by import By

    wait.until(lambda d: d.find_elements(By.ID, "bind-phone"))
    driver.find_element(By.ID, "bind-phone").send_keys(member.phone)
    driver.find_element(By.ID, "bind-send").click()
    wait.until(lambda d: text_of(d, "#bind-sms-note"))
    driver.find_element(By.ID, "bind-sms-code").send_keys(sms_received(app, member.phone))
    if before_submit:
        before_submit()
    driver.find_element(By.ID, "bind-button").click()


def bind_by_code(driver, wait, code, before_submit=None):
    """On the bind page: the 绑定码 tab, the code the secretary gave, 确认绑定."""
    from selenium.webdriver.common.by import By

    wait.until(lambda d: d.find_elements(By.ID, "bind-tabs"))
    driver.find_element(By.XPATH, "//div[contains(@class, 'van-tab')][normalize-space(.)='绑定码']").click()
    wait.until(lambda d: d.find_element(By.ID, "bind-code").is_displayed())
    driver.find_element(By.ID, "bind-code").send_keys(code)
    if before_submit:
        before_submit()
    driver.find_element(By.ID, "bind-code-button").click()
