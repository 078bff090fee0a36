"""Issue #11 "It must show": the reports part uses the portal's one helper for each shared
problem, driven through its pages the way a user would.

The reports have no free-text search (their lists are the ~40 reporting units of a year,
filtered by status), so there is no ``portal.search`` call to show here.
"""

import django_filters
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal import csvexport
from portal.attachments import Attachment
from portal.contributions import report_sections
from portal.models import Profile
from portal.pdf import StoredPdf
from reports import figures, services
from reports.models import NationalReport, ProgressAttachment, UnitReport
from tests.conftest import login

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def speaks_english(user):
    Profile.objects.update_or_create(user=user, defaults={"language": "en"})


def content_of(response):
    return b"".join(response.streaming_content)


def test_the_dashboard_filter_is_a_filterset_and_a_bad_value_is_shown_not_a_500(
    client, ministry_officer, province_officer, hanoi_report, hcm_report
):
    services.submit_report(report=hanoi_report, user=province_officer)
    login(client, ministry_officer)
    url = reverse("reports:index")
    response = client.get(url, {"nam": 2026, "loc": "submitted"})
    assert response.status_code == 200
    assert isinstance(response.context["filter"], django_filters.FilterSet)
    assert [r.pk for r in response.context["rows"]] == [hanoi_report.pk]
    assert response.context["shown"] == "submitted"
    # The counts stay the year's, whatever the filter.
    assert response.context["counts"]["units"] > 30

    response = client.get(url, {"nam": 2026, "loc": "nonsense"})
    assert response.status_code == 200
    assert response.context["filter"].errors
    assert 'data-testid="filter-errors"' in response.content.decode()
    assert response.context["shown"] == ""
    assert len(response.context["rows"]) == response.context["counts"]["units"]


def test_the_csv_downloads_go_through_portal_csvexport(
    client, monkeypatch, province_officer, hanoi_report
):
    calls = []
    real = csvexport.csv_response

    def spy(header, rows, filename):
        calls.append(filename)
        return real(header, rows, filename)

    monkeypatch.setattr(csvexport, "csv_response", spy)
    progress = hanoi_report.progress.first()
    services.save_progress(
        progress=progress, user=province_officer, data={"done": "=1+2", "proposals": "@SUM(A1)"}
    )
    login(client, province_officer)
    response = client.get(reverse("reports:unit_report_csv", args=[hanoi_report.pk]))
    assert calls == [f"bao-cao-2026-{hanoi_report.agency.code}.csv"]
    assert response["Cache-Control"] == "private, no-store"
    data = content_of(response)
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert "'=1+2" in text and "'@SUM(A1)" in text
    assert ",=1+2" not in text


def test_the_figures_come_from_the_parts_report_sections(fake_parts, hanoi_report):
    # fake_parts replaces the functions of the real, declared sections.
    names = [section.name for section in figures.sections()]
    assert names == [section.name for section in report_sections()]
    assert hanoi_report.figures["sections"]["complaints"]["figures"]["received"] == 1234


def test_the_reminders_go_in_each_officers_language_with_text_and_html(
    opened_year, province_officer, other_province_officer
):
    speaks_english(province_officer)
    mail.outbox.clear()
    services.send_unit_reminders(opened_year, "11-08")
    english = next(m for m in mail.outbox if province_officer.email in m.to)
    vietnamese = next(m for m in mail.outbox if other_province_officer.email in m.to)
    assert "Reminder: the 2026 report is due before 15/11/2026" in english.subject
    assert "has not been submitted yet" in english.body
    assert "Nhắc việc" in vietnamese.subject
    for message in (english, vietnamese):
        [(html, kind)] = message.alternatives
        assert kind == "text/html" and "<html" in html.lower()
    assert "has not been submitted yet" in english.alternatives[0][0]


def test_the_authority_reminder_is_composed_in_the_officers_language(opened_year, ministry_officer):
    speaks_english(ministry_officer)
    [message] = services.authority_reminder_mail(opened_year)
    assert message.to == [ministry_officer.email]
    assert message.language == "en"
    assert message.alternatives[0][1] == "text/html"


@pytest.mark.parametrize("model", [UnitReport, NationalReport])
def test_both_reports_are_stored_pdfs(model):
    assert issubclass(model, StoredPdf)
    assert model.pdf_template.startswith("reports/pdf/")


def test_the_pdf_is_prepared_by_the_portal_task_then_served(
    client, province_officer, hanoi_report, run_on_commit
):
    login(client, province_officer)
    url = reverse("reports:unit_report_pdf", args=[hanoi_report.pk])
    with run_on_commit():
        response = client.get(url)
    assert response.status_code == 202  # "being prepared", refreshing itself
    response = client.get(url)
    assert response.status_code == 200
    assert content_of(response).startswith(b"%PDF")
    hanoi_report.refresh_from_db()
    assert hanoi_report.pdf_is_current
    assert hanoi_report.pdf.name.endswith(".pdf")


def test_a_progress_file_is_a_portal_attachment(client, province_officer, hanoi_report):
    assert issubclass(ProgressAttachment, Attachment)
    progress = hanoi_report.progress.first()
    login(client, province_officer)
    url = reverse("reports:save_progress", args=[hanoi_report.pk, progress.pk])
    upload = SimpleUploadedFile("Kế hoạch.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(
        url, {f"t{progress.pk}-done": "Đã làm", f"t{progress.pk}-attachment": upload}
    )
    assert response.status_code == 302
    attachment = progress.attachments.get()
    assert attachment.original_name == "Kế hoạch.pdf"
    assert attachment.size == len(PDF_BYTES)
    assert attachment.content_type == "application/pdf"
    assert attachment.uploaded_by == province_officer
    response = client.get(reverse("reports:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert content_of(response) == PDF_BYTES


def test_a_pdf_is_rendered_again_whenever_its_content_differs(hanoi_report):
    """Content that comes back to an earlier state (a hash version, as self-assessments
    have) must not leave the PDF waiting: the task renders whatever is not current."""
    from portal.tasks import render_stored_pdf

    label = hanoi_report._meta.label
    for version in (1, 2, 1):
        UnitReport.objects.filter(pk=hanoi_report.pk).update(content_version=version)
        assert render_stored_pdf(label, hanoi_report.pk)
        hanoi_report.refresh_from_db()
        assert hanoi_report.pdf_is_current and hanoi_report.pdf_version == version
    assert render_stored_pdf(label, hanoi_report.pk) is None  # current: nothing to redo


def test_annexes_uploaded_before_get_their_type_and_size(hanoi_report):
    import importlib

    from django.apps import apps

    progress = hanoi_report.progress.first()
    annex = ProgressAttachment.objects.create(
        progress=progress, file=SimpleUploadedFile("cu.pdf", PDF_BYTES)
    )
    ProgressAttachment.objects.filter(pk=annex.pk).update(size=0, content_type="")
    migration = importlib.import_module("reports.migrations.0004_fill_attachment_type_and_size")
    migration.fill(apps, None)
    annex.refresh_from_db()
    assert (annex.size, annex.content_type) == (len(PDF_BYTES), "application/pdf")
