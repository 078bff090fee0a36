"""The reporting calendar with a fake clock: 1 Nov → 8/13 Nov → 15 Nov → 1 Dec → 14 Dec.
``today`` is passed into the beat task; nothing patches time globally."""

import datetime
from zoneinfo import ZoneInfo

from django.core import mail

from portal.models import Agency, JobRun
from reports import services
from reports.models import NationalReport, ReportingYear, TaskProgress, UnitReport
from reports.tasks import run_reporting_calendar
from tests.reports.conftest import complete_national

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def state():
    """Everything the jobs write, to compare before and after a second run."""
    return {
        "years": list(ReportingYear.objects.values()),
        "reports": list(UnitReport.objects.order_by("pk").values()),
        "progress": TaskProgress.objects.count(),
        "national": list(
            NationalReport.objects.values(
                "pk", "status", "compiled_at", "published_at", "content_version"
            )
        ),
        "jobs": JobRun.objects.count(),
        "mail": len(mail.outbox),
    }


def recipients():
    return [m.to for m in mail.outbox]


def test_calendar_moves_through_the_reporting_year(
    plan,
    fake_parts,
    province_officer,
    other_province_officer,
    ministry_officer,
    hanoi,
    hcm,
    run_on_commit,
):
    fake_parts["complaints"].set(hanoi.pk, received=7, handled=4, handled_on_time=3)
    fake_parts["complaints"].set(hcm.pk, received=11, handled=10, handled_on_time=10)

    # Before 1 November nothing happens.
    assert run_reporting_calendar("2026-10-31") == {}
    assert not ReportingYear.objects.exists()

    # 1 November: the year opens with a draft per unit and its figures.
    result = run_reporting_calendar("2026-11-01")
    reporting_year = ReportingYear.objects.get(year=2026)
    assert result["open"]["created"] == reporting_year.unit_reports.count()
    assert reporting_year.status == ReportingYear.Status.OPEN
    assert reporting_year.data_start == datetime.date(2025, 11, 1)
    assert reporting_year.data_end == datetime.date(2026, 10, 31)
    departments = reporting_year.unit_reports.filter(agency__kind=Agency.Kind.PROVINCIAL_DEPARTMENT)
    assert departments.count() == 34
    assert set(reporting_year.unit_reports.values_list("status", flat=True)) == {"draft"}
    hanoi_report = departments.get(agency__province=hanoi)
    assert hanoi_report.figures["sections"]["complaints"]["figures"]["received"] == 7
    assert hanoi_report.progress.exists()
    assert mail.outbox == []
    before = state()
    run_reporting_calendar("2026-11-01")
    run_reporting_calendar("2026-11-02")
    assert state() == before

    # 8 November: every officer of a unit that has not submitted gets one reminder.
    # The authority leads tasks of the plan, so it reports on them as a unit too.
    run_reporting_calendar("2026-11-08")
    assert sorted(recipients()) == sorted(
        [[other_province_officer.email], [province_officer.email], [ministry_officer.email]]
    )
    before = state()
    run_reporting_calendar("2026-11-08")
    run_reporting_calendar("2026-11-09")
    assert state() == before

    # Hà Nội submits on 10 November, so only Hồ Chí Minh City is reminded on 13 November.
    services.submit_report(
        report=hanoi_report,
        user=province_officer,
        now=datetime.datetime(2026, 11, 10, 9, tzinfo=TZ),
    )
    mail.outbox.clear()
    run_reporting_calendar("2026-11-13")
    assert sorted(recipients()) == sorted(
        [[other_province_officer.email], [ministry_officer.email]]
    )
    before = state()
    run_reporting_calendar("2026-11-13")
    run_reporting_calendar("2026-11-14")
    assert state() == before

    # 15 November 00:00: every unit report is frozen and the national draft compiled.
    mail.outbox.clear()
    run_reporting_calendar("2026-11-15")
    reporting_year.refresh_from_db()
    assert reporting_year.status == ReportingYear.Status.COMPILED
    assert not reporting_year.unit_reports.filter(snapshot__isnull=True).exists()
    national = NationalReport.objects.get(reporting_year=reporting_year)
    assert national.status == NationalReport.Status.DRAFT
    snapshot = national.snapshot
    assert snapshot["submitted_count"] == 1
    assert hanoi_report.agency.name not in snapshot["missing_units"]
    assert len(snapshot["provinces"]) == 34
    assert snapshot["totals"]["sections"]["complaints"]["figures"]["received"] == 18
    assert mail.outbox == []  # no unit reminders after the lock
    before = state()
    run_reporting_calendar("2026-11-15")
    run_reporting_calendar("2026-11-20")
    assert state() == before

    # Figures that change after the lock do not change the frozen reports.
    fake_parts["complaints"].set(hanoi.pk, received=999)
    hanoi_report.refresh_from_db()
    assert hanoi_report.current_figures["sections"]["complaints"]["figures"]["received"] == 7

    # 1 December: the authority is reminded, once.
    run_reporting_calendar("2026-12-01")
    assert recipients() == [[ministry_officer.email]]
    before = state()
    run_reporting_calendar("2026-12-01")
    run_reporting_calendar("2026-12-02")
    assert state() == before

    # 14 December: published before the 15 December deadline, with its PDF (the
    # authority has filled its number, date, signer and narrative).
    complete_national(reporting_year)
    with run_on_commit():
        run_reporting_calendar("2026-12-14")
    national.refresh_from_db()
    reporting_year.refresh_from_db()
    assert national.status == NationalReport.Status.PUBLISHED
    assert reporting_year.status == ReportingYear.Status.PUBLISHED
    assert national.pdf_is_current
    before = state()
    run_reporting_calendar("2026-12-14")
    run_reporting_calendar("2026-12-31")
    assert state() == before
    # Each step recorded when it ran and what it did.
    opened = JobRun.objects.get(name="reports.open_year", key="2026")
    assert opened.finished_at is not None
    assert opened.result["created"] == result["open"]["created"]


def test_late_beat_sends_only_the_latest_due_reminder(plan, no_parts, province_officer):
    run_reporting_calendar("2026-11-14")
    assert recipients() == [[province_officer.email]]
    run_reporting_calendar("2026-11-14")
    assert len(mail.outbox) == 1


def test_each_step_is_a_task_of_its_own_and_idempotent(plan, no_parts, ministry_officer):
    from reports import tasks

    reporting_year = services.ensure_year(2026)
    assert tasks.open_reporting_year(reporting_year.pk)["units"] > 34
    assert tasks.open_reporting_year(reporting_year.pk) is None
    assert tasks.send_unit_reminders(reporting_year.pk, "manual")["pending"] > 34
    assert tasks.send_unit_reminders(reporting_year.pk, "manual") is None
    assert tasks.lock_unit_reports(reporting_year.pk)["locked"] > 34
    assert tasks.lock_unit_reports(reporting_year.pk) is None
    assert tasks.compile_national_report(reporting_year.pk)["national_report"]
    assert tasks.compile_national_report(reporting_year.pk) is None
    assert tasks.remind_authority(reporting_year.pk)["sent"] == 1
    assert tasks.remind_authority(reporting_year.pk) is None
    assert tasks.publish_national_report(reporting_year.pk)["national_report"]
    assert tasks.publish_national_report(reporting_year.pk) is None
    assert tasks.open_reporting_year(999999) is None


def test_beat_schedule_points_at_the_calendar_task(settings):
    from portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["reports-daily-calendar"]
    assert entry["task"] == "reports.tasks.run_reporting_calendar"
    assert entry["task"] in app.tasks
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"


def test_the_authority_reminder_goes_to_the_authoritys_officers_only(
    plan, no_parts, ministry_officer, province_officer
):
    reporting_year = services.ensure_year(2026)
    services.open_year(reporting_year)
    mail.outbox.clear()
    assert services.remind_authority(reporting_year)["sent"] == 1
    assert [m.to for m in mail.outbox] == [[ministry_officer.email]]
