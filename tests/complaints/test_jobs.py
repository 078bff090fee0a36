"""The daily pass survives a crash: a rerun does exactly the steps not yet done."""

import datetime

import pytest
from django.core import mail

from complaints import services
from complaints.models import Complaint, ComplaintEvent, ComplaintStep
from portal.models import JobRun
from tests.complaints.factories import make_complaint

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


def test_a_crashed_overdue_run_resumes_and_reminds_each_step_once(
    reference_data, province_officer, run_on_commit, monkeypatch
):
    complaints = [make_complaint() for _ in range(3)]
    ComplaintStep.objects.update(due_on=datetime.date(2026, 1, 5))
    Complaint.objects.update(step_due=datetime.date(2026, 1, 5))
    mail.outbox.clear()
    real_flag = services._flag_step
    calls = []

    def crash_on_the_second(step_pk):
        calls.append(step_pk)
        if len(calls) == 2:
            raise RuntimeError("worker died")
        return real_flag(step_pk)

    monkeypatch.setattr(services, "_flag_step", crash_on_the_second)
    with pytest.raises(RuntimeError), run_on_commit():
        services.run_overdue_steps(TODAY)
    assert ComplaintStep.objects.filter(overdue_flagged_at__isnull=False).count() == 1
    assert len(mail.outbox) == 1
    # The lease was released, so the next run takes the day over.
    lease = JobRun.objects.get(name="complaints.overdue")
    assert lease.finished_at is None and "worker died" in lease.error

    with run_on_commit():
        assert services.run_overdue_steps(TODAY) == 2
    assert not ComplaintStep.objects.filter(overdue_flagged_at__isnull=True).exists()
    for complaint in complaints:
        events = complaint.events.filter(kind=ComplaintEvent.Kind.OVERDUE)
        assert events.count() == 1
        assert sum(complaint.code in m.subject for m in mail.outbox) == 1
    assert len(mail.outbox) == 3
    assert JobRun.objects.get(name="complaints.overdue").finished_at is not None

    # The day is done: a third run does nothing.
    with run_on_commit():
        assert services.run_overdue_steps(TODAY) is None
    assert len(mail.outbox) == 3


def test_the_daily_jobs_run_once_a_day(reference_data, monkeypatch):
    purged = []
    monkeypatch.setattr(services, "purge_abandoned_drafts", lambda: purged.append(1) or 0)
    assert services.run_overdue_steps(TODAY) == 0
    assert services.run_overdue_steps(TODAY) is None
    assert services.run_purge_drafts(TODAY) == 0
    assert services.run_purge_drafts(TODAY) is None
    assert services.run_purge_drafts(TODAY + datetime.timedelta(days=1)) == 0
    assert len(purged) == 2
    assert services.run_erase_expired(TODAY) == 0
    assert services.run_erase_expired(TODAY) is None
    assert JobRun.objects.get(name="complaints.erase_expired", key=str(TODAY)).result == {
        "erased": 0
    }


def test_a_crashed_erasure_claims_nothing_and_the_next_run_does_it(reference_data, monkeypatch):
    def crash():
        raise RuntimeError("worker died")

    monkeypatch.setattr(services, "erase_expired_personal_data", crash)
    with pytest.raises(RuntimeError):
        services.run_erase_expired(TODAY)
    assert not JobRun.objects.filter(name="complaints.erase_expired").exists()
    monkeypatch.setattr(services, "erase_expired_personal_data", lambda: 0)
    assert services.run_erase_expired(TODAY) == 0


def test_each_daily_job_has_its_task_and_beat_entry():
    from django.conf import settings

    from complaints import tasks

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for task in (
        tasks.flag_overdue_steps,
        tasks.purge_abandoned_drafts,
        tasks.erase_expired_personal_data,
    ):
        assert task.name in scheduled
