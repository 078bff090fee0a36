"""Issue #15 in a real Chromium: a complaint about a recalled product (same barcode) is
matched to the recall, the product shows among the officer's complaint signals, and the
officer starts a draft warning from it, pre-filled without personal data."""

import re

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from consumer_warnings.models import ConsumerWarning
from tests.complaints.factories import make_complaint
from tests.consumer_warnings.factories import WarningFactory

pytestmark = pytest.mark.django_db(transaction=True)

BARCODE = "8934567000017"
PRODUCT = "Ấm siêu tốc Thử Nghiệm 1,7 lít"
RECALL_TITLE = "Thu hồi ấm siêu tốc Thử Nghiệm 1,7 lít do nguy cơ giật điện"
COMPLAINANT = "Lê Thị Mai"


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


def officer_starts_a_draft_from_the_signal(page, complaint):
    """The officer's part: the match on the complaint, the signal, the draft."""
    page.goto(f"/khieu-nai/quan-ly/{complaint.code}/")
    expect(page.locator("main")).to_contain_text(RECALL_TITLE)

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


def test_officer_sees_the_match_and_starts_a_draft_warning_from_the_signal(
    page, e2e_login, ministry_officer, business, recall
):
    complaint = make_complaint(
        business=business,
        complainant_name=COMPLAINANT,
        gtin=BARCODE,
        product_name=PRODUCT,
        description="Ấm bị rò điện khi cắm sạc, tôi bị giật nhẹ.",
    )
    e2e_login(page, ministry_officer)
    officer_starts_a_draft_from_the_signal(page, complaint)
    assert Complaint.objects.count() == 1
