"""Thin Celery tasks: they take primary keys and call services or send mail."""

from datetime import timedelta

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from .jobs import once
from .models import JobRun, Membership
from .notifications import mail_task, send_templated_mail

# Sign-ups whose e-mail was never confirmed are deleted after this many days (personal data
# is kept no longer than the process needs it: Luật 91/2025/QH15).
UNCONFIRMED_ACCOUNT_RETENTION_DAYS = 30
JOB_RUN_RETENTION_DAYS = 3 * 365


@mail_task
def notify_membership_request(membership_id):
    from .services import officers_for_province

    membership = (
        Membership.objects.select_related("user", "business", "agency")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None or membership.status != Membership.Status.PENDING:
        return 0
    recipients = officers_for_province(membership.organisation_province_id)
    return send_templated_mail(
        "portal/email/membership_request", recipients, {"membership": membership}
    )


@mail_task
def notify_membership_decision(membership_id):
    membership = (
        Membership.objects.select_related("user", "business", "agency")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None or membership.status == Membership.Status.PENDING:
        return 0
    return send_templated_mail(
        "portal/email/membership_decision", [membership.user.email], {"membership": membership}
    )


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
