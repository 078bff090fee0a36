"""An announced day off moves the deadlines already running, once, with a timeline note."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from complaints import services
from complaints.models import ComplaintEvent, ComplaintStep, Step
from portal.models import AnnouncedDay
from tests.complaints.factories import make_complaint

pytestmark = pytest.mark.django_db

D = datetime.date
MONDAY = datetime.datetime(2026, 3, 2, 9, tzinfo=timezone.get_default_timezone())


def _announce(day, kind=AnnouncedDay.Kind.OFF):
    row = AnnouncedDay.objects.create(
        date=day, kind=kind, decision_number="1/TB-TEST", decision_date=D(2026, 2, 20)
    )
    return row, row.history.latest().history_id


def _running(complaint):
    return ComplaintStep.objects.get(complaint=complaint, completed_at__isnull=True)


def test_a_day_off_moves_a_running_deadline_by_one_working_day_with_a_note(reference_data):
    with time_machine.travel(MONDAY, tick=False):
        complaint = make_complaint()
    step = _running(complaint)
    # Filed Monday 2/3/2026: 7 working days to forward → Wednesday 11/3.
    assert (step.kind, step.due_on) == (Step.FORWARD, D(2026, 3, 11))
    _row, key = _announce(D(2026, 3, 9))
    assert services.recompute_deadlines(D(2026, 3, 9), None, "off", key) == 1
    step.refresh_from_db()
    complaint.refresh_from_db()
    assert step.due_on == complaint.step_due == D(2026, 3, 12)
    note = complaint.events.get(kind=ComplaintEvent.Kind.MESSAGE, actor_role="system")
    assert note.visibility == "public"
    assert "09/03/2026" in note.message and "12/03/2026" in note.message
    # Idempotent: the same change again moves nothing more.
    assert services.recompute_deadlines(D(2026, 3, 9), None, "off", key) == 0
    step.refresh_from_db()
    assert step.due_on == D(2026, 3, 12)


def test_withdrawing_the_day_moves_the_deadline_back(reference_data):
    with time_machine.travel(MONDAY, tick=False):
        complaint = make_complaint()
    row, key = _announce(D(2026, 3, 9))
    services.recompute_deadlines(D(2026, 3, 9), None, "off", key)
    pk = row.pk
    row.delete()
    removal = AnnouncedDay.history.filter(id=pk).latest().history_id
    assert services.recompute_deadlines(D(2026, 3, 9), "off", None, removal) == 1
    assert _running(complaint).due_on == D(2026, 3, 11)


def test_a_completed_step_and_a_window_without_the_day_do_not_move(
    reference_data, province_officer
):
    with time_machine.travel(MONDAY, tick=False):
        done = make_complaint()
        services.forward(done, actor=province_officer)
        later = make_complaint()
    forwarded = done.steps.get(kind=Step.FORWARD)
    _row, key = _announce(D(2026, 3, 20))  # after later's 11/3 deadline
    assert services.recompute_deadlines(D(2026, 3, 20), None, "off", key) == 0
    forwarded.refresh_from_db()
    assert forwarded.due_on == D(2026, 3, 11) and forwarded.completed_at is not None
    assert _running(later).due_on == D(2026, 3, 11)
    assert not ComplaintEvent.objects.filter(actor_role="system", kind="message").exists()
