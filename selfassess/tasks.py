"""Thin background jobs: they take primary keys and send what services compose."""

from portal.notifications import mail_task, send_once

from . import services


@mail_task
def notify_event(event_pk):
    """E-mail about a submission (to the province's officers) or a review decision (to the
    business and its members). Once per event and recipient: each claim commits with its
    send, so a task delivered twice sends nothing the second time, and a send that failed
    left no claim and is sent by the task's automatic retry, alone."""
    return send_once("selfassess.notify_event", event_pk, services.event_mail(event_pk))
