"""Issue #11: complaints go through the portal's one helper for each shared problem, shown by
driving the pages as people do (django-filter, portal.search, portal.csvexport, e-mails in
the recipient's language, portal.validators, portal.periods, portal.attachments)."""

import datetime

import django_filters
import pytest
from django.core import mail
from django.utils import timezone

from complaints import selectors, services
from complaints.models import Attachment, Complaint
from portal import attachments, csvexport, search
from portal.services import remember_language
from portal.validators import tax_code_with_check_digit
from tests.complaints.factories import make_complaint, png
from tests.complaints.helpers import STEP_URL, fill_until_files, step_data
from tests.conftest import login

pytestmark = pytest.mark.django_db

LIST = "/khieu-nai/quan-ly/"
INBOX = "/khieu-nai/doanh-nghiep/"
MINE = "/khieu-nai/cua-toi/"


def test_staff_list_filters_through_django_filter(client, province_officer, hanoi):
    old = make_complaint(province=hanoi)
    new = make_complaint(province=hanoi)
    day = timezone.localdate()
    Complaint.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - datetime.timedelta(days=40)
    )
    login(client, province_officer)
    response = client.get(LIST, {"received_from": (day - datetime.timedelta(days=5)).isoformat()})
    assert isinstance(response.context["filter"], django_filters.FilterSet)
    codes = {c.code for c in response.context["page"].object_list}
    assert new.code in codes and old.code not in codes
    # The day bound is an index-friendly range on the date-time column.
    sql = str(response.context["filter"].qs.query)
    assert "received_at" in sql and "django_datetime_cast_date" not in sql
    assert "::date" not in sql

    response = client.get(LIST, {"received_to": "31/31/2026", "status": "nonsense"})
    assert response.status_code == 200
    form = response.context["filter"].form
    assert "received_to" in form.errors and "status" in form.errors
    assert {c.code for c in response.context["page"].object_list} == {old.code, new.code}


def test_staff_search_is_portal_search(client, province_officer, hanoi, monkeypatch):
    wanted = make_complaint(province=hanoi, business_name="Điện máy Hòa Bình")
    other = make_complaint(province=hanoi, business_name="Siêu thị Sao Mai")
    login(client, province_officer)
    calls = []
    real = search.matching

    def spy(queryset, query, **kwargs):
        calls.append((query, kwargs))
        return real(queryset, query, **kwargs)

    monkeypatch.setattr(search, "matching", spy)
    page = client.get(LIST, {"q": "HOA binh"}).content.decode()
    assert wanted.code in page and other.code not in page
    assert calls and calls[0][0] == "HOA binh"
    assert "business_tax_code" in calls[0][1]["exact"]


def test_tax_code_typed_whole_finds_the_complaint(client, province_officer, business):
    wanted = make_complaint(business=business)
    other = make_complaint()
    login(client, province_officer)
    codes = {c.code for c in client.get(LIST, {"q": business.tax_code}).context["page"].object_list}
    assert codes == {wanted.code}
    assert other.code not in codes


def test_business_inbox_and_my_list_filter_through_django_filter(
    client, business, business_member, province_officer, consumer
):
    open_one = make_complaint(business=business, user=consumer)
    closed = make_complaint(business=business, user=consumer)
    for complaint in (open_one, closed):
        services.forward(complaint, actor=province_officer)
    services.decline(closed, actor=business_member, message="Không đồng ý thương lượng.")
    login(client, business_member)
    response = client.get(INBOX, {"status": "open"})
    assert isinstance(response.context["filter"], django_filters.FilterSet)
    assert [c.code for c in response.context["page"].object_list] == [open_one.code]
    response = client.get(INBOX, {"status": "<b>"})
    assert response.status_code == 200
    assert "status" in response.context["filter"].form.errors
    assert len(response.context["page"].object_list) == 2

    login(client, consumer)
    response = client.get(MINE, {"status": "business_declined"})
    assert isinstance(response.context["filter"], django_filters.FilterSet)
    assert [c.code for c in response.context["page"].object_list] == [closed.code]


def test_statistics_csv_goes_through_portal_csvexport(client, reference_data, monkeypatch):
    # The statistics are counts by sector, channel and status: no typed text reaches the
    # cells, so formula safety is shown by the other parts' CSV tests and portal's own.
    for _ in range(3):
        make_complaint()
    used = []
    real = csvexport.csv_response

    def spy(header, rows, filename):
        used.append(filename)
        return real(header, rows, filename)

    monkeypatch.setattr("complaints.views.csv_response", spy)
    year = timezone.localdate().year
    response = client.get("/khieu-nai/thong-ke/csv/", {"nam": year})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert len(used) == 1
    assert body.startswith("\ufeff")


def test_filing_in_english_stores_the_language_and_mails_in_english(
    client, reference_data, province_officer, run_on_commit
):
    remember_language(province_officer, "vi")
    with run_on_commit():
        fill_until_files(client)
        client.post("/en" + STEP_URL.format("tep"), {"go": "next"})
        response = client.post(
            "/en" + STEP_URL.format("xac-nhan"), {"consent_processing": "on", "go": "send"}
        )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.language == "en"
    (receipt,) = [m for m in mail.outbox if "lan.tran@example.vn" in m.to]
    assert "We have received your complaint" in receipt.body
    assert "/en/khieu-nai/theo-doi/" in receipt.body
    assert receipt.alternatives and receipt.alternatives[0][1] == "text/html"
    assert complaint.code in receipt.alternatives[0][0]
    # The officers read their own language.
    (officers,) = [m for m in mail.outbox if province_officer.email in m.to]
    assert officers.language == "vi"

    # A status change reaches the consumer in English too.
    mail.outbox.clear()
    with run_on_commit():
        services.request_info(complaint, actor=province_officer, message="Gửi hóa đơn.")
    (status,) = [m for m in mail.outbox if "lan.tran@example.vn" in m.to]
    assert status.language == "en" and "The status of your complaint" in status.body
    assert status.alternatives[0][1] == "text/html"


def test_filing_in_vietnamese_keeps_vietnamese(client, reference_data, run_on_commit):
    with run_on_commit():
        fill_until_files(client)
        client.post(STEP_URL.format("tep"), {"go": "next"})
        client.post(STEP_URL.format("xac-nhan"), {"consent_processing": "on", "go": "send"})
    assert Complaint.objects.get().language == "vi"
    (receipt,) = [m for m in mail.outbox if "lan.tran@example.vn" in m.to]
    assert receipt.language == "vi"


def test_business_mail_goes_to_members_in_their_language(
    business, business_member, province_officer, run_on_commit
):
    remember_language(business_member, "en")
    complaint = make_complaint(business=business)
    mail.outbox.clear()
    with run_on_commit():
        services.forward(complaint, actor=province_officer)
    (forwarded,) = [m for m in mail.outbox if business_member.email in m.to]
    assert forwarded.language == "en"
    # The link opens the page in the member's language.
    assert f"/en/khieu-nai/doanh-nghiep/{complaint.code}/" in forwarded.body


def test_tax_code_and_phone_are_checked_by_portal_validators(client, reference_data):
    code = tax_code_with_check_digit("010123456")
    wrong = code[:9] + str((int(code[9]) + 1) % 10)
    data = step_data()
    client.post(STEP_URL.format("nguoi-gui"), {**data["nguoi-gui"], "go": "next"})
    response = client.post(
        STEP_URL.format("doanh-nghiep"),
        {**data["doanh-nghiep"], "business_tax_code": wrong, "go": "next"},
    )
    assert "business_tax_code" in response.context["form"].errors
    # Typed with spaces and a branch without its hyphen: stored in the one written form.
    fill_until_files(
        client,
        overrides={
            "nguoi-gui": {"complainant_phone": "+84 987 654 321"},
            "doanh-nghiep": {"business_tax_code": f"{code[:4]} {code[4:]}001"},
        },
    )
    client.post(STEP_URL.format("tep"), {"go": "next"})
    client.post(STEP_URL.format("xac-nhan"), {"consent_processing": "on", "go": "send"})
    complaint = Complaint.objects.get()
    assert complaint.business_tax_code == f"{code}-001"
    assert complaint.complainant_phone == "0987 654 321"


def test_attachment_is_the_shared_attachment(reference_data):
    complaint = make_complaint(files=[png("hoa-don.png")])
    attachment = complaint.attachments.get()
    assert isinstance(attachment, attachments.Attachment)
    assert isinstance(attachment, Attachment)
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "hoa-don.png" and attachment.size > 0


def test_report_figures_use_day_windows(reference_data):
    complaint = make_complaint()
    day = timezone.localdate(complaint.received_at)
    figures = selectors.report_figures(start=day, end=day)
    assert figures["received"] == 1
    before = day - datetime.timedelta(days=1)
    assert selectors.report_figures(start=before, end=before)["received"] == 0
