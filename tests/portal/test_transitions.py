"""The transition table (portal.transitions) on the portal's own lifecycle, a membership
request: the row is locked and re-read, the actor checked (404), then the state (a message),
and one history row is written per transition."""

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from portal import services
from portal.errors import InvalidInput, InvalidTransition, NotAllowed
from portal.middleware import DomainErrorMiddleware
from portal.models import MEMBERSHIP_WORKFLOW, Agency, Membership
from portal.transitions import Transition, Workflow
from tests.concurrency import race, winners_and_losers
from tests.conftest import login, make_member, make_officer
from tests.factories import BusinessFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(business):
    user = make_member(business, "xin.gia.nhap@example.vn", status=Membership.Status.PENDING)
    return Membership.objects.get(user=user, business=business)


def test_a_transition_saves_the_target_and_refreshes_the_callers_instance(
    pending, province_officer
):
    services.decide_membership(membership=pending, decider=province_officer, approve=True)
    assert pending.status == Membership.Status.APPROVED
    assert Membership.objects.get(pk=pending.pk).decided_by == province_officer
    assert pending.history.filter(status=Membership.Status.APPROVED).count() == 1


def test_the_state_is_checked_on_the_row_not_on_the_callers_copy(pending, province_officer):
    stale = Membership.objects.get(pk=pending.pk)
    services.decide_membership(membership=pending, decider=province_officer, approve=True)
    assert stale.status == Membership.Status.PENDING  # an old copy still says pending
    with pytest.raises(InvalidTransition) as error:
        services.decide_membership(
            membership=stale, decider=province_officer, approve=False, reason="Không rõ"
        )
    assert "đã được xử lý" in error.value.messages[0]
    assert Membership.objects.get(pk=pending.pk).status == Membership.Status.APPROVED


def test_who_is_checked_before_the_state(pending, other_province_officer):
    with pytest.raises(NotAllowed):
        services.decide_membership(membership=pending, decider=other_province_officer, approve=True)


def test_bad_input_is_refused_before_anything_moves(pending, province_officer):
    with pytest.raises(InvalidInput):
        services.decide_membership(membership=pending, decider=province_officer, approve=False)
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING


def test_only_the_authority_appoints_agency_officers(
    reference_data, ministry_officer, ministry_unit_officer
):
    agency = Agency.objects.get(code="cuc-hoa-chat")
    candidate = make_officer(agency, "ung.vien@example.vn", mfa=False)
    request = Membership.objects.get(user=candidate)
    Membership.objects.filter(pk=request.pk).update(status=Membership.Status.PENDING)
    request.refresh_from_db()
    assert not MEMBERSHIP_WORKFLOW.can("approve", ministry_unit_officer, request)
    with pytest.raises(NotAllowed):
        services.decide_membership(membership=request, decider=ministry_unit_officer, approve=True)
    assert MEMBERSHIP_WORKFLOW.available(ministry_officer, request) == ["approve", "reject"]
    services.decide_membership(membership=request, decider=ministry_officer, approve=True)


def test_the_decision_page_answers_404_outside_the_remit(client, pending, other_province_officer):
    login(client, other_province_officer)
    url = reverse("portal:membership_decide", args=[pending.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "approve"}).status_code == 404


def test_a_decision_on_a_request_decided_meanwhile_says_why(client, pending, province_officer):
    url = reverse("portal:membership_decide", args=[pending.pk])
    login(client, province_officer)
    page = client.get(url)
    assert page.status_code == 200
    services.decide_membership(membership=pending, decider=province_officer, approve=True)
    response = client.post(url, {"decision": "reject", "reason": "Hồ sơ thiếu giấy tờ"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "đã được xử lý" in body
    pending.refresh_from_db()
    assert pending.status == Membership.Status.APPROVED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_once_make_one_decision(reference_data, hanoi):
    business = BusinessFactory(province=hanoi)
    user = make_member(business, "dong.thoi@example.vn", status=Membership.Status.PENDING)
    pending = Membership.objects.get(user=user)
    agency = Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=hanoi)
    first = make_officer(agency, "mot@example.vn")
    second = make_officer(agency, "hai@example.vn")

    outcomes = race(
        lambda: services.decide_membership(membership=pending, decider=first, approve=True),
        lambda: services.decide_membership(
            membership=pending, decider=second, approve=False, reason="Trùng"
        ),
    )
    winners, losers = winners_and_losers(outcomes)
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], InvalidTransition)
    decided = pending.history.exclude(status=Membership.Status.PENDING)
    assert decided.count() == 1


def test_the_error_middleware_maps_not_allowed_to_404_and_input_to_a_message():
    request = RequestFactory().post("/x/", HTTP_REFERER="http://testserver/tai-khoan/")
    request.session = {}
    request._messages = FallbackStorage(request)
    middleware = DomainErrorMiddleware(lambda r: None)
    response = middleware.process_exception(request, InvalidInput("Không được"))
    assert response.status_code == 302 and response["Location"] == "http://testserver/tai-khoan/"
    assert [str(m) for m in request._messages] == ["Không được"]
    foreign = RequestFactory().post("/x/", HTTP_REFERER="https://evil.example/")
    foreign.session = {}
    foreign._messages = FallbackStorage(foreign)
    assert middleware.process_exception(foreign, InvalidInput("x"))["Location"] == "/x/"
    with pytest.raises(Http404):
        middleware.process_exception(request, NotAllowed("x"))
    assert middleware.process_exception(request, ValueError("x")) is None


def test_the_history_label_belongs_to_the_transitions_save_only(pending, province_officer):
    with MEMBERSHIP_WORKFLOW.transition(pending, "approve", user=province_officer) as change:
        pass
    labelled = pending.history.first()
    assert (labelled.history_change_reason, labelled.history_user) == ("approve", province_officer)
    change.row.note = "Ghi chú sau"
    change.row.save()
    later = pending.history.first()
    assert later.history_id != labelled.history_id
    assert (later.history_change_reason, later.history_user) == (None, None)


def test_a_condition_is_checked_on_the_locked_row_and_refuses_like_a_wrong_state(
    pending, province_officer
):
    workflow = Workflow(
        Membership,
        [
            Transition(
                "approve",
                {Membership.Status.PENDING},
                Membership.Status.APPROVED,
                Membership.may_be_decided_by,
                "Chưa có ghi chú.",
                condition=lambda row: bool(row.note),
            )
        ],
    )
    pending.note = "Giám đốc"  # the caller's copy says yes, the row says no
    Membership.objects.filter(pk=pending.pk).update(note="")
    with (
        pytest.raises(InvalidTransition, match="Chưa có ghi chú."),
        workflow.transition(pending, "approve", user=province_officer),
    ):
        pass
    assert not workflow.can("approve", province_officer, Membership.objects.get(pk=pending.pk))
    Membership.objects.filter(pk=pending.pk).update(note="Giám đốc")
    with workflow.transition(pending, "approve", user=province_officer):
        pass
    assert pending.status == Membership.Status.APPROVED
