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
        services.run_daily(TODAY)
    assert ComplaintStep.objects.filter(overdue_flagged_at__isnull=False).count() == 1
    assert len(mail.outbox) == 1
    # The lease was released, so the next run takes the day over.
    lease = JobRun.objects.get(name="complaints.daily")
    assert lease.finished_at is None and "worker died" in lease.error

    with run_on_commit():
        assert services.run_daily(TODAY) == 2
    assert not ComplaintStep.objects.filter(overdue_flagged_at__isnull=True).exists()
    for complaint in complaints:
        events = complaint.events.filter(kind=ComplaintEvent.Kind.OVERDUE)
        assert events.count() == 1
        assert sum(complaint.code in m.subject for m in mail.outbox) == 1
    assert len(mail.outbox) == 3
    assert JobRun.objects.get(name="complaints.daily").finished_at is not None

    # The day is done: a third run does nothing.
    with run_on_commit():
        assert services.run_daily(TODAY) is None
    assert len(mail.outbox) == 3


def test_the_daily_steps_run_once_a_day(reference_data, monkeypatch):
    purged = []
    monkeypatch.setattr(services, "purge_abandoned_drafts", lambda: purged.append(1) or 0)
    assert services.run_daily(TODAY) == 0
    assert services.run_daily(TODAY) is None
    assert services.run_daily(TODAY + datetime.timedelta(days=1)) == 0
    assert len(purged) == 2
    assert JobRun.objects.get(name="complaints.erase_expired", key=str(TODAY)).result == {
        "erased": 0
    }
