"""A complaint's product and barcode (issue 15, item 2): checked by the warnings' own parser,
shown on every page of the complaint, and matched with the published warnings and recalls
of the same product or the same registered business, for the consumer while filing and for
the officer on the complaint."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints import selectors
from complaints.models import Complaint
from consumer_warnings.models import ConsumerWarning
from portal.models import Sector
from tests.complaints.factories import make_complaint
from tests.complaints.helpers import STEP_URL, fill_until_files
from tests.conftest import login
from tests.consumer_warnings.factories import WarningFactory

pytestmark = pytest.mark.django_db

GTIN13 = "8936000123451"
GTIN14 = "0" + GTIN13  # the same product registered as GTIN-14
RECALL_HEADING = "Sản phẩm này đang bị thu hồi: bạn nên làm gì"


def _recall(**kwargs):
    defaults = {
        "kind": ConsumerWarning.Kind.RECALL,
        "title": "Thu hồi ấm siêu tốc Thử Nghiệm lô 2026",
        "gtin": GTIN14,
        "how_to_check": "Xem mã lô in dưới đáy ấm.",
        "remedy": "Đổi ấm mới miễn phí tại cửa hàng.",
    }
    return WarningFactory(**{**defaults, **kwargs})


def _to_review(client, business=None, **what):
    fill_until_files(client, business, overrides={"noi-dung": what})
    client.post(STEP_URL.format("tep"), {"go": "next"})
    return client.get(STEP_URL.format("xac-nhan"))


def test_a_wrong_barcode_is_refused_in_vietnamese_and_kept(client, reference_data):
    fill_until_files(client)
    response = client.post(
        STEP_URL.format("noi-dung"),
        {
            "sector": Sector.objects.get(code="thuong-mai-dien-tu").pk,
            "description": "Ấm bị rò điện.",
            "gtin": "893 6000 12345 2",
            "product_name": "Ấm siêu tốc",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["gtin"]
    assert "không khớp số kiểm tra" in errors[0]
    page = response.content.decode()
    assert 'value="893 6000 12345 2"' in page and 'value="Ấm siêu tốc"' in page
    response = client.post(
        STEP_URL.format("noi-dung"),
        {"sector": response.context["form"]["sector"].value(), "description": "x", "gtin": "12"},
    )
    assert "8, 12, 13 hoặc 14" in response.context["form"].errors["gtin"][0]


def test_a_recalled_product_is_shown_before_sending_and_after(client, reference_data):
    recall = _recall()
    _recall(status=ConsumerWarning.Status.DRAFT, title="Bản nháp chưa công bố")
    withdrawn = _recall(title="Thông báo đã rút lại")
    withdrawn.status = ConsumerWarning.Status.WITHDRAWN
    withdrawn.withdrawn_at = withdrawn.published_at
    withdrawn.save()
    WarningFactory(gtin="8934567890120", title="Sản phẩm khác")

    review = _to_review(client, gtin="893 6000 12345 1", product_name="Ấm siêu tốc Thử Nghiệm")
    page = review.content.decode()
    assert RECALL_HEADING in page
    assert recall.title in page and recall.get_absolute_url() in page
    assert "Xem mã lô in dưới đáy ấm." in page and "Đổi ấm mới miễn phí" in page
    assert "Bản nháp chưa công bố" not in page
    assert "Thông báo đã rút lại" not in page
    assert "Sản phẩm khác" not in page
    assert "Ấm siêu tốc Thử Nghiệm" in page and GTIN13 in page

    sent = client.post(STEP_URL.format("xac-nhan"), {"consent_processing": "on", "go": "send"})
    done = client.get(sent["Location"]).content.decode()
    assert RECALL_HEADING in done and recall.get_absolute_url() in done
    complaint = Complaint.objects.get()
    assert complaint.gtin == GTIN13 and complaint.gtin_key == GTIN14
    assert complaint.product_name == "Ấm siêu tốc Thử Nghiệm"


def test_without_a_barcode_nor_a_registered_business_nothing_is_matched(client, reference_data):
    _recall()
    page = _to_review(client).content.decode()
    assert 'id="matching-warnings"' not in page
    with CaptureQueriesContext(connection) as captured:
        assert selectors.matching_warnings({"gtin": "", "business": None}) == []
    assert len(captured) == 0


def test_a_warning_naming_the_registered_business_is_shown(client, business):
    scam = WarningFactory(
        kind=ConsumerWarning.Kind.UNSAFE_PRACTICE, business=business, title="Bán hàng đa cấp"
    )
    page = _to_review(client, business).content.decode()
    assert "Có cảnh báo đã công bố liên quan đến sản phẩm hoặc doanh nghiệp này" in page
    assert RECALL_HEADING not in page  # no recall of this very product
    assert scam.title in page and "Nêu tên cùng doanh nghiệp" in page


def test_the_officer_sees_the_match_and_the_product(client, province_officer, hanoi, business):
    recall = _recall()
    complaint = make_complaint(province=hanoi, gtin=GTIN13, product_name="Ấm siêu tốc")
    login(client, province_officer)
    page = client.get(f"/khieu-nai/quan-ly/{complaint.code}/").content.decode()
    assert "Cảnh báo, thông báo thu hồi đã công bố liên quan đến khiếu nại này" in page
    assert recall.title in page and "Cùng mã vạch: " + GTIN14 in page
    assert "Ấm siêu tốc" in page and GTIN13 in page


def test_the_staff_page_costs_the_same_queries_with_more_matches(
    client, province_officer, hanoi, business
):
    complaint = make_complaint(business=business, gtin=GTIN13)
    _recall()
    login(client, province_officer)
    url = f"/khieu-nai/quan-ly/{complaint.code}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _recall(title="Thu hồi lần hai")
    WarningFactory(business=business, title="Cảnh báo về doanh nghiệp")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "Thu hồi lần hai" in page and "Cảnh báo về doanh nghiệp" in page
    assert len(many) == len(few)


def test_matching_is_one_query_whatever_the_number_of_warnings(business, reference_data):
    for n in range(4):
        _recall(title=f"Thu hồi {n}")
    WarningFactory(business=business)
    complaint = make_complaint(business=business, gtin=GTIN14)
    with CaptureQueriesContext(connection) as captured:
        rows = selectors.matching_warnings(complaint)
        [(w.title, w.responsible, w.get_absolute_url()) for w in rows]
    assert len(captured) == 1
    assert len(rows) == 5 and rows[0].is_recall
    assert [w.matched_by_gtin for w in rows].count(False) == 1
    # Recalls first, then other warnings.
    assert [w.is_recall for w in rows] == [True, True, True, True, False]


def test_the_consumer_and_the_business_see_the_product(
    client, business, business_member, province_officer
):
    from complaints import services

    complaint = make_complaint(business=business, gtin=GTIN13, product_name="Ấm siêu tốc")
    services.forward(complaint, actor=province_officer)
    login(client, business_member)
    page = client.get(f"/khieu-nai/doanh-nghiep/{complaint.code}/").content.decode()
    assert "Ấm siêu tốc" in page and GTIN13 in page
    client.logout()
    client.post(
        "/khieu-nai/tra-cuu/",
        {"code": complaint.code, "contact": "hoa@example.vn"},
    )
    page = client.get(f"/khieu-nai/tra-cuu/{complaint.code}/").content.decode()
    assert "Ấm siêu tốc" in page and GTIN13 in page


def test_the_admin_shows_the_barcode(client, province_officer, hanoi):
    from django.contrib.auth.models import Group

    from portal.roles import PROVINCE_GROUP

    province_officer.is_staff = True
    province_officer.save()
    province_officer.groups.add(Group.objects.get(name=PROVINCE_GROUP))
    complaint = make_complaint(province=hanoi, gtin=GTIN13, product_name="Ấm siêu tốc")
    login(client, province_officer)
    url = f"/quan-tri/complaints/complaint/{complaint.pk}/change/"
    page = client.get(url).content.decode()
    assert GTIN13 in page and "Ấm siêu tốc" in page
