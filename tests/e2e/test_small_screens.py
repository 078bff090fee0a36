"""Small screens (issue #16, item 4) in Chromium: at 360×740 and 320×640 no page scrolls
sideways (``scrollWidth <= innerWidth``): every public page in Vietnamese, a few under
/en/, and the business's self-assessment pages signed in. Lists and tables have rows (built
with the suite's factories), so a wide table or a long word would show."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from legaldocs.models import Document
from narratives import services as narrative_services
from selfassess import services as selfassess_services
from tests.consumer_warnings.factories import WarningFactory
from tests.narratives.conftest import closed_complaint
from tests.selfassess.conftest import fill_all
from tests.selfassess.factories import make_set

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = [(360, 740), (320, 640)]
LONG_URL = "https://example.vn/" + "duong-dan-rat-dai-khong-co-khoang-trang-" * 4

WIDTH = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  wide: [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
    .slice(0, 3)
    .map(el => el.tagName + '.' + el.className + ' ' + (el.textContent || '').trim().slice(0, 40)),
})"""


@pytest.fixture
def data(business, business_member, province_officer):
    """Rows for every list: warnings, the library, a verified and a draft assessment, a
    published narrative about the business."""
    # The real library and criteria sets: their long titles are what phones must fit.
    call_command("seed_legaldocs", verbosity=0)
    call_command("seed_selfassess", verbosity=0)
    warning = None
    for _ in range(3):
        warning = WarningFactory(business=business, summary="Xem thêm tại " + LONG_URL)
    criteria_set = make_set()
    verified = selfassess_services.start_assessment(
        user=business_member, business=business, criteria_set=criteria_set
    )
    fill_all(verified, business_member)
    selfassess_services.submit(assessment=verified, user=business_member)
    selfassess_services.review(assessment=verified, officer=province_officer, decision="verify")
    draft = selfassess_services.start_assessment(
        user=business_member, business=business, criteria_set=make_set(code="bo-thu-hai")
    )
    narrative = narrative_services.create_draft(
        closed_complaint(business=business, result="Cửa hàng đã hoàn tiền. Chi tiết: " + LONG_URL),
        actor=province_officer,
    )
    narrative_services.publish(narrative, actor=province_officer)
    with translation.override("vi"):
        document = Document.objects.order_by("pk").first()
        return {
            "warning": warning.get_absolute_url(),
            "document": document.get_absolute_url(),
            "business": reverse("businesses:detail", args=[business.tax_code]),
            "narrative": reverse("narratives:detail", args=[narrative.pk]),
            "draft": draft,
            "group": draft.criteria_set.groups.order_by("order", "pk").first(),
            "verified": verified,
        }


def public_paths(data):
    paths = [
        "/",
        "/canh-bao/",
        data["warning"],
        "/van-ban/",
        data["document"],
        "/van-ban/?q=b%E1%BA%A3o+v%E1%BB%87+quy%E1%BB%81n+l%E1%BB%A3i+ng%C6%B0%E1%BB%9Di+ti%C3%AAu+d%C3%B9ng",
        "/doanh-nghiep/",
        data["business"],
        "/khieu-nai/thong-ke/",
        "/khieu-nai/tra-cuu/",
        "/tuong-thuat/",
        data["narrative"],
        "/khieu-nai/gui/",
        "/tai-khoan/login/",
        "/tai-khoan/signup/",
        "/tu-danh-gia/",
        "/tu-danh-gia/kiem-tra-nhanh/",
        reverse("selfassess:set_detail", args=[data["verified"].criteria_set_id]),
        "/canh-bao/dang-ky/",
        "/chinh-sach-du-lieu-ca-nhan/",
    ]
    english = [
        "/",
        "/canh-bao/",
        "/van-ban/",
        data["document"],
        "/doanh-nghiep/",
        data["business"],
        "/tuong-thuat/",
        "/khieu-nai/thong-ke/",
        "/khieu-nai/gui/",
    ]
    return paths + ["/en" + path for path in english]


def business_paths(data):
    draft, verified = data["draft"], data["verified"]
    return [
        "/tu-danh-gia/",
        reverse("selfassess:fill", args=[draft.pk, data["group"].pk]),
        reverse("selfassess:detail", args=[draft.pk]),
        reverse("selfassess:detail", args=[verified.pk]),
    ]


def too_wide(page, paths):
    found = []
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        width = page.evaluate(WIDTH)
        if width["scrollWidth"] > width["innerWidth"]:
            found.append((path, width))
    return found


@pytest.mark.parametrize("width,height", VIEWPORTS, ids=["360", "320"])
def test_no_page_scrolls_sideways(
    browser, live_server, data, business_member, e2e_login, width, height
):
    context = browser.new_context(
        locale="vi-VN", base_url=live_server.url, viewport={"width": width, "height": height}
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        found = too_wide(page, public_paths(data))
        e2e_login(page, business_member)
        found += too_wide(page, business_paths(data))
    finally:
        context.close()
    assert found == []


OFFICER_PATHS = [
    "/canh-bao/quan-ly/",
    "/canh-bao/tin-hieu/",
    "/tuong-thuat/quan-ly/",
    "/tu-danh-gia/tham-dinh/",
    "/tai-khoan/yeu-cau-thanh-vien/",
    "/tai-khoan/khong-gian/",
]


def test_the_officers_lists_fit_a_phone(browser, live_server, data, province_officer, e2e_login):
    """Not required by the issue's check, but the same tables: the officer's lists."""
    context = browser.new_context(
        locale="vi-VN", base_url=live_server.url, viewport={"width": 360, "height": 740}
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        e2e_login(page, province_officer)
        found = too_wide(page, OFFICER_PATHS)
    finally:
        context.close()
    assert found == []


def test_the_check_finds_a_page_that_scrolls(browser, live_server, reference_data):
    """The measure itself: a page made wider than the screen is caught."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto("/")
        page.wait_for_load_state("load")
        page.evaluate(
            "document.body.insertAdjacentHTML('beforeend', '<div style=\"width:600px\">x</div>')"
        )
        width = page.evaluate(WIDTH)
    finally:
        context.close()
    assert width["scrollWidth"] > width["innerWidth"] == 360


def test_tables_become_cards_and_the_search_box_keeps_its_width(
    browser, live_server, data, business_member
):
    context = browser.new_context(
        locale="vi-VN", base_url=live_server.url, viewport={"width": 320, "height": 640}
    )
    try:
        page = context.new_page()
        page.goto("/doanh-nghiep/")
        page.wait_for_load_state("load")
        cell = page.locator("table.table-stack tbody td").nth(1)
        label = cell.evaluate("td => getComputedStyle(td, '::before').content")
        display = cell.evaluate("td => getComputedStyle(td.parentElement).display")
        assert (label, display) == ('"Mã số thuế"', "block")
        # The library's query box takes the row's whole width; the button goes below.
        page.goto("/van-ban/?q=b%E1%BA%A3o+v%E1%BB%87+quy%E1%BB%81n+l%E1%BB%A3i")
        page.wait_for_load_state("load")
        box = page.locator(".search-box input").bounding_box()
        row = page.locator(".search-box").bounding_box()
        assert box["width"] == row["width"] > 200
        page.set_viewport_size({"width": 1024, "height": 768})
        page.goto("/doanh-nghiep/")
        page.wait_for_load_state("load")
        display = page.locator("table.table-stack tbody tr").first.evaluate(
            "tr => getComputedStyle(tr).display"
        )
        assert display == "table-row"  # a plain table on a wide screen
    finally:
        context.close()
