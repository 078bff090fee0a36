"""Looking at a result again (issue 15, item 6): a consumer who is not satisfied asks within
COMPLAINTS_REOPEN_DAYS of the result, the province's officers are told and decide (reopen
to negotiation, a new statutory step counted in timeliness, or close with the other ways to
settle the dispute), and the consumer is told by e-mail and on the timeline."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from complaints import records, services
from complaints.models import Complaint, ComplaintEvent, ComplaintStep, Status, Step
from tests.complaints.factories import make_complaint
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REASON = "Doanh nghiệp hứa đổi máy nhưng đến nay vẫn chưa đổi."


@pytest.fixture
def unresolved(consumer, business, business_member, province_officer):
    """A complaint the business answered without agreement; the consumer said so."""
    complaint = make_complaint(business=business, user=consumer, complainant_email="hoa@example.vn")
    services.forward(complaint, actor=province_officer)
    services.acknowledge(complaint, actor=business_member)
    services.report_result(complaint, actor=business_member, resolved=False, message="Không đổi.")
    actor = services.complainant(complaint, consumer)
    services.give_feedback(complaint, actor=actor, satisfied=False, message="")
    complaint.refresh_from_db()
    return complaint


def _track(code):
    return f"/khieu-nai/tra-cuu/{code}/"


def _ask(client, complaint, reason=REASON):
    return client.post(_track(complaint.code) + "mo-lai/", {"message": reason}, follow=True)


def _staff(client, complaint, action, message=""):
    return client.post(
        f"/khieu-nai/quan-ly/{complaint.code}/xu-ly/",
        {"action": action, "message": message},
        follow=True,
    )


def test_the_whole_flow_reopened_to_negotiation(
    client, unresolved, consumer, province_officer, business, business_member, run_on_commit
):
    login(client, consumer)
    page = client.get(_track(unresolved.code)).content.decode()
    assert "Không hài lòng? Đề nghị xem xét lại" in page and 'id="ask-reopen"' in page
    english = client.get("/en" + _track(unresolved.code)).content.decode()
    assert "Not satisfied? Ask to look at it again" in english

    # Without a reason: refused, nothing asked.
    page = _ask(client, unresolved, reason="  ").content.decode()
    unresolved.refresh_from_db()
    assert unresolved.reopen_requested_at is None
    assert "Hãy nêu lý do" in page

    mail.outbox.clear()
    with run_on_commit():
        page = _ask(client, unresolved).content.decode()
    unresolved.refresh_from_db()
    assert unresolved.reopen_requested_at is not None
    assert unresolved.status == Status.UNRESOLVED and unresolved.satisfied is False
    event = unresolved.events.get(kind=ComplaintEvent.Kind.REOPEN_ASKED)
    assert event.message == REASON and event.actor_role == "consumer"
    assert "Sở Công Thương quyết định" in page and 'id="ask-reopen"' not in page
    [officers] = [m for m in mail.outbox if province_officer.email in m.to]
    assert unresolved.code in officers.subject and "xem xét lại" in officers.subject
    assert f"/khieu-nai/quan-ly/{unresolved.code}/" in officers.body
    assert REASON not in officers.body  # read on the page, not copied into mail
    # Only once while waiting.
    page = _ask(client, unresolved, reason="Lần nữa").content.decode()
    assert unresolved.events.filter(kind=ComplaintEvent.Kind.REOPEN_ASKED).count() == 1

    client.logout()
    login(client, province_officer)
    listing = client.get("/khieu-nai/quan-ly/").content.decode()
    assert "đề nghị xem xét lại" in listing
    page = client.get(f"/khieu-nai/quan-ly/{unresolved.code}/").content.decode()
    assert REASON in page and 'id="action-reopen"' in page
    assert 'id="action-close-with-routes"' in page
    assert 'value="close"' not in page  # decided, not closed over

    mail.outbox.clear()
    steps_before = unresolved.steps.count()
    with run_on_commit():
        _staff(client, unresolved, "reopen", "Đề nghị doanh nghiệp thương lượng lại.")
    unresolved.refresh_from_db()
    assert unresolved.status == Status.NEGOTIATING
    assert unresolved.reopen_requested_at is None and unresolved.reopened_at is not None
    assert unresolved.handled_at is None and unresolved.satisfied is None
    step = unresolved.steps.get(completed_at__isnull=True)
    assert unresolved.steps.count() == steps_before + 1
    assert step.kind == Step.NEGOTIATE and step.business_id == business.pk
    assert step.due_on == unresolved.step_due and step.due_on > timezone.localdate()
    status_event = unresolved.events.filter(kind=ComplaintEvent.Kind.STATUS).last()
    assert status_event.to_status == Status.NEGOTIATING
    assert "thương lượng lại" in status_event.message
    [to_consumer] = [m for m in mail.outbox if "hoa@example.vn" in m.to]
    assert "được mở lại" in to_consumer.subject
    assert step.due_on.strftime("%d/%m/%Y") in to_consumer.body
    [to_business] = [m for m in mail.outbox if business_member.email in m.to]
    assert unresolved.code in to_business.subject

    # The consumer sees it on the timeline; the business answers in the new step.
    client.logout()
    login(client, consumer)
    page = client.get(_track(unresolved.code)).content.decode()
    assert "thương lượng lại" in page
    services.report_result(unresolved, actor=business_member, resolved=True, message="Đã đổi.")
    unresolved.refresh_from_db()
    assert unresolved.status == Status.RESOLVED
    assert unresolved.steps.get(pk=step.pk).on_time is True


def test_the_officer_closes_with_the_other_ways(
    client, unresolved, consumer, province_officer, run_on_commit
):
    services.ask_reopen(unresolved, actor=services.complainant(unresolved, consumer), reason=REASON)
    login(client, province_officer)
    mail.outbox.clear()
    with run_on_commit():
        _staff(client, unresolved, "close_with_routes", "Kết quả thương lượng đã đúng quy định.")
    unresolved.refresh_from_db()
    assert unresolved.status == Status.CLOSED and unresolved.closed_at is not None
    assert unresolved.reopen_requested_at is None
    assert not unresolved.steps.filter(completed_at__isnull=True).exists()
    event = unresolved.events.filter(kind=ComplaintEvent.Kind.STATUS).last()
    for route in ("Hòa giải", "Trọng tài", "Tòa án"):
        assert route in event.message
    [to_consumer] = [m for m in mail.outbox if "hoa@example.vn" in m.to]
    assert "Hòa giải" in to_consumer.body and "Tòa án" in to_consumer.body
    # One mail to the consumer: the decision, not a second "new status" mail.
    assert len([m for m in mail.outbox if "hoa@example.vn" in m.to]) == 1


def test_a_closed_file_can_still_be_looked_at_again_within_the_period(
    client, unresolved, consumer, province_officer
):
    services.close(unresolved, actor=province_officer)
    login(client, consumer)
    _ask(client, unresolved)
    unresolved.refresh_from_db()
    assert unresolved.reopen_requested_at is not None
    # Decided on a closed file, the decision still reaches the timeline.
    services.close_with_routes(unresolved, actor=province_officer, message="")
    unresolved.refresh_from_db()
    assert unresolved.status == Status.CLOSED and unresolved.reopen_requested_at is None
    assert "Trọng tài" in unresolved.events.last().message


def test_refused_after_the_period(client, unresolved, consumer, settings):
    settings.COMPLAINTS_REOPEN_DAYS = 10
    deadline = timezone.localdate(unresolved.handled_at) + datetime.timedelta(days=10)
    login(client, consumer)
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(deadline, datetime.time(20))), tick=False
    ):
        assert 'id="ask-reopen"' in client.get(_track(unresolved.code)).content.decode()
    with time_machine.travel(
        timezone.make_aware(
            datetime.datetime.combine(deadline + datetime.timedelta(days=1), datetime.time(8))
        ),
        tick=False,
    ):
        page = client.get(_track(unresolved.code)).content.decode()
        assert 'id="ask-reopen"' not in page
        page = _ask(client, unresolved).content.decode()
    unresolved.refresh_from_db()
    assert unresolved.reopen_requested_at is None
    assert not unresolved.events.filter(kind=ComplaintEvent.Kind.REOPEN_ASKED).exists()
    assert "trong vòng 10 ngày" in page and deadline.strftime("%d/%m/%Y") in page
    assert REASON in page  # what was typed is given back to copy, not lost


def test_refused_for_another_persons_complaint(client, unresolved, province_officer):
    login(client, UserFactory(email="nguoikhac@example.vn"))
    assert _ask(client, unresolved).status_code == 404
    client.logout()
    assert _ask(client, unresolved).status_code == 404
    unresolved.refresh_from_db()
    assert unresolved.reopen_requested_at is None


def test_another_province_cannot_decide(client, unresolved, consumer, other_province_officer):
    services.ask_reopen(unresolved, actor=services.complainant(unresolved, consumer), reason=REASON)
    login(client, other_province_officer)
    assert _staff(client, unresolved, "reopen").status_code == 404
    unresolved.refresh_from_db()
    assert unresolved.status == Status.UNRESOLVED and unresolved.reopen_requested_at


def test_no_decision_without_a_request(unresolved, province_officer):
    from portal.errors import InvalidTransition

    with pytest.raises(InvalidTransition):
        services.reopen(unresolved, actor=province_officer)
    with pytest.raises(InvalidTransition):
        services.close_with_routes(unresolved, actor=province_officer)


def test_a_satisfied_consumer_or_an_open_complaint_cannot_ask(
    client, consumer, business, province_officer
):
    from portal.errors import InvalidTransition

    complaint = make_complaint(business=business, user=consumer)
    actor = services.complainant(complaint, consumer)
    with pytest.raises(InvalidTransition):
        services.ask_reopen(complaint, actor=actor, reason=REASON)  # still open
    services.forward(complaint, actor=province_officer)
    services.acknowledge(complaint, actor=province_officer)
    services.report_result(complaint, actor=province_officer, resolved=True, message="Xong.")
    services.give_feedback(complaint, actor=actor, satisfied=True)
    with pytest.raises(InvalidTransition):
        services.ask_reopen(complaint, actor=actor, reason=REASON)
    login(client, consumer)
    assert 'id="ask-reopen"' not in client.get(_track(complaint.code)).content.decode()


def test_timeliness_counts_the_reopened_step(unresolved, consumer, province_officer, business):
    before = records.timeliness(business)
    services.ask_reopen(unresolved, actor=services.complainant(unresolved, consumer), reason=REASON)
    services.reopen(unresolved, actor=province_officer)
    unresolved.refresh_from_db()
    step = unresolved.steps.get(completed_at__isnull=True)
    later = timezone.make_aware(
        datetime.datetime.combine(step.due_on + datetime.timedelta(days=3), datetime.time(9))
    )
    with time_machine.travel(later, tick=False):
        assert services.flag_overdue_steps() == 1
        after = records.timeliness(business)
        assert Complaint.objects.overdue().filter(pk=unresolved.pk).exists()
    unresolved.refresh_from_db()
    assert unresolved.is_late is True
    assert after["steps"] == before["steps"] + 1 and after["late"] == before["late"] + 1
    assert ComplaintStep.objects.filter(complaint=unresolved, kind=Step.NEGOTIATE).count() == 2
