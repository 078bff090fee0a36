import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_consumer_logs_in_and_switches_to_english(page, consumer, e2e_login):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("link", name=re.compile("Đăng nhập"))).to_be_visible()
    e2e_login(page, consumer)
    expect(page.locator("h1")).to_contain_text("Không gian làm việc")
    # Choosing in the list changes nothing by itself (WCAG 3.2.2): an arrow key, then the
    # list's choice, and only the button applies it.
    page.focus("#language-select")
    page.keyboard.press("ArrowDown")
    page.select_option("#language-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.get_by_role("button", name="Đổi").click()
    page.wait_for_url(re.compile(r"/en/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("My workspace")


def test_province_officer_passes_the_totp_step(page, province_officer, e2e_login):
    e2e_login(page, province_officer)
    page.goto("/quan-tri/")
    expect(page.locator("#site-name")).to_be_visible()


def test_home_fits_a_360_px_screen_and_has_a_menu(browser, live_server, reference_data):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/")
    # Keyboard users reach the skip link first.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    menu = page.get_by_role("button", name="Danh mục")
    expect(menu).to_be_visible()
    menu.click()
    expect(page.locator("#main-nav")).to_be_visible()
    context.close()


def test_the_phone_menu_works_without_javascript(browser, live_server, reference_data):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(live_server.url + "/")
    # Shown open, with no button that would do nothing; every entry can be followed.
    expect(page.get_by_role("button", name="Danh mục")).to_be_hidden()
    link = page.locator("#main-nav").get_by_role("link", name="Văn bản pháp luật")
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(r"/van-ban/$"))
    context.close()
