import datetime

from django.contrib import messages
from django.core.management import call_command
from django.urls import reverse

from portal.models import JobRun
from reports import services
from reports.models import NationalReport, ReportingYear, UnitReport
from tests.conftest import login
from tests.reports.conftest import complete_national


def test_officers_run_the_calendar_steps_from_the_admin(client, ministry_officer, no_parts, plan):
    reporting_year = services.ensure_year(2026)
    login(client, ministry_officer)
    url = reverse("admin:reports_reportingyear_changelist")
    data = {"action": "step_open_year", "_selected_action": [reporting_year.pk]}
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    count = UnitReport.objects.filter(reporting_year=reporting_year).count()
    assert count > 34
    client.post(url, data, follow=True)  # a second run changes nothing
    assert UnitReport.objects.filter(reporting_year=reporting_year).count() == count
    assert JobRun.objects.filter(name="reports.open_year").count() == 1
    for action in ("step_lock_year", "step_compile_national"):
        client.post(url, {"action": action, "_selected_action": [reporting_year.pk]})
    reporting_year.refresh_from_db()
    assert reporting_year.status == ReportingYear.Status.COMPILED
    assert NationalReport.objects.filter(reporting_year=reporting_year).exists()
    # The officer who clicked made the steps: the history names them.
    for step in ("lock", "compile"):
        assert reporting_year.history.get(history_change_reason=step).history_user == (
            ministry_officer
        )


def test_province_officers_cannot_run_the_steps(client, province_officer, plan):
    login(client, province_officer)
    response = client.get(reverse("admin:reports_reportingyear_changelist"))
    assert response.status_code == 403  # no admin permission on the model at all


def test_changing_the_window_recomputes_the_drafts(fake_parts, opened_year, hanoi_report, hanoi):
    from reports import services

    fake_parts["complaints"].set(hanoi.pk, received=5)
    opened_year.data_start = datetime.date(2025, 12, 1)
    opened_year.save()
    services.refresh_figures(opened_year)
    hanoi_report.refresh_from_db()
    assert hanoi_report.figures["sections"]["complaints"]["figures"]["received"] == 5
    assert fake_parts["complaints"].calls[-1][1] == datetime.date(2025, 12, 1)


def test_demo_reports_is_idempotent(reference_data):
    call_command("demo_reports", verbosity=0)
    first = list(
        UnitReport.objects.order_by("pk").values("pk", "status", "is_late", "content_version")
    )
    national = NationalReport.objects.get(reporting_year__year=2026)
    call_command("demo_reports", verbosity=0)
    assert (
        list(UnitReport.objects.order_by("pk").values("pk", "status", "is_late", "content_version"))
        == first
    )
    reporting_year = ReportingYear.objects.get(year=2026)
    assert reporting_year.status == ReportingYear.Status.COMPILED
    submitted = UnitReport.objects.filter(status="submitted")
    assert submitted.count() == 2
    assert submitted.filter(is_late=True).count() == 1
    national.refresh_from_db()
    assert national.snapshot["submitted_count"] == 2


def test_editing_the_window_in_the_admin_recomputes_the_drafts(
    client, ministry_officer, fake_parts, opened_year, hanoi_report, hanoi
):
    fake_parts["complaints"].set(hanoi.pk, received=42)
    login(client, ministry_officer)
    url = reverse("admin:reports_reportingyear_change", args=[opened_year.pk])
    response = client.post(
        url,
        {
            "year": 2026,
            "plan": opened_year.plan_id,
            "data_start": "01/12/2025",
            "data_end": "31/10/2026",
            "unit_deadline": "15/11/2026",
            "national_deadline": "15/12/2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    opened_year.refresh_from_db()
    assert opened_year.data_start == datetime.date(2025, 12, 1)
    hanoi_report.refresh_from_db()
    assert hanoi_report.figures["sections"]["complaints"]["figures"]["received"] == 42


def test_other_ministry_units_cannot_run_the_steps_or_move_the_dates(client, no_parts, plan):
    from portal.models import Agency
    from tests.conftest import make_officer

    reporting_year = services.ensure_year(2026)
    chemicals = make_officer(Agency.objects.get(code="cuc-hoa-chat"), "hoachat@example.vn")
    login(client, chemicals)
    url = reverse("admin:reports_reportingyear_changelist")
    assert client.get(url).status_code == 200  # they read the calendar
    data = {"action": "step_compile_national", "_selected_action": [reporting_year.pk]}
    client.post(url, data, follow=True)
    change = reverse("admin:reports_reportingyear_change", args=[reporting_year.pk])
    client.post(change, {"year": 2026, "data_start": "01/12/2025", "data_end": "31/10/2026"})
    reporting_year.refresh_from_db()
    assert reporting_year.status == ReportingYear.Status.OPEN
    assert reporting_year.data_start == datetime.date(2025, 11, 1)
    assert not NationalReport.objects.exists()
    assert not JobRun.objects.filter(name__startswith="reports.").exists()


def test_the_admin_has_no_one_click_publication(client, ministry_officer, opened_year):
    """Publishing by hand goes through the "Ban hành" page and its confirmation only: the
    admin offers no step that publishes, and posting its old name changes nothing and uses
    up no once-a-year claim."""
    services.lock_year(opened_year)
    opened_year.refresh_from_db()
    services.compile_national(opened_year)
    login(client, ministry_officer)
    url = reverse("admin:reports_reportingyear_changelist")
    page = client.get(url)
    actions = [name for name, _label in page.context["action_form"].fields["action"].choices]
    assert "step_compile_national" in actions  # the authority has the calendar's steps
    assert not [name for name in actions if "publish" in name]
    data = {"action": "step_publish_national", "_selected_action": [opened_year.pk]}
    response = client.post(url, data, follow=True)
    assert not [m for m in response.context["messages"] if m.level == messages.SUCCESS]
    opened_year.refresh_from_db()
    assert opened_year.status == ReportingYear.Status.COMPILED
    assert not JobRun.objects.filter(name="reports.publish_national").exists()
    # The one way: the confirmation page, once the report is complete.
    complete_national(opened_year)
    publish = reverse("reports:national_publish", args=[2026])
    assert client.get(publish).status_code == 200
    client.post(publish, {"confirm": "yes"})
    opened_year.refresh_from_db()
    assert opened_year.status == ReportingYear.Status.PUBLISHED
