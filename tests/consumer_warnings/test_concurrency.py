"""Two officers act on the same warning at the same moment, in real PostgreSQL threads: the
transition locks and re-reads the row, so exactly one wins, the other is told why, one
event is recorded and subscribers are alerted once."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from consumer_warnings import services, tasks
from consumer_warnings.models import ConsumerWarning, Delivery, WarningEvent
from portal.errors import InvalidTransition
from tests.concurrency import race, winners_and_losers
from tests.conftest import postgres_only

from .factories import SubscriptionFactory, WarningFactory

pytestmark = [postgres_only, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def fresh(warning):
    """Each request reads its own copy of the row, as two browsers would."""
    return ConsumerWarning.objects.get(pk=warning.pk)


def test_two_officers_publish_the_same_draft_at_once(
    ministry_officer, province_officer, hanoi, settings
):
    settings.WARNINGS_PROVINCE_PUBLISHING = True
    draft = WarningFactory(
        status="draft", owner_province=hanoi, risk_level=ConsumerWarning.Risk.SERIOUS
    )
    subscribers = {SubscriptionFactory().email for _ in range(2)}
    one, two = fresh(draft), fresh(draft)

    outcomes = race(
        lambda: services.publish(one, user=ministry_officer),
        lambda: services.publish(two, user=province_officer),
    )

    winners, losers = winners_and_losers(outcomes)
    assert len(winners) == 1
    assert len(losers) == 1
    assert isinstance(losers[0], InvalidTransition)
    assert losers[0].messages == ["Chỉ bản nháp mới có thể đăng."]
    draft.refresh_from_db()
    assert draft.status == ConsumerWarning.Status.PUBLISHED
    assert WarningEvent.objects.filter(warning=draft, action="published").count() == 1
    # The winner's commit sent the immediate alerts, once to each subscriber.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(subscribers)
    assert Delivery.objects.filter(kind="alert", warning=draft).count() == 2


def test_two_officers_withdraw_the_same_warning_at_once(ministry_officer, ministry_unit_officer):
    published = WarningFactory()
    one, two = fresh(published), fresh(published)

    outcomes = race(
        lambda: services.withdraw(one, user=ministry_officer, reason="Sai lô hàng"),
        lambda: services.withdraw(two, user=ministry_unit_officer, reason="Đã khắc phục"),
    )

    winners, losers = winners_and_losers(outcomes)
    assert len(winners) == 1
    assert [type(e) for e in losers] == [InvalidTransition]
    assert losers[0].messages == ["Chỉ cảnh báo đã đăng mới có thể gỡ bỏ."]
    published.refresh_from_db()
    assert published.status == ConsumerWarning.Status.WITHDRAWN
    event = WarningEvent.objects.get(warning=published, action="withdrawn")
    assert published.withdrawal_reason == event.note == winners[0].withdrawal_reason


def test_an_update_racing_a_withdrawal_never_changes_a_withdrawn_warning(ministry_officer):
    published = WarningFactory()
    edited = fresh(published)
    edited.title = "Tiêu đề đã sửa"

    outcomes = race(
        lambda: services.save_warning(edited, user=ministry_officer, note="Sửa tiêu đề"),
        lambda: services.withdraw(fresh(published), user=ministry_officer, reason="Hết hạn"),
    )

    published.refresh_from_db()
    assert published.status == ConsumerWarning.Status.WITHDRAWN
    actions = list(published.events.values_list("action", flat=True))
    update_won = outcomes[0][1] is None
    if update_won:
        assert actions == ["updated", "withdrawn"]
        assert published.title == "Tiêu đề đã sửa"
    else:
        assert isinstance(outcomes[0][1], InvalidTransition)
        assert actions == ["withdrawn"]
        assert published.title != "Tiêu đề đã sửa"


def test_two_digest_runs_at_once_send_each_message_once(reference_data):
    now = timezone.make_aware(datetime.datetime(2026, 11, 25, 8, 0))
    subscribers = {SubscriptionFactory().email for _ in range(3)}
    WarningFactory(published_at=now - datetime.timedelta(days=1))

    outcomes = race(
        lambda: tasks.send_weekly_digest(now),
        lambda: tasks.send_weekly_digest(now),
    )

    assert [exc for _result, exc in outcomes] == [None, None]
    assert sorted(result for result, _exc in outcomes) == [0, 3]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(subscribers)
    assert Delivery.objects.filter(kind="digest").count() == 3
