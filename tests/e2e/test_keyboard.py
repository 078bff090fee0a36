"""The complaint form with the keyboard alone, in a real Chromium: Tab to move, typing,
arrow keys and Enter (Space ticks the consent box); no mouse. Enter moves forward, a refused
step puts the focus on its error summary, and the business is chosen in the suggestion box
with ↓ and Enter."""

import re

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from portal.models import Sector
from tests.conftest import BusinessFactory

pytestmark = pytest.mark.django_db(transaction=True)

FOCUSED = "document.activeElement"


def focused(page, expression):
    return page.evaluate(f"() => {FOCUSED} && {FOCUSED}.{expression}")


def tab_to(page, selector, limit=80):
    """Press Tab until the control matching ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate(f"() => {FOCUSED}.matches({selector!r})"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def press_enter_and_wait(page):
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_filing_a_complaint_with_the_keyboard_alone(page, business, hcm):
    # A second match, so that the arrow keys have a choice to make.
    BusinessFactory(name="Công ty TNHH Bình An Miền Nam", province=hcm)
    sector = Sector.objects.get(code="dien-may-gia-dung")

    page.goto("/khieu-nai/gui/")
    expect(page).to_have_url(re.compile(r"/nguoi-gui/(#.*)?$"))

    # Step 1, refused: no e-mail and no phone. The summary has the focus, the title says so,
    # both contact boxes are marked and the summary's link leads to the e-mail box.
    tab_to(page, "[name=complainant_name]")
    page.keyboard.type("Phạm Thị Thu")
    press_enter_and_wait(page)
    expect(page).to_have_url(re.compile(r"/nguoi-gui/(#.*)?$"))
    assert page.title().startswith("Lỗi: ")
    assert focused(page, "id") == "form-error-summary"
    for name in ("complainant_email", "complainant_phone"):
        box = page.locator(f"[name={name}]")
        expect(box).to_have_attribute("aria-invalid", "true")
        expect(box).to_have_attribute("aria-describedby", re.compile(r"\bform-errors-1\b"))
    page.keyboard.press("Tab")
    assert focused(page, "getAttribute('href')") == "#id_complainant_email"
    page.keyboard.press("Enter")
    expect(page.locator("[name=complainant_email]")).to_be_focused()
    page.keyboard.type("thu.pham@example.vn")
    # Enter goes forward, not back.
    press_enter_and_wait(page)
    expect(page).to_have_url(re.compile(r"/doanh-nghiep/(#.*)?$"))
    assert not page.title().startswith("Lỗi")

    # Step 2: the suggestion box as a combobox.
    tab_to(page, "[name=business_search]")
    search = page.locator("[name=business_search]")
    expect(search).to_have_attribute("role", "combobox")
    page.keyboard.type("binh an")
    options = page.locator("#business-suggestions [role=option]")
    expect(options).to_have_count(2)
    expect(search).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # wraps round to the last one
    active = search.get_attribute("aria-activedescendant")
    assert active == "business-option-1"
    expect(page.locator(f"#{active}")).to_have_attribute("aria-selected", "true")
    picked = page.locator(f"#{active} strong").inner_text()
    page.keyboard.press("Enter")
    # Enter chose the option and did not send the form; the focus stayed in the box.
    expect(page).to_have_url(re.compile(r"/doanh-nghiep/(#.*)?$"))
    expect(search).to_be_focused()
    expect(search).to_have_attribute("aria-expanded", "false")
    expect(page.locator("[name=business_name]")).to_have_value(picked)
    # Escape closes a list that is open again.
    page.keyboard.type(" ")
    page.keyboard.press("Backspace")
    expect(search).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(search).to_have_attribute("aria-expanded", "false")
    expect(page).to_have_url(re.compile(r"/doanh-nghiep/(#.*)?$"))
    press_enter_and_wait(page)
    expect(page).to_have_url(re.compile(r"/noi-dung/(#.*)?$"))

    # Step 3: a select with the arrow keys.
    tab_to(page, "[name=sector]")
    for _ in range(40):
        if focused(page, "value") == str(sector.pk):
            break
        page.keyboard.press("ArrowDown")
    assert focused(page, "value") == str(sector.pk)
    tab_to(page, "[name=description]")
    page.keyboard.type("Tủ lạnh mới mua không lạnh, cửa hàng không nhận bảo hành.")
    tab_to(page, "[name=amount]")
    page.keyboard.type("8500000")
    press_enter_and_wait(page)
    expect(page).to_have_url(re.compile(r"/yeu-cau/(#.*)?$"))

    # Step 4: "Continue" comes before "Back" in the tab order (Back is still shown left).
    tab_to(page, "[name=request]")
    page.keyboard.type("Đổi tủ lạnh mới.")
    tab_to(page, "button[name=go]")
    assert focused(page, "value") == "next"
    page.keyboard.press("Tab")
    assert focused(page, "value") == "back"
    back_left = page.evaluate(
        "() => document.querySelector('button[value=back]').getBoundingClientRect().x"
        " < document.querySelector('button[value=next]').getBoundingClientRect().x"
    )
    assert back_left
    page.keyboard.press("Shift+Tab")
    press_enter_and_wait(page)
    expect(page).to_have_url(re.compile(r"/tep/(#.*)?$"))

    # Step 5: no file.
    tab_to(page, "button[name=go][value=next]")
    press_enter_and_wait(page)
    expect(page).to_have_url(re.compile(r"/xac-nhan/(#.*)?$"))

    # Step 6: Enter on the consent box sends (it used to go back to step 5).
    tab_to(page, "[name=consent_processing]")
    page.keyboard.press("Space")
    expect(page.locator("[name=consent_processing]")).to_be_checked()
    press_enter_and_wait(page)
    expect(page).to_have_url(re.compile(r"/khieu-nai/gui/da-gui/(#.*)?$"))
    code = page.locator("#complaint-code").inner_text().strip()
    complaint = Complaint.objects.get(code=code)
    assert complaint.business.name == picked
    assert complaint.complainant_email == "thu.pham@example.vn"
    assert complaint.sector == sector


def test_a_refused_consent_returns_the_focus_to_the_summary(page, business):
    """The last step too: Enter without the consent stays, focused on the error."""
    page.goto("/khieu-nai/gui/")
    tab_to(page, "[name=complainant_name]")
    page.keyboard.type("Phạm Thị Thu")
    tab_to(page, "[name=complainant_phone]")
    page.keyboard.type("0912 000 111")
    press_enter_and_wait(page)
    tab_to(page, "[name=business_tax_code]")
    page.keyboard.type(business.tax_code)
    tab_to(page, "[name=business_name]")
    page.keyboard.type(business.name)
    press_enter_and_wait(page)
    tab_to(page, "[name=sector]")
    page.keyboard.press("ArrowDown")
    tab_to(page, "[name=description]")
    page.keyboard.type("Hàng giả.")
    tab_to(page, "[name=amount]")
    page.keyboard.type("100000")
    press_enter_and_wait(page)
    tab_to(page, "[name=request]")
    page.keyboard.type("Hoàn tiền.")
    tab_to(page, "button[name=go][value=next]")
    press_enter_and_wait(page)
    tab_to(page, "button[name=go][value=next]")
    press_enter_and_wait(page)
    expect(page).to_have_url(re.compile(r"/xac-nhan/(#.*)?$"))

    tab_to(page, "[name=consent_processing]")
    press_enter_and_wait(page)
    expect(page).to_have_url(re.compile(r"/xac-nhan/(#.*)?$"))
    assert page.title().startswith("Lỗi: ")
    assert focused(page, "id") == "form-error-summary"
    consent = page.locator("[name=consent_processing]")
    expect(consent).to_have_attribute("aria-invalid", "true")
    assert not Complaint.objects.exists()
