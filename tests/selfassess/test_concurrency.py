"""Two people making a step on the same assessment at the same moment, in real threads on
PostgreSQL: the row lock lets exactly one through; the other sees the state it left and
gets a clear message; exactly one event is recorded."""

import pytest

from portal.errors import InvalidTransition
from selfassess import services
from selfassess.models import Assessment, AssessmentEvent
from tests.concurrency import race, winners_and_losers
from tests.conftest import postgres_only

from .conftest import fill_all

pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def fresh(assessment):
    """Each thread works on its own instance, as two requests would."""
    return Assessment.objects.get(pk=assessment.pk)


def test_two_officers_deciding_at_once_one_wins(submitted, province_officer, ministry_officer):
    outcomes = race(
        lambda: services.review(
            assessment=fresh(submitted), officer=province_officer, decision="verify"
        ),
        lambda: services.review(
            assessment=fresh(submitted),
            officer=ministry_officer,
            decision="reject",
            note="Minh chứng không khớp",
        ),
    )
    winners, losers = winners_and_losers(outcomes)
    assert len(winners) == 1 and len(losers) == 1
    assert type(losers[0]) is InvalidTransition
    assert losers[0].messages == [
        "This assessment is no longer awaiting review: it has been decided meanwhile."
    ]
    submitted.refresh_from_db()
    decided = submitted.events.exclude(kind__in=["started", "submitted"])
    assert decided.count() == 1
    assert decided.get().pk == winners[0].pk
    assert submitted.status == {"verified": "verified", "rejected": "rejected"}[winners[0].kind]
    assert submitted.decided_by_id == winners[0].actor_id


def test_two_submits_of_the_same_draft_make_one_submission(assessment, business_member):
    fill_all(assessment, business_member)
    outcomes = race(
        lambda: services.submit(assessment=fresh(assessment), user=business_member),
        lambda: services.submit(assessment=fresh(assessment), user=business_member),
    )
    winners, losers = winners_and_losers(outcomes)
    assert len(winners) == 1 and len(losers) == 1
    assert type(losers[0]) is InvalidTransition
    assert losers[0].messages == [
        "This assessment has already been submitted and can no longer be changed."
    ]
    assert assessment.events.filter(kind=AssessmentEvent.Kind.SUBMITTED).count() == 1
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED


def test_an_answer_saved_while_submitting_is_either_in_or_refused(assessment, business_member):
    """The answer and the submission take the same row lock: the answer lands before the
    submission (and is part of it) or is refused after it; never changed once submitted."""
    from .factories import criterion

    fill_all(assessment, business_member)
    b1 = criterion(assessment.criteria_set, "B1")
    outcomes = race(
        lambda: services.submit(assessment=fresh(assessment), user=business_member),
        lambda: services.save_answer(
            assessment=fresh(assessment), criterion=b1, value="no", user=business_member
        ),
    )
    (_submitted, submit_error), (_score, save_error) = outcomes
    assert submit_error is None
    answer = assessment.answers.get(criterion=b1)
    if save_error is None:
        assert answer.value == "no"
        event = assessment.events.get(kind="submitted")
        assessment.refresh_from_db()
        assert event.percent == assessment.percent
    else:
        assert type(save_error) is InvalidTransition
        assert answer.value == "yes"
