"""Celery tasks: thin, taking primary keys. The services compose the messages (and claim each
delivery); the tasks only send them."""

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
    services.purge_subscriptions(now)
    return send_claimed(services.digest_mails(now))
