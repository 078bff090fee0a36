"""The authority keeps the announced days off in the back office; provinces only read."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from complaints.models import ComplaintStep
from portal.models import AnnouncedDay
from tests.complaints.factories import make_complaint
from tests.conftest import login

pytestmark = pytest.mark.django_db

URL = "/quan-tri/portal/announcedday/"
FORM = {
    "date": "09/03/2026",
    "kind": "off",
    "decision_number": "1/TB-TEST",
    "decision_date": "20/02/2026",
    "note": "",
}


def test_the_authority_adds_a_day_off_and_running_deadlines_move(
    client, ministry_officer, run_on_commit
):
    monday = datetime.datetime(2026, 3, 2, 9, tzinfo=timezone.get_default_timezone())
    with time_machine.travel(monday, tick=False):
        complaint = make_complaint()
    login(client, ministry_officer)
    with run_on_commit():
        response = client.post(URL + "add/", FORM)
    assert response.status_code == 302, response.content.decode()[:2000]
    day = AnnouncedDay.objects.get()
    assert day.created_by == ministry_officer and day.decision_number == "1/TB-TEST"
    assert day.history.count() == 1
    step = ComplaintStep.objects.get(complaint=complaint)
    assert step.due_on == datetime.date(2026, 3, 12)
    with run_on_commit():
        assert client.post(URL + f"{day.pk}/delete/", {"post": "yes"}).status_code == 302
    step.refresh_from_db()
    assert step.due_on == datetime.date(2026, 3, 11)
    assert AnnouncedDay.history.filter(history_type="-").exists()


def test_a_province_officer_reads_but_may_not_add_or_change(client, province_officer):
    day = AnnouncedDay.objects.create(
        date=datetime.date(2026, 3, 9),
        kind="off",
        decision_number="1/TB-TEST",
        decision_date=datetime.date(2026, 2, 20),
    )
    login(client, province_officer)
    assert client.get(URL).status_code == 200
    assert client.get(URL + "add/").status_code == 403
    assert client.post(URL + "add/", {**FORM, "date": "10/03/2026"}).status_code == 403
    assert client.post(URL + f"{day.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AnnouncedDay.objects.count() == 1
