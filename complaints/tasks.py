"""Background work of complaints: thin tasks that take primary keys. The e-mails are
composed in ``services`` (``*_mail``), in each recipient's language; the tasks only send."""

from celery import shared_task

from portal.notifications import mail_sender

from . import services
from .services import (
    consumer_reply_mail,
    filing_confirmation_mail,
    forwarded_to_business_mail,
    new_complaint_mail,
    overdue_reminder_mail,
    status_change_mail,
)

send_filing_confirmation = mail_sender(
    "complaints.tasks.send_filing_confirmation", filing_confirmation_mail
)
notify_new_complaint = mail_sender("complaints.tasks.notify_new_complaint", new_complaint_mail)
notify_consumer_reply = mail_sender("complaints.tasks.notify_consumer_reply", consumer_reply_mail)
notify_business = mail_sender("complaints.tasks.notify_business", forwarded_to_business_mail)
notify_status_change = mail_sender("complaints.tasks.notify_status_change", status_change_mail)
send_overdue_reminder = mail_sender("complaints.tasks.send_overdue_reminder", overdue_reminder_mail)
notify_reopen_request = mail_sender(
    "complaints.tasks.notify_reopen_request", services.reopen_request_mail
)
notify_reopen_decision = mail_sender(
    "complaints.tasks.notify_reopen_decision", services.reopen_decision_mail
)
notify_business_reopened = mail_sender(
    "complaints.tasks.notify_business_reopened", services.business_reopened_mail
)
notify_data_request = mail_sender(
    "complaints.tasks.notify_data_request", services.data_request_mail
)
notify_data_request_decision = mail_sender(
    "complaints.tasks.notify_data_request_decision", services.data_request_decision_mail
)


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


@shared_task
def recompute_deadlines(day, before, after, change_key):
    import datetime

    return services.recompute_deadlines(
        datetime.date.fromisoformat(day), before or None, after or None, change_key
    )
