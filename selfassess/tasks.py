"""Thin background jobs: they take primary keys and call services or mail."""

from django.urls import reverse

from portal.jobs import once
from portal.models import Membership
from portal.notifications import mail_task, send_templated_mail
from portal.services import officers_for_province

from .models import AssessmentEvent


@mail_task
def notify_event(event_pk):
    """E-mail about a submission (to the province's officers) or a review decision (to the
    business and its members). Once per event: the claim commits with the send, so a task
    delivered twice sends nothing the second time, and a send that failed left no claim and
    is sent by the task's automatic retry."""
    with once("selfassess.notify_event", event_pk) as run:
        if not run:
            return 0
        run.result["sent"] = _send(event_pk)
        return run.result["sent"]


def _send(event_pk):
    event = (
        AssessmentEvent.objects.select_related("assessment__business", "assessment__criteria_set")
        .filter(pk=event_pk)
        .first()
    )
    if event is None:
        return 0
    assessment = event.assessment
    business = assessment.business
    context = {
        "event": event,
        "assessment": assessment,
        "business": business,
        "comments": list(event.comments.select_related("criterion")),
        "path": reverse("selfassess:detail", args=[assessment.pk]),
    }
    if event.kind == AssessmentEvent.Kind.SUBMITTED:
        recipients = officers_for_province(business.province_id)
        return send_templated_mail("selfassess/email/submitted", recipients, context)
    members = Membership.objects.approved().filter(business=business, user__is_active=True)
    recipients = sorted({business.email, *members.values_list("user__email", flat=True)} - {""})
    return send_templated_mail("selfassess/email/decision", recipients, context)
