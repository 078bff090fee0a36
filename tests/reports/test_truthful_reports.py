"""Issue #12 for the reports: figures frozen at submission, the year's plan, window and
deadlines taken from data, a national report that is never published half-done or with
one click, and province officers reading it once published."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from portal.errors import InvalidInput
from reports import services
from reports.models import NationalReport, ReportingYear, UnitReport
from reports.selectors import national_report_document, unit_report_document
from reports.tasks import run_reporting_calendar
from tests.conftest import login
from tests.reports.conftest import complete_national

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
VERIFIED = 3  # the column of verified assessments in the province table


def verified(report):
    return report.current_figures["sections"]["selfassess"]["figures"]["verified"]


# --- Figures freeze at submission ----------------------------------------------------------


def test_figures_freeze_when_the_unit_submits_and_the_compilation_uses_them(
    fake_parts, opened_year, hanoi_report, province_officer, ministry_officer, hanoi
):
    fake_parts["selfassess"].set(hanoi.pk, submitted=3, verified=1)
    services.submit_report(report=hanoi_report, user=province_officer)
    services.review_report(report=hanoi_report, user=ministry_officer, accept=True)
    fake_parts["selfassess"].set(hanoi.pk, submitted=3, verified=2)  # verified later

    services.refresh_figures(opened_year)
    services.lock_year(opened_year)
    opened_year.refresh_from_db()
    services.compile_national(opened_year)

    hanoi_report.refresh_from_db()
    assert verified(hanoi_report) == 1
    assert hanoi_report.snapshot["frozen_by"] == "submission"
    assert unit_report_document(hanoi_report)["frozen_by"] == "submission"
    document = national_report_document(NationalReport.objects.get(reporting_year=opened_year))
    row = next(p for p in document["provinces"] if p["code"] == hanoi.code)
    assert row["values"][VERIFIED] == 1
    # A report never submitted is frozen by the lock, with the figures of that moment.
    hcm = UnitReport.objects.get(reporting_year=opened_year, agency__province__code="79")
    assert hcm.snapshot["frozen_by"] == "lock"


def test_a_returned_report_freezes_again_when_resubmitted(
    fake_parts, opened_year, hanoi_report, province_officer, ministry_officer, hanoi
):
    fake_parts["selfassess"].set(hanoi.pk, verified=1)
    services.submit_report(report=hanoi_report, user=province_officer)
    services.review_report(
        report=hanoi_report, user=ministry_officer, accept=False, comment="Bổ sung số liệu"
    )
    fake_parts["selfassess"].set(hanoi.pk, verified=2)
    hanoi_report.refresh_from_db()
    assert verified(hanoi_report) == 1  # returned: still what it submitted
    services.submit_report(report=hanoi_report, user=province_officer)
    hanoi_report.refresh_from_db()
    assert verified(hanoi_report) == 2
    services.lock_year(opened_year)
    hanoi_report.refresh_from_db()
    assert verified(hanoi_report) == 2


# --- Plans and deadlines as data --------------------------------------------------------


def test_a_years_window_and_deadlines_come_from_the_plans_data(year_2026, plan):
    assert (year_2026.data_start, year_2026.data_end) == (
        datetime.date(2025, 11, 1),
        datetime.date(2026, 10, 31),
    )
    assert year_2026.unit_deadline == datetime.date(2026, 11, 15)
    assert year_2026.national_deadline == datetime.date(2026, 12, 15)
    # The deadlines quote section III.1 and III.2 of the plan; the window is the portal's
    # convention, never attributed to the decision.
    assert "mục III.1" in year_2026.deadline_source
    assert "trước ngày 15 tháng 11 hàng năm" in year_2026.deadline_source
    assert "mục III.2" in year_2026.deadline_source
    assert year_2026.window_source.startswith("Quy ước của cổng")
    # Other rules in the data give other dates.
    rules = plan.source["reporting"]
    rules[0]["deadline"] = "11-20"
    plan.source["data_window"]["end"] = "09-30"
    plan.save()
    dates = services.year_rules(2027, plan)
    assert dates["unit_deadline"] == datetime.date(2027, 11, 20)
    assert dates["data_end"] == datetime.date(2027, 9, 30)


def test_no_plan_no_year(reference_data):
    with pytest.raises(InvalidInput):
        services.ensure_year(2026)
    assert run_reporting_calendar("2026-11-15") == {}
    assert not ReportingYear.objects.exists()


def test_a_corrected_deadline_moves_the_calendar_steps(plan, no_parts, province_officer):
    reporting_year = services.ensure_year(2026)
    ReportingYear.objects.filter(pk=reporting_year.pk).update(
        unit_deadline=datetime.date(2026, 11, 20), deadline_source="Công văn 1/UBCTQG"
    )
    with time_machine.travel(datetime.datetime(2026, 11, 15, 0, 5, tzinfo=TZ), tick=False):
        result = run_reporting_calendar("2026-11-15")
    assert "lock" not in result and "remind_11-13" in result  # 7 days before the 20th
    reporting_year.refresh_from_db()
    assert reporting_year.status == ReportingYear.Status.OPEN
    with time_machine.travel(datetime.datetime(2026, 11, 20, 0, 5, tzinfo=TZ), tick=False):
        result = run_reporting_calendar("2026-11-20")
    reporting_year.refresh_from_db()
    assert result["lock"]["locked"] > 0
    assert reporting_year.status == ReportingYear.Status.COMPILED


def test_the_authority_corrects_a_deadline_in_the_admin_only_with_its_source(
    client, ministry_officer, plan
):
    reporting_year = services.ensure_year(2026)
    login(client, ministry_officer)
    url = reverse("admin:reports_reportingyear_change", args=[reporting_year.pk])
    data = {
        "year": 2026,
        "plan": plan.pk,
        "data_start": "01/11/2025",
        "data_end": "31/10/2026",
        "unit_deadline": "20/11/2026",
        "national_deadline": "15/12/2026",
        "window_source": reporting_year.window_source,
        "deadline_source": reporting_year.deadline_source,
    }
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    reporting_year.refresh_from_db()
    assert reporting_year.unit_deadline == datetime.date(2026, 11, 15)
    data["deadline_source"] = "Công văn số 1/UBCTQG ngày 1/11/2026 lùi thời hạn"
    assert client.post(url, data).status_code == 302
    reporting_year.refresh_from_db()
    assert reporting_year.unit_deadline == datetime.date(2026, 11, 20)
    assert reporting_year.deadline_source.startswith("Công văn số 1/UBCTQG")


def test_2026_says_it_reports_against_the_2021_2025_plan(
    client, ministry_officer, province_officer, opened_year, hanoi_report
):
    assert opened_year.plan.last_year == 2025 and opened_year.plan_is_fallback
    notice = opened_year.plan_notice
    assert "2306/QĐ-BCT" in notice and "2021–2025" in notice
    assert "2724/QĐ-BCT" in notice and "2026–2030" in notice
    services.compile_national(opened_year)
    national = NationalReport.objects.get(reporting_year=opened_year)
    assert national.snapshot["plan_notice"] == notice
    assert national_report_document(national)["plan_notice"] == notice
    login(client, ministry_officer)
    for url in (
        reverse("reports:index") + "?nam=2026",
        reverse("reports:national_report", args=[2026]),
        reverse("reports:unit_report", args=[hanoi_report.pk]),
    ):
        page = client.get(url).content.decode()
        assert 'data-testid="plan-notice"' in page and "2724/QĐ-BCT" in page, url
    # A year its plan covers says nothing of the kind.
    assert services.ensure_year(2025).plan_notice == ""


# --- The national report: complete, confirmed ---------------------------------------------


def test_publication_is_refused_without_number_date_signer_or_narrative(
    opened_year, ministry_officer
):
    services.compile_national(opened_year)
    with pytest.raises(InvalidInput) as refused:
        services.publish_now(opened_year, user=ministry_officer)
    assert set(refused.value.error_dict) == {
        "number",
        "issued_on",
        "signer_name",
        "signer_title",
        "narrative",
    }
    complete_national(opened_year, narrative="  ")
    with pytest.raises(InvalidInput) as refused:
        services.publish_now(opened_year, user=ministry_officer)
    assert set(refused.value.error_dict) == {"narrative"}
    national = NationalReport.objects.get(reporting_year=opened_year)
    assert national.status == NationalReport.Status.DRAFT


def test_save_and_publish_names_what_is_missing_and_keeps_what_was_typed(
    client, ministry_officer, opened_year
):
    services.compile_national(opened_year)
    national = NationalReport.objects.get(reporting_year=opened_year)
    assert "Lưu: VT, UBCTQG." in national.recipient_lines  # the default from the data
    login(client, ministry_officer)
    response = client.post(
        reverse("reports:national_edit", args=[2026]),
        {
            "number": "",
            "issued_place": "Hà Nội",
            "issued_on": "",
            "signer_name": "Nguyễn Văn An",
            "signer_title": "",
            "recipients": national.recipients,
            "narrative": "Đánh giá chung về năm 2026",
            "publish": "1",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Đánh giá chung về năm 2026" in page and "Nguyễn Văn An" in page
    form = response.context["form"]
    assert set(form.errors) == {"number", "issued_on", "signer_title"}
    national.refresh_from_db()
    assert national.status == NationalReport.Status.DRAFT
    assert national.narrative == "Đánh giá chung về năm 2026"  # the draft is saved


def test_a_too_long_recipients_list_is_refused_and_kept_not_cut(
    client, ministry_officer, opened_year
):
    services.compile_national(opened_year)
    national = NationalReport.objects.get(reporting_year=opened_year)
    login(client, ministry_officer)
    recipients = "\n".join(f"- Sở Công Thương số {n};" for n in range(120))
    assert len(recipients) > 2000
    response = client.post(
        reverse("reports:national_edit", args=[2026]),
        {
            "number": "12/BC-UBCTQG",
            "issued_place": "Hà Nội",
            "issued_on": "",
            "signer_name": "Nguyễn Văn An",
            "signer_title": "",
            "recipients": recipients,
            "narrative": "Đánh giá chung",
        },
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"recipients"}
    assert "Sở Công Thương số 119;" in response.content.decode()  # kept whole
    national.refresh_from_db()
    assert national.number == ""  # nothing saved, nothing cut


def test_publishing_asks_for_confirmation(client, ministry_officer, opened_year):
    services.compile_national(opened_year)
    complete_national(opened_year)
    login(client, ministry_officer)
    url = reverse("reports:national_publish", args=[2026])
    national = NationalReport.objects.get(reporting_year=opened_year)

    page = client.get(url)
    assert page.status_code == 200
    assert 'name="confirm" value="yes"' in page.content.decode()
    assert client.post(url).status_code == 400  # a click without the confirmation
    national.refresh_from_db()
    assert national.status == NationalReport.Status.DRAFT

    assert client.post(url, {"confirm": "yes"}).status_code == 302
    national.refresh_from_db()
    assert national.status == NationalReport.Status.PUBLISHED


def test_the_confirmation_page_of_an_incomplete_report_offers_no_publication(
    client, ministry_officer, opened_year
):
    services.compile_national(opened_year)
    login(client, ministry_officer)
    page = client.get(reverse("reports:national_publish", args=[2026])).content.decode()
    assert 'data-testid="missing-parts"' in page
    assert 'name="confirm"' not in page


def test_the_calendar_does_not_publish_an_incomplete_report_and_tells_the_authority(
    opened_year, ministry_officer, run_on_commit
):
    services.lock_year(opened_year)
    opened_year.refresh_from_db()
    services.compile_national(opened_year)
    mail.outbox.clear()
    with run_on_commit():
        result = services.publish_national(opened_year)
    assert result["published"] is False and "number" in result["missing"]
    national = NationalReport.objects.get(reporting_year=opened_year)
    opened_year.refresh_from_db()
    assert national.status == NationalReport.Status.DRAFT
    assert opened_year.status == ReportingYear.Status.COMPILED
    assert [m.to for m in mail.outbox] == [[ministry_officer.email]]
    assert "/bao-cao/quoc-gia/2026/" in mail.outbox[0].body
    # The authority completes it and publishes it by hand.
    complete_national(opened_year)
    services.publish_now(opened_year, user=ministry_officer)
    national.refresh_from_db()
    assert national.status == NationalReport.Status.PUBLISHED


# --- Province officers read the published national report --------------------------------


def test_province_officers_download_the_national_report_once_published(
    client, province_officer, ministry_officer, opened_year, run_on_commit
):
    services.compile_national(opened_year)
    login(client, province_officer)
    page = reverse("reports:national_report", args=[2026])
    pdf = reverse("reports:national_pdf", args=[2026])
    assert client.get(page).status_code == 404
    assert client.get(pdf).status_code == 404
    complete_national(opened_year)
    with run_on_commit():
        services.publish_now(opened_year, user=ministry_officer)
    response = client.get(page)
    assert response.status_code == 200
    assert response.context["can_manage"] is False
    assert reverse("reports:national_edit", args=[2026]) not in response.content.decode()
    response = client.get(pdf)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # Still no hand in it: the ministry's buttons give 404.
    assert client.post(reverse("reports:national_compile", args=[2026])).status_code == 404
