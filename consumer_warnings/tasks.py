"""Celery tasks: thin, taking primary keys; the work and its idempotence are in services."""

from portal.notifications import mail_task

from . import services


@mail_task
def send_alerts(warning_pk):
    return services.send_alerts(warning_pk)


@mail_task
def send_confirmation(subscription_pk):
    return services.send_confirmation(subscription_pk)


@mail_task
def send_weekly_digest():
    services.purge_subscriptions()
    return services.send_weekly_digest()
