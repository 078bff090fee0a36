"""The consent a consumer gives when filing, and their requests to correct or erase the
personal data of a complaint (Luật 91/2025/QH15), through the test client."""

import pytest
from django.conf import settings
from django.core.cache import cache

from complaints.models import CONSENT_VERSION, Complaint, ComplaintEvent, DataRequest, Status
from tests.complaints.factories import make_complaint
from tests.complaints.helpers import STEP_URL, file_via_wizard, fill_until_files
from tests.conftest import login

pytestmark = pytest.mark.django_db

PRIVACY_URL = "/chinh-sach-du-lieu-ca-nhan/"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _track(client, complaint):
    """The consumer opens the tracking link they were given when filing."""
    response = client.get(f"/khieu-nai/theo-doi/{complaint.token}/")
    assert response.status_code == 302
    return f"/khieu-nai/tra-cuu/{complaint.code}/"


def _ask(client, complaint, **data):
    return client.post(f"/khieu-nai/tra-cuu/{complaint.code}/du-lieu-ca-nhan/", data)


# --- Consent ----------------------------------------------------------------------------------


def test_the_filing_consent_names_categories_sensitive_data_retention_rights(
    client, reference_data
):
    fill_until_files(client)
    client.post(STEP_URL.format("tep"), {"files": [], "go": "next"})
    page = client.get(STEP_URL.format("xac-nhan")).content.decode()
    assert "số điện thoại" in page and "thư điện tử" in page  # categories
    assert "dữ liệu cá nhân nhạy cảm" in page  # the vulnerable-group answer
    assert f"{settings.COMPLAINTS_RETENTION_YEARS} năm" in page  # retention
    assert "sửa" in page and "xóa" in page and "rút" in page  # rights, how to withdraw
    assert f'href="{PRIVACY_URL}"' in page


def test_a_complaint_filed_stores_the_new_consent_version_and_text(client, reference_data):
    assert CONSENT_VERSION == "2026-11"
    file_via_wizard(client)
    complaint = Complaint.objects.get()
    assert complaint.consent_version == "2026-11"
    assert "dữ liệu cá nhân nhạy cảm" in complaint.consent_text
    assert PRIVACY_URL in complaint.consent_text
    assert f"{settings.COMPLAINTS_RETENTION_YEARS} năm" in complaint.consent_text


# --- Correction -------------------------------------------------------------------------------


def test_correction_asked_on_tracking_page_accepted_by_officer(
    client, reference_data, province_officer, mailoutbox, run_on_commit
):
    complaint = make_complaint()
    page = client.get(_track(client, complaint)).content.decode()
    assert "du-lieu-ca-nhan" in page
    response = _ask(
        client,
        complaint,
        kind="correct",
        field="complainant_name",
        new_value="Nguyễn Thị Hòa",
        message="Tên tôi có dấu huyền.",
    )
    assert response.status_code == 302
    request = DataRequest.objects.get()
    assert request.status == DataRequest.Status.PENDING
    mailoutbox.clear()

    officer = client.__class__()
    login(officer, province_officer)
    staff_url = f"/khieu-nai/quan-ly/{complaint.code}/"
    assert "Nguyễn Thị Hòa" in officer.get(staff_url).content.decode()
    with run_on_commit():
        response = officer.post(
            f"{staff_url}du-lieu-ca-nhan/{request.pk}/", {"decision": "accept", "reason": ""}
        )
    assert response.status_code == 302

    complaint.refresh_from_db()
    request.refresh_from_db()
    assert complaint.complainant_name == "Nguyễn Thị Hòa"
    assert request.status == DataRequest.Status.ACCEPTED
    assert request.decided_by == province_officer and request.decided_at
    latest = complaint.history.first()
    assert latest.complainant_name == "Nguyễn Thị Hòa"
    assert latest.history_user == province_officer
    assert complaint.history.last().complainant_name == "Nguyễn Thị Hoa"
    events = complaint.events.filter(kind=ComplaintEvent.Kind.DATA_REQUEST)
    assert events.count() == 2
    # The timeline names the detail, never the value (the business may read it).
    assert all("Hòa" not in e.message for e in events)
    assert [m.to for m in mailoutbox] == [["hoa@example.vn"]]
    assert "được chấp nhận" in mailoutbox[0].body


def test_a_correction_mail_is_written_in_the_consumers_language(
    client, reference_data, province_officer, mailoutbox, run_on_commit
):
    complaint = make_complaint()
    Complaint.objects.filter(pk=complaint.pk).update(language="en")
    _track(client, complaint)
    _ask(client, complaint, kind="correct", field="complainant_address", new_value="12 Hàng Bạc")
    login(client, province_officer)
    mailoutbox.clear()
    request = DataRequest.objects.get()
    with run_on_commit():
        client.post(
            f"/khieu-nai/quan-ly/{complaint.code}/du-lieu-ca-nhan/{request.pk}/",
            {"decision": "accept"},
        )
    complaint.refresh_from_db()
    assert complaint.complainant_address == "12 Hàng Bạc"
    assert "accepted" in mailoutbox[0].body


def test_an_invalid_corrected_value_is_not_recorded(client, reference_data):
    complaint = make_complaint()
    _track(client, complaint)
    _ask(client, complaint, kind="correct", field="complainant_email", new_value="not-an-address")
    _ask(client, complaint, kind="correct", field="business_name", new_value="X")
    assert not DataRequest.objects.exists()


def test_refusal_needs_a_reason_and_is_told(
    client, reference_data, province_officer, mailoutbox, run_on_commit
):
    complaint = make_complaint()
    _track(client, complaint)
    _ask(client, complaint, kind="correct", field="complainant_name", new_value="Người Khác")
    request = DataRequest.objects.get()
    login(client, province_officer)
    url = f"/khieu-nai/quan-ly/{complaint.code}/du-lieu-ca-nhan/{request.pk}/"

    client.post(url, {"decision": "refuse", "reason": "  "})
    request.refresh_from_db()
    assert request.status == DataRequest.Status.PENDING

    mailoutbox.clear()
    with run_on_commit():
        client.post(url, {"decision": "refuse", "reason": "Tên trên hóa đơn là Nguyễn Thị Hoa."})
    request.refresh_from_db()
    complaint.refresh_from_db()
    assert request.status == DataRequest.Status.REFUSED
    assert request.decision_reason == "Tên trên hóa đơn là Nguyễn Thị Hoa."
    assert complaint.complainant_name == "Nguyễn Thị Hoa"
    assert "Tên trên hóa đơn" in mailoutbox[0].body


def test_another_provinces_officer_gets_404(client, reference_data, other_province_officer):
    complaint = make_complaint()
    _track(client, complaint)
    _ask(client, complaint, kind="erase")
    request = DataRequest.objects.get()
    login(client, other_province_officer)
    response = client.post(
        f"/khieu-nai/quan-ly/{complaint.code}/du-lieu-ca-nhan/{request.pk}/",
        {"decision": "accept"},
    )
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == DataRequest.Status.PENDING


def test_a_visitor_without_proof_cannot_ask(client, reference_data):
    complaint = make_complaint()
    response = _ask(client, complaint, kind="erase")
    assert response.status_code == 404
    assert not DataRequest.objects.exists()


def test_the_request_form_is_rate_limited(client, reference_data):
    complaint = make_complaint()
    _track(client, complaint)
    codes = [
        _ask(client, complaint, kind="correct", field="nope", new_value="x").status_code
        for _ in range(6)
    ]
    assert codes[:5] == [302] * 5 and codes[5] == 429


# --- Erasure ----------------------------------------------------------------------------------


def test_erasure_accepted_ends_handling_and_keeps_figures(
    client, reference_data, province_officer, mailoutbox, run_on_commit
):
    complaint = make_complaint()
    page = client.get(_track(client, complaint)).content.decode()
    assert "thống kê" in page  # the effect of erasure is explained before asking
    _ask(client, complaint, kind="erase", message="Tôi không muốn tiếp tục.")
    request = DataRequest.objects.get()
    login(client, province_officer)
    mailoutbox.clear()
    with run_on_commit():
        client.post(
            f"/khieu-nai/quan-ly/{complaint.code}/du-lieu-ca-nhan/{request.pk}/",
            {"decision": "accept", "reason": "Theo yêu cầu."},
        )
    complaint.refresh_from_db()
    request.refresh_from_db()
    assert complaint.anonymised_at is not None
    assert complaint.status == Status.WITHDRAWN and complaint.closed_at
    assert complaint.complainant_name == "" and complaint.complainant_email == ""
    assert complaint.province.code == "01" and complaint.sector_id  # kept for statistics
    assert request.status == DataRequest.Status.ACCEPTED and request.message == ""
    assert not complaint.steps.filter(completed_at__isnull=True).exists()
    # Told at the address it had, composed before the erasure.
    assert [m.to for m in mailoutbox] == [["hoa@example.vn"]]
    assert all(not h.complainant_email for h in complaint.history.all())


def test_code_and_contact_alone_do_not_let_anyone_act_as_the_filer(
    client, reference_data, business, business_member
):
    """The business complained about sees the consumer's phone and e-mail: with the code they
    open the tracking page, but may neither withdraw nor ask to change or erase the data."""
    complaint = make_complaint()
    response = client.post(
        "/khieu-nai/tra-cuu/", {"code": complaint.code, "contact": "hoa@example.vn"}
    )
    assert response.status_code == 302
    page = client.get(f"/khieu-nai/tra-cuu/{complaint.code}/").content.decode()
    form_url = f"/khieu-nai/tra-cuu/{complaint.code}/du-lieu-ca-nhan/"
    assert form_url not in page  # no request form
    assert "/rut/" not in page  # no withdrawal form
    assert "đường dẫn theo dõi" in page  # told how the filer can
    response = _ask(client, complaint, kind="erase", message="Xóa hết.")
    assert response.status_code == 302
    assert not DataRequest.objects.exists()
    response = client.post(f"/khieu-nai/tra-cuu/{complaint.code}/rut/", {"message": "Rút."})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status != Status.WITHDRAWN
    # The secret link proves the filer: now both are offered.
    page = client.get(_track(client, complaint)).content.decode()
    assert form_url in page and "/rut/" in page


def test_data_request_events_are_for_staff_only(client, reference_data, province_officer):
    complaint = make_complaint()
    _track(client, complaint)
    _ask(client, complaint, kind="correct", field="complainant_name", new_value="Hòa")
    event = ComplaintEvent.objects.get(kind=ComplaintEvent.Kind.DATA_REQUEST)
    assert event.visibility == "internal"


def test_opening_the_request_address_records_nothing_and_spends_no_limit(client, reference_data):
    complaint = make_complaint()
    _track(client, complaint)
    url = f"/khieu-nai/tra-cuu/{complaint.code}/du-lieu-ca-nhan/"
    for _ in range(6):  # more than the five requests an hour a filer may send
        assert client.get(url).status_code == 405
    _ask(client, complaint, kind="erase", message="Xin xóa dữ liệu của tôi.")
    assert DataRequest.objects.count() == 1
