"""The reports' workflows (reports.workflow): who may make each transition, the errors
of the portal's contract, and one labelled history row per transition."""

import pytest
from django.urls import reverse

from portal.errors import InvalidInput, InvalidTransition, NotAllowed
from portal.models import Agency
from reports import services
from reports.models import NationalReport, ReportingYear, UnitReport
from reports.workflow import NATIONAL_REPORT_WORKFLOW, UNIT_REPORT_WORKFLOW
from tests.conftest import login, make_officer


@pytest.fixture
def chemicals(reference_data):
    return make_officer(Agency.objects.get(code="cuc-hoa-chat"), "hoachat@example.vn")


def test_each_transition_writes_one_history_row_with_its_name_and_user(
    province_officer, ministry_officer, hanoi_report
):
    before = hanoi_report.history.count()
    services.submit_report(report=hanoi_report, user=province_officer)
    services.review_report(report=hanoi_report, user=ministry_officer, accept=True)
    rows = list(hanoi_report.history.all()[:2])
    assert hanoi_report.history.count() == before + 2
    assert [(r.history_change_reason, r.history_user, r.status) for r in rows] == [
        ("accept", ministry_officer, "accepted"),
        ("submit", province_officer, "submitted"),
    ]


def test_the_unit_submits_and_only_the_authority_reviews(
    province_officer, other_province_officer, ministry_officer, chemicals, hanoi_report
):
    for user in (other_province_officer, ministry_officer, chemicals):
        assert not UNIT_REPORT_WORKFLOW.can("submit", user, hanoi_report)
        with pytest.raises(NotAllowed):
            services.submit_report(report=hanoi_report, user=user)
    assert UNIT_REPORT_WORKFLOW.available(province_officer, hanoi_report) == ["submit"]
    services.submit_report(report=hanoi_report, user=province_officer)
    for user in (province_officer, chemicals):
        with pytest.raises(NotAllowed):
            services.review_report(report=hanoi_report, user=user, accept=True)
    assert UNIT_REPORT_WORKFLOW.available(ministry_officer, hanoi_report) == ["accept", "return"]
    hanoi_report.refresh_from_db()
    assert hanoi_report.status == UnitReport.Status.SUBMITTED


def test_returning_without_a_comment_is_invalid_input_on_the_comment(
    client, province_officer, ministry_officer, hanoi_report
):
    services.submit_report(report=hanoi_report, user=province_officer)
    with pytest.raises(InvalidInput) as raised:
        services.review_report(report=hanoi_report, user=ministry_officer, accept=False)
    assert "comment" in raised.value.message_dict
    hanoi_report.refresh_from_db()
    assert hanoi_report.status == UnitReport.Status.SUBMITTED
    services.review_report(report=hanoi_report, user=ministry_officer, accept=True)
    with pytest.raises(InvalidTransition):
        services.review_report(report=hanoi_report, user=ministry_officer, accept=True)
    # The review form says so and keeps what was typed.
    login(client, ministry_officer)
    response = client.post(
        reverse("reports:review", args=[hanoi_report.pk]),
        {"decision": "return", "comment": "Nhận xét muộn"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Nhận xét muộn" in content and "Chỉ xem xét được báo cáo đã nộp" in content


def test_only_the_authority_compiles_edits_and_publishes_the_national_report(
    chemicals, province_officer, ministry_officer, opened_year
):
    services.compile_national(opened_year)
    national = NationalReport.objects.get(reporting_year=opened_year)
    for user in (chemicals, province_officer):
        with pytest.raises(NotAllowed):
            services.recompile_national(opened_year, user=user)
        with pytest.raises(NotAllowed):
            services.update_national(national=national, user=user, number="1", narrative="x")
        with pytest.raises(NotAllowed):
            services.publish_now(opened_year, user=user)
        assert NATIONAL_REPORT_WORKFLOW.available(user, national) == []
    assert NATIONAL_REPORT_WORKFLOW.available(ministry_officer, national) == [
        "compile",
        "edit",
        "publish",
    ]
    national.refresh_from_db()
    opened_year.refresh_from_db()
    assert (national.status, national.number) == (NationalReport.Status.DRAFT, "")
    assert opened_year.status == ReportingYear.Status.COMPILED


def test_a_progress_text_too_long_is_invalid_input(province_officer, hanoi_report):
    progress = hanoi_report.progress.first()
    with pytest.raises(InvalidInput):
        services.save_progress(
            progress=progress,
            user=province_officer,
            data={"done": "x" * (services.PROGRESS_MAX_LENGTH + 1)},
        )


def test_an_upload_of_the_wrong_kind_is_invalid_input(province_officer, hanoi_report):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(InvalidInput) as raised:
        services.add_attachment(
            progress=hanoi_report.progress.first(),
            user=province_officer,
            upload=SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 10),
        )
    assert raised.value.messages


def test_a_ministry_officer_posting_to_a_province_report_gets_404(
    client, ministry_officer, chemicals, hanoi_report
):
    progress = hanoi_report.progress.first()
    for user in (ministry_officer, chemicals):
        login(client, user)
        assert client.get(reverse("reports:unit_report", args=[hanoi_report.pk])).status_code == 200
        submit = client.post(reverse("reports:submit", args=[hanoi_report.pk]))
        assert submit.status_code == 404
        save = client.post(
            reverse("reports:save_progress", args=[hanoi_report.pk, progress.pk]),
            {f"t{progress.pk}-done": "Viết hộ"},
            headers={"X-Requested-With": "fetch"},
        )
        assert save.status_code == 404
    hanoi_report.refresh_from_db()
    progress.refresh_from_db()
    assert (hanoi_report.status, progress.done) == (UnitReport.Status.DRAFT, "")
