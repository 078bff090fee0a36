"""One record of a business (issue #15, items 1 and 4): the public page, the staff view, the
API and the review read the same record; nothing unpublished or personal reaches the public."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services as complaint_services
from complaints.models import Complaint, ComplaintStep
from complaints.services import DRAFT_SESSION_KEY
from consumer_warnings.models import ConsumerWarning
from portal import public_cache
from selfassess import services
from selfassess.models import Assessment
from selfassess.record import business_record
from tests.complaints.factories import make_complaint
from tests.conftest import login
from tests.consumer_warnings.factories import WarningFactory
from tests.query_counts import assert_constant

from .conftest import fill_all
from .factories import make_set

pytestmark = pytest.mark.django_db

NOTHING = "Chưa có thông tin nào về doanh nghiệp này được công bố"


def _page(client, business, prefix=""):
    response = client.get(prefix + reverse("businesses:detail", args=[business.tax_code]))
    assert response.status_code == 200
    return response.content.decode()


def _forwarded(business, officer, **kwargs):
    complaint = make_complaint(business=business, **kwargs)
    complaint_services.forward(complaint, actor=officer)
    return complaint


def _overdue(complaint, days=20):
    """The complaint's open step was due ``days`` ago (the business never answered)."""
    due = timezone.localdate() - datetime.timedelta(days=days)
    ComplaintStep.objects.filter(complaint=complaint, completed_at__isnull=True).update(due_on=due)
    Complaint.objects.filter(pk=complaint.pk).update(step_due=due)


@pytest.fixture
def signals(business, business_member, province_officer):
    """Three complaints about the business, two answered on time and one overdue; a published
    warning, a withdrawn recall and a draft naming it."""
    answered = [_forwarded(business, province_officer) for _ in range(2)]
    for complaint in answered:
        complaint_services.acknowledge(complaint, actor=business_member)
    silent = _forwarded(business, province_officer, complainant_name="Trần Văn Bí Mật")
    _overdue(silent)
    published = WarningFactory(business=business, title="Nồi cơm Thử Nghiệm gây bỏng")
    withdrawn = WarningFactory(
        business=business,
        kind=ConsumerWarning.Kind.RECALL,
        title="Thu hồi quạt Thử Nghiệm",
        status=ConsumerWarning.Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
        withdrawal_reason="Nhầm lô.",
    )
    draft = WarningFactory(
        business=business, title="NHÁP chưa công bố", status=ConsumerWarning.Status.DRAFT
    )
    return {
        "complaints": [*answered, silent],
        "silent": silent,
        "published": published,
        "withdrawn": withdrawn,
        "draft": draft,
    }


def _verify_on_the_page(client, assessment, officer):
    login(client, officer)
    response = client.post(
        reverse("selfassess:review", args=[assessment.pk]), {"decision": "verify", "note": ""}
    )
    assert response.status_code == 302
    client.logout()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.VERIFIED


def test_business_with_results_complaints_and_a_warning(
    client, submitted, signals, province_officer
):
    _verify_on_the_page(client, submitted, province_officer)
    page = _page(client, submitted.business)
    # The result: score, band, set, year, date verified, and what was open then.
    assert "Hạng Vàng" in page and "100%" in page
    assert "Bộ tiêu chí thử nghiệm Đồng Khởi" in page and "2025" in page
    assert timezone.localdate().strftime("%d/%m/%Y") in page
    verified_then = page.split('id="signals-at-verification">')[1].split("</span>")[0]
    assert verified_then == "Khi xác nhận: 3 khiếu nại đang mở (1 quá hạn), 1 cảnh báo."
    # Timeliness: two steps on time, one still overdue.
    timeliness = page.split('id="business-timeliness">')[1].split("</dd>")[0]
    assert "66,7% đúng hạn" in timeliness and "trong đó 1 bước vẫn đang quá hạn" in timeliness
    # The published warning; the withdrawn recall marked; never the draft.
    assert "Nồi cơm Thử Nghiệm gây bỏng" in page
    withdrawn = page.split("Thu hồi quạt Thử Nghiệm")[1].split("</li>")[0]
    assert "Đã rút lại ngày" in withdrawn
    assert "NHÁP chưa công bố" not in page
    assert signals["draft"].get_absolute_url() not in page
    # No contradiction, and nothing of the complaints but their timeliness.
    assert "Doanh nghiệp này chưa có kết quả tự đánh giá" not in page and NOTHING not in page
    assert "Bản tự đánh giá gần nhất được xác nhận ngày" in page
    for complaint in signals["complaints"]:
        assert complaint.code not in page
    for personal in ("Trần Văn Bí Mật", "Nguyễn Thị Hoa", "0912345678", "hoa@example.vn"):
        assert personal not in page
    assert "Máy giặt hỏng" not in page
    assert "Khiếu nại về doanh nghiệp này (chỉ cán bộ" not in page
    # The complaint link pre-fills the business (the wizard reads ?doanh-nghiep=).
    assert f'{reverse("complaints:file")}?doanh-nghiep=0101000013"' in page


def test_the_snapshot_is_counts_only(submitted, signals, province_officer):
    services.review(assessment=submitted, officer=province_officer, decision="verify")
    submitted.refresh_from_db()
    assert submitted.signals_at_verification == {
        "complaints_open": 3,
        "complaints_overdue": 1,
        "warnings": 1,
    }


def test_a_decision_other_than_verify_records_no_snapshot(submitted, signals, province_officer):
    services.review(
        assessment=submitted, officer=province_officer, decision="reject", note="Thiếu hồ sơ"
    )
    submitted.refresh_from_db()
    assert submitted.signals_at_verification is None


def test_business_with_nothing_published_says_so_once(client, business):
    WarningFactory(business=business, title="NHÁP", status=ConsumerWarning.Status.DRAFT)
    page = _page(client, business)
    assert page.count(NOTHING) == 1
    # No section then says "none" again, and no table of results.
    for said_again in (
        "Doanh nghiệp này chưa có kết quả tự đánh giá",
        "Chưa có bước xử lý khiếu nại",
        "Không có cảnh báo hay thông báo thu hồi",
        "Các kết quả tự đánh giá đã xác nhận",
        "NHÁP",
    ):
        assert said_again not in page
    assert "?doanh-nghiep=0101000013" in page
    english = _page(client, business, prefix="/en")
    assert english.count("Nothing has been published about this business yet") == 1


def test_a_later_decision_not_verified_does_not_contradict_the_earlier_results(
    client, business, province_officer
):
    cset = make_set()
    earlier = timezone.now() - datetime.timedelta(days=400)
    Assessment.objects.create(
        business=business, criteria_set=cset, status="verified", decided_at=earlier, percent=90
    )
    Assessment.objects.create(
        business=business, criteria_set=cset, status="rejected", decided_at=timezone.now()
    )
    services.refresh_public(business.pk)
    page = _page(client, business)
    assert "không được xác nhận, vì vậy doanh nghiệp hiện không có kết quả hiện hành" in page
    assert "Các kết quả tự đánh giá đã xác nhận" in page and "90%" in page
    assert "Bản tự đánh giá gần nhất được xác nhận" not in page
    assert "Doanh nghiệp này chưa có kết quả tự đánh giá được xác nhận" not in page
    assert NOTHING not in page


def test_fewer_than_three_steps_publish_no_share(client, business, province_officer):
    _overdue(_forwarded(business, province_officer))
    timeliness = _page(client, business).split('id="business-timeliness">')[1].split("</dd>")[0]
    assert "Có ít hơn 3 bước" in timeliness and "%" not in timeliness


def test_a_published_warning_and_a_new_step_leave_the_cached_page(
    client, business, province_officer, business_member
):
    page = public_cache.PAGES["businesses:detail"]
    assert {public_cache.WARNINGS, public_cache.COMPLAINT_STATS} <= set(page.parts)
    url = reverse("businesses:detail", args=[business.tax_code])
    assert client.get(url)["X-Public-Cache"] == "miss"
    assert client.get(url)["X-Public-Cache"] == "hit"
    WarningFactory(business=business, title="Bàn là Thử Nghiệm quá nhiệt")
    fresh = client.get(url)
    assert fresh["X-Public-Cache"] == "miss"
    assert "Bàn là Thử Nghiệm quá nhiệt" in fresh.content.decode()
    assert client.get(url)["X-Public-Cache"] == "hit"
    _overdue(_forwarded(business, province_officer))
    step = client.get(url)
    assert step["X-Public-Cache"] == "miss"
    assert "Có ít hơn 3 bước" in step.content.decode()


def test_public_page_queries_do_not_grow(client, business, province_officer, business_member):
    cset = make_set()
    url = reverse("businesses:detail", args=[business.tax_code])

    def add(n):
        for _ in range(n):
            Assessment.objects.create(
                business=business, criteria_set=cset, status="verified", band=cset.bands.first()
            )
            complaint = _forwarded(business, province_officer)
            complaint_services.acknowledge(complaint, actor=business_member)
            WarningFactory(business=business)
            WarningFactory(
                business=business,
                status=ConsumerWarning.Status.WITHDRAWN,
                withdrawn_at=timezone.now(),
            )

    assert_constant(client, url, {}, add)


# --- The staff view of a business and the review ----------------------------------------------


def test_staff_view_shows_open_overdue_and_recent_complaints(
    client, business, signals, province_officer
):
    login(client, province_officer)
    page = client.get(reverse("portal:business_detail", args=[business.pk])).content.decode()
    section = page.split('id="record-complaints-section"')[1].split("</section>")[0]
    assert "Đang mở: <strong>3</strong>" in section
    assert "Quá hạn: <strong>1</strong>" in section
    assert "Tiếp nhận trong 90 ngày qua: <strong>3</strong>" in section
    for complaint in signals["complaints"]:
        assert reverse("complaints:staff_detail", args=[complaint.code]) in section
    # The list names no consumer, even for staff: the complaint's own page does.
    assert "Trần Văn Bí Mật" not in section and "0912345678" not in section
    # The same record as the public page: results, timeliness, warnings.
    assert "66,7% đúng hạn" in page and "Nồi cơm Thử Nghiệm gây bỏng" in page
    assert "NHÁP chưa công bố" not in page


def test_staff_view_of_another_province_is_404(client, business, signals, other_province_officer):
    login(client, other_province_officer)
    url = reverse("portal:business_detail", args=[business.pk])
    assert client.get(url).status_code == 404


def test_a_member_sees_the_record_without_the_complaints_section(
    client, business, signals, business_member
):
    login(client, business_member)
    page = client.get(reverse("portal:business_detail", args=[business.pk])).content.decode()
    assert "Nồi cơm Thử Nghiệm gây bỏng" in page
    assert "record-complaints-section" not in page
    assert business_record(business, viewer=business_member).complaints is None


def test_staff_view_queries_do_not_grow(client, business, province_officer, business_member):
    login(client, province_officer)
    url = reverse("portal:business_detail", args=[business.pk])

    def add(n):
        for _ in range(n):
            _overdue(_forwarded(business, province_officer))
            WarningFactory(business=business)

    assert_constant(client, url, {}, add)


def test_review_shows_the_live_signals(client, submitted, signals, province_officer):
    login(client, province_officer)
    page = client.get(reverse("selfassess:review", args=[submitted.pk])).content.decode()
    section = page.split('id="review-signals-section"')[1].split("</section>\n</section>")[0]
    assert "Đang mở: <strong>3</strong>" in section and "Quá hạn: <strong>1</strong>" in section
    assert signals["silent"].code in section
    assert "Nồi cơm Thử Nghiệm gây bỏng" in section
    assert "NHÁP chưa công bố" not in section


def test_review_queries_do_not_grow_with_complaints(
    client, business, business_member, province_officer
):
    assessment = services.start_assessment(
        user=business_member, business=business, criteria_set=make_set()
    )
    fill_all(assessment, business_member)
    services.submit(assessment=assessment, user=business_member)
    login(client, province_officer)
    url = reverse("selfassess:review", args=[assessment.pk])

    def add(n):
        for _ in range(n):
            _overdue(_forwarded(business, province_officer))
            WarningFactory(business=business)

    assert_constant(client, url, {}, add)


def test_the_complaint_link_fills_in_the_business(client, business):
    page = _page(client, business)
    href = page.split('id="file-complaint"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert client.get(href).status_code == 302
    # The wizard's business step holds the business (complaints.views.file_start).
    draft = client.session[DRAFT_SESSION_KEY]["data"]["doanh-nghiep"]
    assert draft["business_tax_code"] == [business.tax_code]
    assert draft["business_name"] == [business.name]


def test_a_ministry_unit_sees_the_counts_but_no_complaint(
    client, business, signals, ministry_unit_officer
):
    login(client, ministry_unit_officer)
    page = client.get(reverse("portal:business_detail", args=[business.pk])).content.decode()
    section = page.split('id="record-complaints-section"')[1].split("</section>")[0]
    assert "Đang mở: <strong>3</strong>" in section and "Quá hạn: <strong>1</strong>" in section
    for complaint in signals["complaints"]:
        assert complaint.code not in page
