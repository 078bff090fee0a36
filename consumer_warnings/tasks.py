"""Celery tasks: thin, taking primary keys; the work and its idempotence are in services."""

from celery import shared_task

from . import services


@shared_task
def send_alerts(warning_pk):
    return services.send_alerts(warning_pk)


@shared_task
def send_confirmation(subscription_pk):
    return services.send_confirmation(subscription_pk)


@shared_task
def send_weekly_digest():
    services.purge_subscriptions()
    return services.send_weekly_digest()
