"""Two requests making the same transition at the same moment, in real threads on
PostgreSQL: the workflow locks and re-reads the row, so exactly one wins, the other gets
InvalidTransition with a message, and the history holds one row for the change."""

import pytest

from portal.errors import InvalidTransition
from reports import services
from reports.models import NationalReport, ReportingYear, UnitReport
from tests.concurrency import race, winners_and_losers
from tests.conftest import make_officer
from tests.reports.conftest import complete_national

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_pdf_dispatch(monkeypatch):
    """The PDF rendering queued after commit is not what is raced here."""
    monkeypatch.setattr(services, "queue_render", lambda row: None)


def history_reasons(model, pk):
    return list(
        model.history.filter(id=pk)
        .exclude(history_change_reason=None)
        .values_list("history_change_reason", flat=True)
    )


def test_two_officers_submitting_the_same_report_at_once_submit_it_once(
    province_officer, hanoi_report
):
    colleague = make_officer(hanoi_report.agency, "dongnghiep.hanoi@example.vn")
    outcomes = race(
        lambda: services.submit_report(report=hanoi_report.pk, user=province_officer),
        lambda: services.submit_report(report=hanoi_report.pk, user=colleague),
    )
    winners, losers = winners_and_losers(outcomes)
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], InvalidTransition)
    assert "đã được nộp" in " ".join(losers[0].messages)
    hanoi_report.refresh_from_db()
    assert hanoi_report.status == UnitReport.Status.SUBMITTED
    assert hanoi_report.submitted_by == winners[0].submitted_by
    assert history_reasons(UnitReport, hanoi_report.pk) == ["submit"]


def test_accept_and_return_at_once_make_one_review(
    province_officer, ministry_officer, hanoi_report
):
    services.submit_report(report=hanoi_report, user=province_officer)
    outcomes = race(
        lambda: services.review_report(report=hanoi_report.pk, user=ministry_officer, accept=True),
        lambda: services.review_report(
            report=hanoi_report.pk, user=ministry_officer, accept=False, comment="Bổ sung"
        ),
    )
    winners, losers = winners_and_losers(outcomes)
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], InvalidTransition)
    hanoi_report.refresh_from_db()
    assert hanoi_report.status == winners[0].status
    assert hanoi_report.status in (UnitReport.Status.ACCEPTED, UnitReport.Status.RETURNED)
    reviews = history_reasons(UnitReport, hanoi_report.pk)
    assert reviews[0] in ("accept", "return") and len(reviews) == 2  # then "submit"


def test_two_publications_of_the_national_report_at_once_publish_it_once(
    ministry_officer, opened_year
):
    services.compile_national(opened_year)
    national = complete_national(opened_year)
    version = national.content_version
    outcomes = race(
        lambda: services.publish_now(opened_year, user=ministry_officer),
        lambda: services.publish_now(opened_year, user=ministry_officer),
    )
    winners, losers = winners_and_losers(outcomes)
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], InvalidTransition)
    national.refresh_from_db()
    assert national.status == NationalReport.Status.PUBLISHED
    assert national.content_version == version + 1
    assert history_reasons(NationalReport, national.pk) == ["publish", "compile"]
    assert history_reasons(ReportingYear, opened_year.pk) == ["publish", "compile"]


def test_the_scheduler_and_an_officer_opening_a_year_at_once_create_each_draft_once(
    year_2026, no_parts
):
    outcomes = race(
        lambda: services.open_year(ReportingYear.objects.get(pk=year_2026.pk)),
        lambda: services.open_year(ReportingYear.objects.get(pk=year_2026.pk)),
    )
    assert [exc for _result, exc in outcomes] == [None, None]
    results = [result for result, _exc in outcomes]
    assert results.count(None) == 1  # the second found the first one's claim
    units = services.reporting_units(year_2026.plan)
    assert UnitReport.objects.filter(reporting_year=year_2026).count() == len(units)
