"""Browser tests in Debian's Chromium, driven by Playwright against pytest-django's
live server.

Fixtures: ``browser`` (session), ``page`` (a fresh context per test, Vietnamese locale),
``e2e_login(page, live_server, user, secret=None)`` signs in through the real login form
and, for staff, the real TOTP step. Browser tests are skipped when Chromium is missing,
unless ``E2E_REQUIRED=1`` (as in CI), where they fail instead.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by
# the test itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("E2E_REQUIRED"):
            pytest.fail(f"Chromium not found at {CHROMIUM} and E2E_REQUIRED is set")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, reference_data):
    context = browser.new_context(
        locale="vi-VN", base_url=live_server.url, accept_downloads=True, viewport=None
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def e2e_login():
    def do_login(page, user, password="MatKhau@2026!", secret=None):
        from tests.conftest import TOTP_SECRET, totp_now

        page.goto("/tai-khoan/login/")
        page.fill("input[name=login]", user.email)
        page.fill("input[name=password]", password)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        if page.locator("input[name=code]").count():
            page.fill("input[name=code]", totp_now(secret or TOTP_SECRET))
            page.click("main form button[type=submit]")
            page.wait_for_load_state()
        return page

    return do_login


@pytest.fixture
def checked_site(
    reference_data, business, business_member, province_officer, ministry_officer, consumer
):
    """The data behind the pages axe and the HTML checker read (tests/e2e/a11y/pages.py), and
    the user of each role whose pages they read."""
    from tests.e2e.a11y.pages import build_data

    data = build_data(
        business=business,
        business_member=business_member,
        province_officer=province_officer,
        consumer=consumer,
    )
    users = {
        "consumer": consumer,
        "business": business_member,
        "province": province_officer,
        "ministry": ministry_officer,
    }
    return data, users
