"""Complaints in a real Chromium: anonymous filing with an attachment and tracking; the
statutory workflow as province officer and business member."""

import re

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint, Status
from portal.models import Sector
from tests.complaints.factories import PNG_BYTES, make_complaint

pytestmark = pytest.mark.django_db(transaction=True)


def next_step(page):
    page.click("button[name=go][value=next]")
    page.wait_for_load_state()


def test_anonymous_filing_with_attachment_then_tracking(page, business, tmp_path):
    photo = tmp_path / "hoa-don.png"
    photo.write_bytes(PNG_BYTES)
    sector = Sector.objects.get(code="dien-may-gia-dung")

    page.goto("/khieu-nai/gui/")
    expect(page).to_have_url(re.compile(r"/khieu-nai/gui/nguoi-gui/$"))
    page.fill("[name=complainant_name]", "Phạm Thị Thu")
    page.fill("[name=complainant_phone]", "0912 000 111")
    page.fill("[name=complainant_email]", "thu.pham@example.vn")
    next_step(page)

    # Diacritic-insensitive suggestions fill the business and its province.
    page.fill("[name=business_search]", "binh an")
    suggestion = page.get_by_role("option", name=re.compile("Bình An"))
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(page.locator("[name=business_name]")).to_have_value(business.name)
    expect(page.locator("[name=province]")).to_have_value(str(business.province_id))
    next_step(page)

    page.select_option("[name=sector]", str(sector.pk))
    page.fill(
        "textarea[name=description]", "Tủ lạnh mới mua không lạnh, cửa hàng không nhận bảo hành."
    )
    page.fill("[name=amount]", "8500000")
    next_step(page)
    # A step with an error keeps what was typed.
    page.fill("textarea[name=request]", "")
    next_step(page)
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    page.fill("textarea[name=request]", "Đổi tủ lạnh mới.")
    next_step(page)

    page.set_input_files("[name=files]", str(photo))
    page.click("button[name=go][value=upload]")
    expect(page.locator(".list-group-item", has_text="hoa-don.png")).to_be_visible()
    next_step(page)

    expect(page.get_by_text("Tủ lạnh mới mua không lạnh")).to_be_visible()
    page.check("[name=consent_processing]")
    page.click("button[name=go][value=send]")
    code = page.locator("#complaint-code").inner_text().strip()
    assert re.fullmatch(r"KN-\d{4}-\d{6}", code)
    link = page.locator("#tracking-link").input_value()
    assert "/khieu-nai/theo-doi/" in link

    complaint = Complaint.objects.get(code=code)
    assert complaint.business == business and complaint.attachments.count() == 1

    # The secret link opens the complaint in a fresh browser context.
    other = page.context.browser.new_context(locale="vi-VN", base_url=page.url.split("/khieu")[0])
    try:
        tab = other.new_page()
        tab.goto(link)
        expect(tab.locator("h1")).to_contain_text(code)
        expect(tab.locator(".complaint-status")).to_have_attribute("data-status", "submitted")
        expect(tab.get_by_role("link", name=re.compile("hoa-don.png"))).to_be_visible()
    finally:
        other.close()

    # Tracking with the code and the e-mail.
    page.context.clear_cookies()
    page.goto("/khieu-nai/tra-cuu/")
    page.fill("[name=code]", code)
    page.fill("[name=contact]", "sai@example.vn")
    page.click("form button[type=submit]:not(.btn-light)")
    expect(page.locator(".alert-danger").first).to_be_visible()
    page.fill("[name=contact]", "thu.pham@example.vn")
    page.click("form button[type=submit]:not(.btn-light)")
    expect(page.locator("h1")).to_contain_text(code)
    expect(page.locator(".timeline li")).to_have_count(1)


def test_forwarded_negotiating_resolved(
    page, business, business_member, province_officer, e2e_login
):
    complaint = make_complaint(business=business)

    e2e_login(page, province_officer)
    page.goto(f"/khieu-nai/quan-ly/?q={complaint.code}")
    page.get_by_role("link", name=complaint.code).click()
    expect(page.locator("h1")).to_contain_text(complaint.code)
    page.fill("#fwd-tax", business.tax_code)
    page.fill("#fwd-msg", "Đề nghị doanh nghiệp thương lượng với người tiêu dùng.")
    page.click("form:has(input[value=forward]) button[type=submit]")
    expect(page.locator(".complaint-status")).to_have_attribute("data-status", "forwarded")

    page.context.clear_cookies()
    e2e_login(page, business_member)
    page.goto("/khieu-nai/doanh-nghiep/")
    page.get_by_role("link", name=complaint.code).click()
    page.click("#action-acknowledge")
    expect(page.locator(".complaint-status")).to_have_attribute("data-status", "negotiating")
    page.select_option("#res-result", "1")
    page.fill("#res-msg", "Doanh nghiệp đồng ý đổi sản phẩm mới.")
    page.click("#action-report")
    expect(page.locator(".complaint-status")).to_have_attribute("data-status", "resolved")

    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert list(complaint.events.filter(kind="status").values_list("to_status", flat=True)) == [
        Status.FORWARDED,
        Status.NEGOTIATING,
        Status.RESOLVED,
    ]
