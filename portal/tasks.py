"""Thin Celery tasks: they take primary keys and call services or send mail."""

from datetime import timedelta

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from .jobs import once
from .models import JobRun
from .notifications import mail_sender

# Sign-ups whose e-mail was never confirmed are deleted after this many days (personal data
# is kept no longer than the process needs it: Luật 91/2025/QH15).
UNCONFIRMED_ACCOUNT_RETENTION_DAYS = 30
JOB_RUN_RETENTION_DAYS = 3 * 365


notify_membership_request = mail_sender(
    "portal.tasks.notify_membership_request", "portal.services.membership_request_mail"
)
notify_membership_decision = mail_sender(
    "portal.tasks.notify_membership_decision", "portal.services.membership_decision_mail"
)


@shared_task
def send_request_digests():
    """Hourly: one e-mail per province for the requests that waited for the digest."""
    from .services import request_digests

    return request_digests()


@shared_task
def purge_expired_records(today=None):
    """Daily: delete never-confirmed sign-ups past their retention period and old job
    claims. Safe to run twice: the second run finds nothing left to delete."""
    today = today or timezone.localdate().isoformat()
    with once("portal.purge_expired_records", today) as run:
        if not run:
            return None
        now = timezone.now()
        user_model = get_user_model()
        stale_users = user_model.objects.filter(
            date_joined__lt=now - timedelta(days=UNCONFIRMED_ACCOUNT_RETENTION_DAYS),
            last_login__isnull=True,
            is_staff=False,
            is_superuser=False,
            memberships__isnull=True,
        ).exclude(emailaddress__verified=True)
        users_deleted, _ = stale_users.delete()
        runs_deleted, _ = JobRun.objects.filter(
            started_at__lt=now - timedelta(days=JOB_RUN_RETENTION_DAYS)
        ).delete()
        run.result.update(users_deleted=users_deleted, job_runs_deleted=runs_deleted)
    return run.pk


@shared_task
def clear_expired_sessions(today=None):
    """Daily: delete expired sessions (Django's ``clearsessions``), which hold abandoned
    filing drafts with names and phone numbers. Safe to run twice: a second run finds no
    expired session (and the day's claim) and does nothing."""
    from django.core.management import call_command

    today = today or timezone.localdate().isoformat()
    with once("portal.clear_expired_sessions", today) as run:
        if run:
            call_command("clearsessions")
    return run.pk


@shared_task
def render_stored_pdf(model_label, pk):
    """Render one row's PDF (``portal.pdf.StoredPdf``). Safe to deliver twice and to crash:
    the row is locked while it renders (a second worker skips it), a current PDF is not
    redone, and a crash leaves the row as it was for the next request to queue again."""
    from django.apps import apps
    from django.db import transaction

    model = apps.get_model(model_label)
    with transaction.atomic():
        row = model.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
        if row is None or row.pdf_is_current:
            return None
        row.store_pdf()
    return row.pdf.name


@shared_task
def rebuild_public_pages():
    """After a change the public pages show: render the hot pages again into the shared cache
    (``portal.public_cache``), so that no visitor waits for them."""
    from django.core.cache import cache

    from . import public_cache

    # Cleared first: a change committed while this runs queues the next rebuild.
    cache.delete(public_cache.PENDING_KEY)
    return public_cache.rebuild()
