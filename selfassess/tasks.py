"""Thin background jobs: they take primary keys and send what services compose."""

from portal.jobs import once
from portal.notifications import mail_task, send

from . import services


@mail_task
def notify_event(event_pk):
    """E-mail about a submission (to the province's officers) or a review decision (to the
    business and its members). Once per event: the claim commits with the send, so a task
    delivered twice sends nothing the second time, and a send that failed left no claim and
    is sent by the task's automatic retry."""
    with once("selfassess.notify_event", event_pk) as run:
        if not run:
            return 0
        run.result["sent"] = send(services.event_mail(event_pk))
        return run.result["sent"]
