"""The warnings' fan-out jobs survive a crash: the digest and the immediate alerts hold a
lease per run and claim each message, so a retry sends exactly the messages not yet sent."""

import datetime
import smtplib
from collections import Counter

import pytest
from django.core import mail
from django.utils import timezone

from consumer_warnings import services, tasks
from consumer_warnings.models import ConsumerWarning, Delivery
from portal.models import JobRun

from .factories import SubscriptionFactory, WarningFactory

NOW = timezone.make_aware(datetime.datetime(2026, 11, 25, 8, 0))


@pytest.fixture
def mail_fails_once_at(monkeypatch):
    """Make the n-th message of the next run fail as an SMTP server would."""

    def arm(n):
        real = tasks.send
        calls = []

        def send(messages):
            calls.append(messages)
            if len(calls) == n:
                raise smtplib.SMTPServerDisconnected("mail server went away")
            return real(messages)

        monkeypatch.setattr(tasks, "send", send)

    return arm


def inboxes():
    return Counter(message.to[0] for message in mail.outbox)


def test_digest_that_failed_half_way_sends_the_rest_on_retry(reference_data, mail_fails_once_at):
    subscribers = [SubscriptionFactory() for _ in range(3)]
    WarningFactory(published_at=NOW - datetime.timedelta(days=2))
    mail_fails_once_at(2)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        tasks.send_weekly_digest(NOW)
    assert inboxes() == Counter({subscribers[0].email: 1})
    assert Delivery.objects.count() == 1
    lease = JobRun.objects.get(name=services.DIGEST_JOB)
    assert lease.finished_at is None
    assert "mail server went away" in lease.error

    assert tasks.send_weekly_digest(NOW) == 2
    assert inboxes() == Counter({s.email: 1 for s in subscribers})
    for subscriber in subscribers:
        assert subscriber.deliveries.filter(kind="digest", period="2026-W48").count() == 1
    lease.refresh_from_db()
    assert lease.finished_at is not None
    assert lease.attempts == 2

    assert tasks.send_weekly_digest(NOW) == 0
    assert len(mail.outbox) == 3
    assert Delivery.objects.count() == 3


def test_alerts_that_failed_half_way_send_the_rest_on_retry(reference_data, mail_fails_once_at):
    warning = WarningFactory(risk_level=ConsumerWarning.Risk.SERIOUS, published_at=NOW)
    subscribers = [SubscriptionFactory() for _ in range(3)]
    mail_fails_once_at(2)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        tasks.send_alerts(warning.pk)
    assert inboxes() == Counter({subscribers[0].email: 1})

    assert tasks.send_alerts(warning.pk) == 2
    assert tasks.send_alerts(warning.pk) == 0
    assert inboxes() == Counter({s.email: 1 for s in subscribers})
    assert Delivery.objects.filter(kind="alert", warning=warning).count() == 3


def test_a_live_lease_keeps_a_second_worker_out_until_it_expires(reference_data):
    subscriber = SubscriptionFactory()
    WarningFactory(published_at=NOW - datetime.timedelta(days=1))
    period = services.digest_period(NOW)
    held = JobRun.objects.create(
        name=services.DIGEST_JOB,
        key=period,
        attempts=1,
        expires_at=timezone.now() + datetime.timedelta(minutes=10),
    )
    assert tasks.send_weekly_digest(NOW) == 0
    assert mail.outbox == []
    # The worker died: once its lease has expired, a later run takes the job over.
    held.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    held.save()
    assert tasks.send_weekly_digest(NOW) == 1
    assert mail.outbox[0].to == [subscriber.email]


def test_messages_sent_before_the_claims_are_not_sent_again(reference_data):
    """The migration that dropped the Delivery constraints claims what was already sent."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "consumer_warnings.migrations.0005_delivery_claimed_by_job_runs"
    )
    warning = WarningFactory(risk_level=ConsumerWarning.Risk.SERIOUS, published_at=NOW)
    old, new = SubscriptionFactory(), SubscriptionFactory()
    period = services.digest_period(NOW)
    Delivery.objects.create(subscription=old, kind="alert", warning=warning)
    Delivery.objects.create(subscription=old, kind="digest", period=period)

    migration.claim_sent_messages(apps, None)
    migration.claim_sent_messages(apps, None)  # a second pass adds nothing

    assert tasks.send_alerts(warning.pk) == 1
    assert tasks.send_weekly_digest(NOW) == 1
    assert inboxes() == Counter({new.email: 2})
    assert JobRun.objects.filter(name=services.ALERT_MESSAGE).count() == 2
