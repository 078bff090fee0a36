"""The reporting calendar's steps are job runs (portal.jobs): a step that crashed is done
again by the next run, a step that finished is not, and the unit reminders resume exactly
where a crash stopped them."""

import datetime
from smtplib import SMTPException

import pytest
from django.core import mail
from django.utils import timezone

from portal import notifications, recipients
from portal.models import Agency, JobRun
from reports import services
from reports.models import NationalReport, ReportingYear, UnitReport
from tests.conftest import make_officer
from tests.reports.conftest import complete_national


def fail_once(monkeypatch, module, name, *, on_call=1, when=lambda *a, **k: True):
    """Replace ``module.name`` by a wrapper that raises on its ``on_call``-th counted call
    (calls for which ``when`` is true), once; every other call goes to the real one."""
    real = getattr(module, name)
    state = {"calls": 0, "raised": False}

    def wrapper(*args, **kwargs):
        if when(*args, **kwargs) and not state["raised"]:
            state["calls"] += 1
            if state["calls"] == on_call:
                state["raised"] = True
                raise SMTPException("the mail server went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return state


def test_a_crash_inside_open_year_is_redone_by_the_next_run(monkeypatch, year_2026, no_parts):
    state = fail_once(monkeypatch, services, "_create_progress_rows")
    with pytest.raises(SMTPException):
        services.open_year(year_2026)
    assert state["raised"]
    # Nothing committed: neither the drafts nor the claim.
    assert not UnitReport.objects.filter(reporting_year=year_2026).exists()
    assert not JobRun.objects.filter(name="reports.open_year").exists()

    result = services.open_year(year_2026)
    units = services.reporting_units(year_2026.plan)
    assert result == {"created": len(units), "units": len(units)}
    agency_ids = list(
        UnitReport.objects.filter(reporting_year=year_2026).values_list("agency_id", flat=True)
    )
    assert sorted(agency_ids) == sorted(a.pk for a in units)  # every unit exactly once
    assert UnitReport.objects.filter(progress__isnull=False).exists()
    year_2026.refresh_from_db()
    assert year_2026.opened_at is not None


def test_a_crash_inside_the_lock_leaves_the_year_open_until_the_next_run(
    monkeypatch, opened_year, hanoi_report
):
    fail_once(monkeypatch, services, "_unit_header", on_call=2)
    with pytest.raises(SMTPException):
        services.lock_year(opened_year)
    opened_year.refresh_from_db()
    hanoi_report.refresh_from_db()
    assert opened_year.status == ReportingYear.Status.OPEN
    assert hanoi_report.snapshot is None
    assert not opened_year.history.filter(history_change_reason="lock").exists()

    assert services.lock_year(opened_year)["locked"] == opened_year.unit_reports.count()
    opened_year.refresh_from_db()
    assert opened_year.status == ReportingYear.Status.LOCKED
    assert not opened_year.unit_reports.filter(snapshot__isnull=True).exists()
    assert opened_year.history.first().history_change_reason == "lock"


@pytest.fixture
def officers(province_officer, other_province_officer, provinces):
    """Officers of three provinces' departments: {agency_id: email}."""
    danang = Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=provinces["48"])
    third = make_officer(danang, "canbo.danang@example.vn")
    return {
        user.memberships.get().agency_id: user.email
        for user in (province_officer, other_province_officer, third)
    }


def sent_per_unit(officers):
    return {
        agency_id: sum(1 for m in mail.outbox if email in m.to)
        for agency_id, email in officers.items()
    }


def test_reminders_resume_after_a_crash_at_the_second_unit(
    monkeypatch, officers, other_province_officer, opened_year, hanoi_report, hcm_report
):
    # Hồ Chí Minh City has submitted already: it is not reminded at all.
    services.submit_report(report=hcm_report, user=other_province_officer)
    pending = set(officers) - {hcm_report.agency_id}
    state = fail_once(
        monkeypatch, notifications, "send", on_call=2, when=lambda messages: bool(messages)
    )
    with pytest.raises(SMTPException):
        services.send_unit_reminders(opened_year, "11-08")
    assert state["raised"]
    assert sum(sent_per_unit(officers).values()) == 1  # one unit reminded before the crash
    lease = JobRun.objects.get(name="reports.remind_units")
    assert lease.finished_at is None and lease.state == "released"
    assert "SMTPException" in lease.error

    result = services.send_unit_reminders(opened_year, "11-08")
    assert result["sent"] == 1  # only the unit the crash left out
    assert sent_per_unit(officers) == {
        agency_id: 1 if agency_id in pending else 0 for agency_id in officers
    }
    lease.refresh_from_db()
    assert lease.finished_at is not None and lease.attempts == 2

    assert services.send_unit_reminders(opened_year, "11-08") is None
    assert sum(sent_per_unit(officers).values()) == len(pending)


def test_a_reminder_run_whose_worker_died_is_taken_over_after_its_lease(
    officers, opened_year, hanoi_report
):
    key = f"{opened_year.year}:11-13"
    now = timezone.now()
    JobRun.objects.create(
        name="reports.remind_units", key=key, expires_at=now + datetime.timedelta(minutes=5)
    )
    assert services.send_unit_reminders(opened_year, "11-13") is None  # still held
    assert mail.outbox == []
    JobRun.objects.filter(name="reports.remind_units").update(
        expires_at=now - datetime.timedelta(seconds=1)
    )
    services.send_unit_reminders(opened_year, "11-13")
    assert sent_per_unit(officers) == dict.fromkeys(officers, 1)


def test_every_finished_step_does_nothing_the_second_time(
    officers, ministry_officer, opened_year, hanoi_report
):
    assert services.open_year(opened_year) is None  # opened by the fixture
    units = opened_year.unit_reports.count()
    with_officers = sum(
        1 for r in opened_year.unit_reports.all() if recipients.agency_officers([r.agency_id])
    )
    assert with_officers >= 3
    assert services.send_unit_reminders(opened_year, "11-08")["sent"] == with_officers
    assert services.send_unit_reminders(opened_year, "11-08") is None
    assert services.lock_year(opened_year)["locked"] == units
    assert services.lock_year(opened_year) is None
    assert services.compile_national(opened_year)
    national = NationalReport.objects.get(reporting_year=opened_year)
    compiled = national.content_version
    assert services.compile_national(opened_year) is None
    assert services.remind_authority(opened_year)["sent"] == 1
    assert services.remind_authority(opened_year) is None
    complete_national(opened_year)
    assert services.publish_national(opened_year)["national_report"] == national.pk
    assert services.publish_national(opened_year) is None

    assert opened_year.unit_reports.count() == units
    assert len(mail.outbox) == with_officers + 1
    national.refresh_from_db()
    assert national.status == NationalReport.Status.PUBLISHED
    assert national.content_version == compiled + 1  # compiled once more at publication
    opened_year.refresh_from_db()
    assert opened_year.status == ReportingYear.Status.PUBLISHED
    reasons = list(opened_year.history.values_list("history_change_reason", flat=True))
    assert reasons[:3] == ["publish", "compile", "lock"]
    assert set(reasons[3:]) == {None}  # created and opened before the workflow
    assert not JobRun.objects.filter(name__startswith="reports.", finished_at=None).exists()


def test_the_scheduled_steps_leave_a_report_published_by_hand_alone(ministry_officer, opened_year):
    complete_national(opened_year)
    services.publish_now(opened_year, user=ministry_officer)
    national = NationalReport.objects.get(reporting_year=opened_year)
    version = national.content_version
    assert services.lock_year(opened_year) == {"locked": 0}
    assert services.compile_national(opened_year) == {"national_report": national.pk}
    assert services.publish_national(opened_year) == {"national_report": national.pk}
    national.refresh_from_db()
    assert national.content_version == version
    assert national.history.first().history_user == ministry_officer
