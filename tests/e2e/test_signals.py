"""Issue #15 in a real Chromium: a consumer files a complaint with the barcode of a recalled
product and is shown the recall's advice; the officer sees the match on the complaint, finds
the product among the complaint signals and starts a draft warning from it, pre-filled
without personal data."""

import re

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from consumer_warnings.models import ConsumerWarning
from portal.models import Province, Sector
from tests.consumer_warnings.factories import WarningFactory

pytestmark = pytest.mark.django_db(transaction=True)

BARCODE = "8934567000017"
PRODUCT = "Ấm siêu tốc Thử Nghiệm 1,7 lít"
RECALL_TITLE = "Thu hồi ấm siêu tốc Thử Nghiệm 1,7 lít do nguy cơ giật điện"
COMPLAINANT = "Lê Thị Mai"
SHOP = "Siêu thị Điện máy Thử Nghiệm (hư cấu)"
RECALL_HEADING = "Sản phẩm này đang bị thu hồi: bạn nên làm gì"


@pytest.fixture
def recall(reference_data, business):
    return WarningFactory(
        kind=ConsumerWarning.Kind.RECALL,
        title=RECALL_TITLE,
        gtin=BARCODE,
        product_name=PRODUCT,
        business=business,
        defect_group="A",
        defect="Dây nguồn không đạt chuẩn cách điện.",
        risk_description="Có thể gây giật điện.",
        identification="Mã vạch 8934567000017 dưới đáy ấm.",
        recall_time_place="Tại các cửa hàng bán lẻ từ 01/12/2026.",
        remedy="Đổi ấm mới miễn phí.",
        contact="Tổng đài 1800 0000 (hư cấu)",
        how_to_check="Xem mã vạch dưới đáy ấm.",
    )


def next_step(page):
    page.click("button[name=go][value=next]")
    page.wait_for_load_state()


def consumer_files_with_the_barcode(page):
    """The consumer's part, through the filing form: the barcode of the recalled product,
    bought from a shop that is not the manufacturer, so the match is by barcode."""
    page.goto("/khieu-nai/gui/")
    expect(page).to_have_url(re.compile(r"/khieu-nai/gui/nguoi-gui/$"))
    page.fill("[name=complainant_name]", COMPLAINANT)
    page.fill("[name=complainant_phone]", "0912 000 222")
    page.fill("[name=complainant_email]", "mai.le@example.vn")
    next_step(page)
    page.fill("[name=business_name]", SHOP)
    page.select_option("[name=province]", str(Province.objects.get(code="01").pk))
    next_step(page)
    page.select_option("[name=sector]", str(Sector.objects.get(code="dien-may-gia-dung").pk))
    page.fill("[name=product_name]", PRODUCT)
    # Typed as on the pack, with spaces: the same product as the recall's.
    page.fill("[name=gtin]", "893 4567 000017")
    page.fill("textarea[name=description]", "Ấm bị rò điện khi cắm sạc, tôi bị giật nhẹ.")
    next_step(page)
    page.fill("textarea[name=request]", "Đổi ấm mới.")
    next_step(page)
    next_step(page)  # no files

    # Before sending, the recall's advice.
    advice = page.locator("#matching-warnings")
    expect(advice).to_contain_text(RECALL_HEADING)
    expect(advice).to_contain_text(RECALL_TITLE)
    expect(advice).to_contain_text("Đổi ấm mới miễn phí.")
    page.check("[name=consent_processing]")
    page.click("button[name=go][value=send]")
    code = page.locator("#complaint-code").inner_text().strip()
    # And after: still there, on the page that gives the code.
    expect(page.locator("#matching-warnings")).to_contain_text(RECALL_HEADING)
    return Complaint.objects.get(code=code)


def officer_starts_a_draft_from_the_signal(page, complaint):
    """The officer's part: the match on the complaint, the signal, the draft."""
    page.goto(f"/khieu-nai/quan-ly/{complaint.code}/")
    match = page.locator("#matching-warnings")
    expect(match).to_contain_text(RECALL_TITLE)
    expect(match).to_contain_text(f"Cùng mã vạch: {BARCODE}")

    page.goto("/canh-bao/quan-ly/")
    page.get_by_role("link", name="Tín hiệu từ khiếu nại").click()
    expect(page.locator("h1")).to_have_text("Tín hiệu từ khiếu nại")
    row = page.locator("#signal-products tbody tr", has_text=PRODUCT)
    expect(row).to_contain_text("0" + BARCODE)
    expect(row.get_by_role("link", name=RECALL_TITLE)).to_be_visible()
    # On a phone the table scrolls inside its box; the page itself does not.
    page.set_viewport_size({"width": 375, "height": 740})
    expect(row.get_by_role("link", name=PRODUCT, exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The 90-day switch keeps the row (one complaint now, none before).
    page.get_by_role("link", name="90 ngày").click()
    expect(page).to_have_url(re.compile(r"window=90"))
    row = page.locator("#signal-products tbody tr", has_text=PRODUCT)
    # With the keyboard: focus the product's link and press Enter.
    row.get_by_role("link", name=PRODUCT, exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(PRODUCT)
    expect(page.locator("main")).to_contain_text(RECALL_TITLE)

    page.get_by_role("link", name="Soạn bản nháp cảnh báo").click()
    expect(page.locator("#id_gtin")).to_have_value(BARCODE)
    expect(page.locator("#id_product_name")).to_have_value(PRODUCT)
    expect(page.locator("#id_title")).to_have_value(f"Khiếu nại gia tăng về sản phẩm {PRODUCT}")
    expect(page.locator("#id_summary")).to_contain_text("Đã nhận 1 khiếu nại trong 90 ngày qua")
    # Nothing of the complainant's reaches the draft.
    expect(page.locator("main")).not_to_contain_text(COMPLAINANT)
    page.select_option("#id_hazard", label="Điện giật")
    page.get_by_role("button", name="Lưu nháp và xem trước").click()
    expect(page.locator("body")).to_contain_text("Bản xem trước của bản nháp")

    draft = ConsumerWarning.objects.get(status=ConsumerWarning.Status.DRAFT)
    assert draft.gtin_key == "0" + BARCODE and draft.product_name == PRODUCT
    assert COMPLAINANT not in draft.title + draft.summary + draft.body
    return draft


def test_consumer_sees_the_recall_and_officer_starts_a_draft_warning_from_the_signal(
    page, browser, live_server, e2e_login, ministry_officer, recall
):
    consumer = browser.new_context(locale="vi-VN", base_url=live_server.url)
    consumer.set_default_timeout(15_000)
    try:
        complaint = consumer_files_with_the_barcode(consumer.new_page())
    finally:
        consumer.close()
    assert complaint.gtin_key == "0" + BARCODE and complaint.business_id is None

    e2e_login(page, ministry_officer)
    officer_starts_a_draft_from_the_signal(page, complaint)
