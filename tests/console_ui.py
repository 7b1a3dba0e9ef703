"""Driving Element Plus in the console from Selenium: selects, tree selects, a phone-sized screen."""
import os
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

DOCS = os.path.join(os.path.dirname(__file__), "..", "docs")


def visible(browser, css):
    """The displayed elements matching css; one removed from the page meanwhile (Vue re-rendered) is not."""
    shown = []
    for e in browser.find_elements(By.CSS_SELECTOR, css):
        try:
            if e.is_displayed():
                shown.append(e)
        except StaleElementReferenceException:
            continue
    return shown


def settled(browser, css, timeout=5.0):
    """The visible element matching css once it has stopped moving (a drawer or dialog slides in: a click
    while it moves can land beside the button)."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        found = visible(browser, css)
        rect = browser.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.x, r.y, r.width]",
                                      found[0]) if found else None
        if rect is not None and rect == last:
            return found[0]
        last = rect
        time.sleep(0.15)
    raise AssertionError(f"{css} did not settle on the screen")


def open_tab(browser, name, within="", timeout=5.0):
    """Click the el-tabs tab whose label holds name once nothing covers it: a message box fading out or a
    toast over the tabs takes the click, as it would a person's, so wait until the tab is what is there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tabs = [t for t in visible(browser, f"{within} .el-tabs__item".strip()) if name in t.text]
        if tabs and browser.execute_script(
                "const r = arguments[0].getBoundingClientRect();"
                "const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
                "return top !== null && arguments[0].contains(top);", tabs[0]):
            tabs[0].click()
            return
        time.sleep(0.15)
    raise AssertionError(f"the tab {name} could not be clicked: missing or covered")


def pick(browser, wait, field_css, option_text, typed=None):
    """Open an el-select (or el-tree-select), optionally type to search, click the option with this text."""
    field = browser.find_element(By.CSS_SELECTOR, field_css)
    browser.execute_script("(arguments[0].closest('.el-select__wrapper') || arguments[0]).click()", field)
    if typed:
        box = field if field.tag_name == "input" else field.find_element(By.CSS_SELECTOR, "input")
        time.sleep(0.4)  # the select focuses its input as it opens; keys sent before that are lost
        from selenium.webdriver.common.keys import Keys

        box.send_keys(Keys.CONTROL, "a", Keys.BACKSPACE)
        box.send_keys(typed)
    options = ".el-select-dropdown__item, .el-tree-node__label"
    wait.until(lambda d: [o for o in visible(d, options) if option_text in o.text])
    [o for o in visible(browser, options) if option_text in o.text][0].click()
    if "is-multiple" in (browser.execute_script("return arguments[0].closest('.el-select')?.className || ''", field) or ""):
        from selenium.webdriver.common.keys import Keys

        field.send_keys(Keys.ESCAPE)  # a multiple select stays open after a pick


def type_date(browser, field_css, text):
    """Type a moment into an el-date-picker as a person would, and confirm it with Enter."""
    from selenium.webdriver.common.keys import Keys

    box = browser.find_element(By.CSS_SELECTOR, field_css)
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(text, Keys.ENTER)


def as_phone(browser, width=390, height=844):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})


def as_desktop(browser):
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def cut_off(browser, css_list, width=390):
    """What sticks out of a phone screen: the page's own width, and each key element's right edge."""
    problems = []
    scroll = browser.execute_script("return document.documentElement.scrollWidth")
    if scroll > width:
        problems.append(f"page scrollWidth {scroll}")
    for css in css_list:
        for e in visible(browser, css):
            r = browser.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.left, r.right]", e)
            if r[0] < -1 or r[1] > width + 1:
                problems.append(f"{css} spans {r}")
    return problems


def shot(browser, name: str, width: int, height: int = 900) -> None:
    """Screenshots for the README, written when asked (SCREENSHOTS=1), so test runs leave docs/ alone."""
    if not os.environ.get("SCREENSHOTS"):
        return
    if width <= 480:
        as_phone(browser, width, height)
    else:
        as_desktop(browser)
        browser.set_window_size(width, height)
    time.sleep(0.8)
    browser.save_screenshot(os.path.join(DOCS, name))
