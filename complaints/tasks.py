"""Background work of complaints: thin tasks that take primary keys."""

from celery import shared_task
from django.urls import reverse

from portal.models import Membership
from portal.notifications import mail_task, send_templated_mail
from portal.services import officers_for_province

from .models import Complaint, ComplaintStep, Party


def _url(name, *args):
    return reverse(name, args=args)


@mail_task
def send_filing_confirmation(complaint_pk, token):
    # The token is passed once, because only its hash is stored.
    complaint = Complaint.objects.filter(pk=complaint_pk).first()
    if complaint is None or not complaint.complainant_email:
        return 0
    return send_templated_mail(
        "complaints/email/filed",
        [complaint.complainant_email],
        {"complaint": complaint, "track_path": _url("complaints:track_token", token)},
    )


@mail_task
def notify_new_complaint(complaint_pk):
    complaint = Complaint.objects.filter(pk=complaint_pk).first()
    if complaint is None:
        return 0
    return send_templated_mail(
        "complaints/email/new_for_officers",
        officers_for_province(complaint.province_id),
        {"complaint": complaint, "path": _url("complaints:staff_detail", complaint.code)},
    )


@mail_task
def notify_consumer_reply(complaint_pk):
    """Tell whoever handles the complaint now that the consumer added information."""
    complaint = Complaint.objects.filter(pk=complaint_pk).first()
    if complaint is None:
        return 0
    if complaint.forwarded_at and complaint.business_id:
        recipients = _business_emails(complaint.business_id)
        path = _url("complaints:business_detail", complaint.code)
    else:
        recipients = officers_for_province(complaint.province_id)
        path = _url("complaints:staff_detail", complaint.code)
    return send_templated_mail(
        "complaints/email/consumer_reply", recipients, {"complaint": complaint, "path": path}
    )


def _business_emails(business_id):
    return list(
        Membership.objects.approved()
        .filter(business_id=business_id)
        .values_list("user__email", flat=True)
    )


@mail_task
def notify_business(complaint_pk):
    complaint = Complaint.objects.filter(pk=complaint_pk).first()
    if complaint is None or not complaint.business_id:
        return 0
    return send_templated_mail(
        "complaints/email/forwarded_to_business",
        _business_emails(complaint.business_id),
        {"complaint": complaint, "path": _url("complaints:business_detail", complaint.code)},
    )


@mail_task
def notify_status_change(complaint_pk):
    complaint = Complaint.objects.filter(pk=complaint_pk).first()
    if complaint is None or not complaint.complainant_email:
        return 0
    return send_templated_mail(
        "complaints/email/status_changed",
        [complaint.complainant_email],
        {"complaint": complaint, "path": _url("complaints:track")},
    )


@mail_task
def send_overdue_reminder(step_pk):
    step = ComplaintStep.objects.select_related("complaint").filter(pk=step_pk).first()
    if step is None:
        return 0
    complaint = step.complaint
    if step.party == Party.BUSINESS and step.business_id:
        recipients = _business_emails(step.business_id)
        path = _url("complaints:business_detail", complaint.code)
    else:
        recipients = officers_for_province(complaint.province_id)
        path = _url("complaints:staff_detail", complaint.code)
    return send_templated_mail(
        "complaints/email/overdue", recipients, {"complaint": complaint, "step": step, "path": path}
    )


@shared_task
def flag_overdue_steps():
    """Daily (beat, 07:00): ``services.run_daily`` — overdue steps, abandoned drafts,
    expired personal data. Safe to run twice or after a crash (see there)."""
    from . import services

    return services.run_daily() or 0
