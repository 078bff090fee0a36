"""Background work of complaints: thin tasks that take primary keys. The e-mails are
composed in ``services`` (``*_mail``), in each recipient's language; the tasks only send."""

from celery import shared_task

from portal.notifications import mail_task, send

from . import services


@mail_task
def send_filing_confirmation(complaint_pk, token):
    return send(services.filing_confirmation_mail(complaint_pk, token))


@mail_task
def notify_new_complaint(complaint_pk):
    return send(services.new_complaint_mail(complaint_pk))


@mail_task
def notify_consumer_reply(complaint_pk):
    return send(services.consumer_reply_mail(complaint_pk))


@mail_task
def notify_business(complaint_pk):
    return send(services.forwarded_to_business_mail(complaint_pk))


@mail_task
def notify_status_change(complaint_pk):
    return send(services.status_change_mail(complaint_pk))


@mail_task
def send_overdue_reminder(step_pk):
    return send(services.overdue_reminder_mail(step_pk))


# The daily jobs (beat, from 07:00): each idempotent and crash-safe with ``portal.jobs`` (see
# the services they call); a run that finds its day done does nothing.


@shared_task
def flag_overdue_steps():
    """Flag the steps past their deadline and remind whoever owes them, once per step."""
    return services.run_overdue_steps() or 0


@shared_task
def purge_abandoned_drafts():
    """Delete the files of filing forms never sent."""
    return services.run_purge_drafts() or 0


@shared_task
def erase_expired_personal_data():
    """Erase the personal data of complaints finished more than the retention period ago."""
    return services.run_erase_expired() or 0
