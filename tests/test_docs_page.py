"""/docs with no internet: Swagger UI comes from the pinned package, and no page loads anything from outside."""
import os
import re

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from .browser import live_server  # noqa: F401  (fixture)

TEMPLATES = os.path.join(os.path.dirname(__file__), "..", "points_mall", "web", "templates")
# A URL the page would fetch: src/href or a CSS url() pointing at another host.
OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//""",
                     re.IGNORECASE)


@pytest.fixture
def offline_browser():
    """Chromium that can reach 127.0.0.1 and nothing else: every other host fails to resolve."""
    import tempfile

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    profile = tempfile.TemporaryDirectory()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--proxy-server=http://127.0.0.1:9",
                "--proxy-bypass-list=127.0.0.1", f"--user-data-dir={profile.name}", "--window-size=1400,800"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver"))
    yield driver
    driver.quit()
    profile.cleanup()


def test_docs_lists_the_operations_with_no_network(offline_browser, live_server):
    offline_browser.get(live_server + "/docs")
    wait = WebDriverWait(offline_browser, 20, poll_frequency=0.2)
    checkins = wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, '[data-path="/api/v1/checkins"]'))
    assert "/api/v1/checkins" in checkins[0].text
    assert offline_browser.find_elements(By.CSS_SELECTOR, '[data-path="/api/v1/auth/wechat-login"]')
    loaded = offline_browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".concat(performance.getEntriesByType('navigation').map(e => e.name))")
    assert loaded and all(url.startswith(live_server) for url in loaded), loaded


def test_docs_assets_come_from_the_service_pinned(client):
    page = client.get("/docs").get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in page and not OUTSIDE.search(page)
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        r = client.get("/docs/assets/" + asset)
        assert r.status_code == 200 and len(r.data) > 1000, asset
    assert client.get("/docs/assets/../../../../etc/passwd").status_code == 404


@pytest.mark.parametrize("name", sorted(os.listdir(TEMPLATES)))
def test_no_template_loads_anything_from_outside_the_service(name):
    with open(os.path.join(TEMPLATES, name), encoding="utf-8") as f:
        assert not OUTSIDE.search(f.read()), name


def test_no_page_loads_anything_from_outside_the_service(client):
    for path in ("/", "/board", "/docs", "/q/a/1"):
        r = client.get(path)
        assert r.status_code < 500, path
        assert not OUTSIDE.search(r.get_data(as_text=True)), path
