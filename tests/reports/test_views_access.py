"""Who may see a unit report and its files: the unit's province and the ministry; everyone
else gets 404 (never 403)."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports import services
from tests.conftest import login

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def attachment(hanoi_report, province_officer):
    progress = hanoi_report.progress.first()
    return services.add_attachment(
        progress=progress,
        user=province_officer,
        upload=SimpleUploadedFile("ke-hoach.pdf", PDF_BYTES, content_type="application/pdf"),
    )


def get_following_pdf(client, url, run_on_commit):
    """A PDF that is not rendered yet is queued and a "being prepared" page (202) refreshes
    itself; the after-commit dispatch runs the (eager) task, and the next request gets the
    file."""
    with run_on_commit():
        response = client.get(url)
    if url.endswith("/pdf/") and response.status_code == 202:
        response = client.get(url)
    return response


def urls_for(report, attachment):
    return [
        reverse("reports:unit_report", args=[report.pk]),
        reverse("reports:unit_report_pdf", args=[report.pk]),
        reverse("reports:unit_report_csv", args=[report.pk]),
        reverse("reports:attachment", args=[attachment.pk]),
    ]


@pytest.mark.parametrize(
    "who", ["other_province_officer", "business_member", "consumer", "anonymous"]
)
def test_outsiders_get_404_for_a_unit_report_and_its_files(
    client, request, who, hanoi_report, attachment
):
    if who != "anonymous":
        login(client, request.getfixturevalue(who))
    for url in urls_for(hanoi_report, attachment):
        assert client.get(url).status_code == 404, url
    posts = [
        reverse("reports:submit", args=[hanoi_report.pk]),
        reverse("reports:save_progress", args=[hanoi_report.pk, attachment.progress_id]),
    ]
    for url in posts:
        assert client.post(url, {}).status_code == 404, url
    hanoi_report.refresh_from_db()
    assert hanoi_report.status == "draft"


def test_own_province_and_ministry_see_the_report_and_its_files(
    client, province_officer, ministry_officer, hanoi_report, attachment, run_on_commit
):
    for user in (province_officer, ministry_officer):
        login(client, user)
        for url in urls_for(hanoi_report, attachment):
            response = get_following_pdf(client, url, run_on_commit)
            assert response.status_code == 200, (user, url)
            if url.endswith("/pdf/"):
                assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_national_report_is_for_the_ministry_only(
    client, province_officer, ministry_officer, opened_year, run_on_commit
):
    services.compile_national(opened_year)
    urls = [
        reverse("reports:national_report", args=[2026]),
        reverse("reports:national_csv", args=[2026]),
        reverse("reports:national_pdf", args=[2026]),
    ]
    login(client, province_officer)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(reverse("reports:national_publish", args=[2026])).status_code == 404
    login(client, ministry_officer)
    for url in urls:
        assert get_following_pdf(client, url, run_on_commit).status_code == 200, url


def test_a_province_officer_without_mfa_is_sent_to_set_it_up(client, hanoi_report, hanoi):
    from portal.models import Agency
    from tests.conftest import make_officer

    agency = Agency.objects.get(kind="provincial_department", province=hanoi)
    user = make_officer(agency, "khongmfa@example.vn", mfa=False)
    login(client, user)
    response = client.post(reverse("reports:submit", args=[hanoi_report.pk]))
    assert response.status_code == 302
    assert "mfa" in response.url or "totp" in response.url
    hanoi_report.refresh_from_db()
    assert hanoi_report.status == "draft"


def test_index_shows_the_units_own_reports_and_the_ministry_dashboard(
    client, province_officer, ministry_officer, hanoi_report
):
    login(client, province_officer)
    response = client.get(reverse("reports:index"))
    assert response.status_code == 200
    assert list(response.context["own_reports"]) == [hanoi_report]
    assert "rows" not in response.context
    login(client, ministry_officer)
    response = client.get(reverse("reports:index"))
    assert response.context["counts"]["units"] == hanoi_report.reporting_year.unit_reports.count()
    assert response.context["counts"]["missing"] == response.context["counts"]["units"]


def test_dashboard_filters_late_and_missing_units(
    client, ministry_officer, province_officer, hanoi_report, hcm_report
):
    import datetime
    from zoneinfo import ZoneInfo

    late = datetime.datetime(2026, 11, 20, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    services.submit_report(report=hanoi_report, user=province_officer, now=late)
    login(client, ministry_officer)
    url = reverse("reports:index") + "?nam=2026&loc="
    assert [r.pk for r in client.get(url + "late").context["rows"]] == [hanoi_report.pk]
    missing = client.get(url + "missing").context["rows"]
    assert hcm_report in missing and hanoi_report not in missing
    assert len(client.get(url + "bogus").context["rows"]) == len(missing) + 1


def test_the_index_is_for_officers(client, business_member, consumer, hanoi_report):
    url = reverse("reports:index")
    assert client.get(url).status_code == 302  # the public is invited to sign in
    for user in (business_member, consumer):
        login(client, user)
        assert client.get(url).status_code == 404


def test_the_pages_work_in_english(client, province_officer, hanoi_report):
    login(client, province_officer)
    response = client.get(f"/en/bao-cao/don-vi/{hanoi_report.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Complaints received" in content
    assert "Submit the report" in content


def test_province_officers_find_the_national_report_once_it_is_published(
    client, province_officer, ministry_officer, opened_year
):
    from reports.models import NationalReport
    from tests.reports.conftest import complete_national

    services.compile_national(opened_year)
    page = reverse("reports:national_report", args=[2026])
    login(client, province_officer)
    response = client.get(reverse("reports:index"))
    assert response.context["published_nationals"] == []
    assert page not in response.content.decode()
    assert client.get(page).status_code == 404  # a draft is the ministry's
    complete_national(opened_year)
    services.publish_now(opened_year, user=ministry_officer)
    response = client.get(reverse("reports:index"))
    national = NationalReport.objects.get(reporting_year=opened_year)
    assert response.context["published_nationals"] == [national]
    content = response.content.decode()
    assert 'data-testid="published-nationals"' in content and page in content
    assert reverse("reports:national_pdf", args=[2026]) in content
    assert client.get(page).status_code == 200


def test_the_index_announces_the_years_own_opening_day(
    client, province_officer, ministry_officer, year_2026
):
    """Not a fixed "1 November": the day after the year's data window closes, from the
    year's dates (here corrected by the authority) or, before the year exists, its plan's."""
    summer = datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
    with time_machine.travel(summer, tick=False):
        opening_day_pages(client, province_officer, ministry_officer, year_2026)


def opening_day_pages(client, province_officer, ministry_officer, year_2026):
    login(client, province_officer)
    content = client.get(reverse("reports:index")).content.decode()
    assert "01/11/2026" in content
    year_2026.data_end = datetime.date(2026, 10, 20)
    year_2026.save()
    content = client.get(reverse("reports:index")).content.decode()
    assert "21/10/2026" in content and "1 tháng 11" not in content
    assert 'data-testid="no-report-yet"' in content
    year_2026.delete()
    login(client, ministry_officer)
    content = client.get(reverse("reports:index")).content.decode()
    assert 'data-testid="no-year-yet"' in content and "01/11/2026" in content


def test_the_own_reports_list_reads_each_years_plan_with_its_row(
    client, province_officer, hanoi_report, hanoi
):
    """The list shows each year's plan notice: the plan comes with the row, so more
    years cost no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.models import UnitReport

    login(client, province_officer)
    url = reverse("reports:index")

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    # Years past the plan's period report against it, with its notice.
    for year in (2031, 2032):
        UnitReport.objects.create(
            reporting_year=services.ensure_year(year), agency=hanoi_report.agency
        )
    small = count_queries()
    for year in (2033, 2034, 2035):
        UnitReport.objects.create(
            reporting_year=services.ensure_year(year), agency=hanoi_report.agency
        )
    assert "2035" in client.get(url).content.decode()
    assert count_queries() == small
