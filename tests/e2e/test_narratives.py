"""In Chromium: an officer starts a narrative from a closed complaint, sees what the scrubber
replaced, edits and publishes it; a visitor finds it by searching the public list, with no
personal detail in it. Skipped without Chromium unless E2E_REQUIRED=1."""

import re

import pytest

from tests.narratives.conftest import closed_complaint

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_officer_reviews_and_publishes_and_the_public_finds_it(
    page,
    browser,
    live_server,
    e2e_login,
    province_officer,
):
    complaint = closed_complaint(result="Cửa hàng đã đổi máy mới cho chị Hoa.")
    e2e_login(page, province_officer)
    page.goto("/tuong-thuat/quan-ly/")
    row = page.locator("tr", has_text=complaint.code)
    row.get_by_role("button", name="Bắt đầu bản nháp").click()
    page.wait_for_load_state()

    # The complaint's own text, with what was replaced highlighted.
    assert page.locator("mark", has_text="0912 345 678").count() == 1
    assert page.locator("mark", has_text="Nguyễn Thị Hoa").count() == 1
    text = page.locator("textarea[name=text]")
    assert "[số điện thoại]" in text.input_value()
    text.fill(text.input_value().replace("[tên]", "người tiêu dùng"))
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Công bố").click()
    page.wait_for_load_state()
    assert page.get_by_text("Bản phản ánh đã được công bố.").is_visible()

    visitor = browser.new_context(locale="vi-VN", base_url=live_server.url).new_page()
    visitor.goto("/tuong-thuat/")
    visitor.fill("input[name=q]", "may giat")
    visitor.keyboard.press("Enter")
    visitor.wait_for_load_state()
    visitor.get_by_role("link", name=re.compile("Cửa hàng Điện máy Ánh Dương")).first.click()
    visitor.wait_for_load_state()
    body = visitor.locator("main").inner_text()
    assert "người tiêu dùng" in body and "8.490.000 đồng" in body
    for personal in ("Nguyễn Thị Hoa", "0912 345 678", "hoa@example.vn", complaint.code):
        assert personal not in body
    visitor.context.close()
