"""Celery tasks: thin, taking primary keys. The services compose the messages (and claim each
delivery); the tasks only send them."""

from celery import shared_task

from portal.notifications import mail_sender, mail_task, send

from . import services

send_confirmation = mail_sender(
    "consumer_warnings.tasks.send_confirmation", services.confirmation_mail
)


def send_claimed(mails):
    """Send each subscriber's messages that ``mails`` (a generator of the services) yields
    inside their claim. A send that fails is thrown back in, so that its claim and delivery
    record are rolled back with it; the error then reaches Celery, which retries."""
    sent = 0
    for messages in mails:
        try:
            sent += send(messages)
        except Exception as exc:
            mails.throw(exc)
    return sent


@mail_task
def send_alerts(warning_pk):
    return send_claimed(services.alert_mails(warning_pk))


@mail_task
def send_weekly_digest(now=None):
    return send_claimed(services.digest_mails(now))


@shared_task
def purge_subscriptions(now=None):
    """Daily (beat ``warnings-purge-subscriptions``): delete the addresses the sign-up form
    says are deleted, on the day it says. Safe to run twice: nothing is left the second
    time."""
    return services.purge_subscriptions(now)
