"""Every status change of a complaint, in one table (DESIGN.md §10, ``portal.transitions``).

Who may make each step (Luật 19/2023/QH15 Điều 55, 57, 58):

- the agency's steps — the authority (Ủy ban Cạnh tranh Quốc gia) and the Sở Công Thương
  of the complaint's province; a consumer association reads what is addressed to it but
  does not decide the case;
- the business's steps — members of the business the complaint was forwarded to (the agency
  may record them for a business without an account);
- the consumer's steps — a :class:`Complainant`: the person who proved, in the view, that
  they filed this complaint (their account, the secret link or code + contact).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from portal.roles import Actor, as_actor
from portal.transitions import ANY, Transition, Workflow

from .models import (
    HANDLED_STATUSES,
    OPEN_STATUSES,
    Complaint,
    ComplaintEvent,
    Status,
    Step,
    Visibility,
)


@dataclass(frozen=True)
class Complainant(Actor):
    """The consumer of one complaint, as proved by the view (see :func:`complainant`);
    ``user_id`` is their account when they are signed in, None for a tracking-link holder."""

    complaint_id: int | None = None

    @property
    def role(self):
        return "consumer"


def complainant(complaint, user=None):
    """The actor for the consumer of ``complaint``. Call it only after checking the proof:
    ownership by account, the tracking link or the code with the e-mail or phone."""
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    return Complainant(user_id=user_id, complaint_id=complaint.pk)


def is_agency(actor, row):
    return actor.can_handle_complaints_of(row.province_id)


def is_business(actor, row):
    return bool(row.business_id and row.forwarded_at and row.business_id in actor.business_ids)


def is_business_or_agency(actor, row):
    return is_business(actor, row) or is_agency(actor, row)


def is_complainant(actor, row):
    return isinstance(actor, Complainant) and actor.complaint_id == row.pk


def is_association(actor, row):
    return bool(row.association_id and row.association_id in actor.association_ids)


def add_event(complaint, kind, *, actor, from_status="", to_status="", message="", internal=False):
    """A timeline row. ``actor`` is a Django user or an :class:`Actor` (``SYSTEM``, a
    :class:`Complainant`): the row keeps their account, if any, and their role."""
    actor = as_actor(actor)
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.user_id,
        actor_role=actor.role,
        message=message,
        visibility=Visibility.INTERNAL if internal else Visibility.PUBLIC,
    )


def record(change):
    """The timeline row of a transition: a status event when the status moved (and the
    consumer is told), else the event the body asked for in ``change.extra["event"]``."""
    moved = change.target is not None and change.target != change.source
    kind = ComplaintEvent.Kind.STATUS if moved else change.extra.get("event")
    if kind is None:
        return
    add_event(
        change.row,
        kind,
        actor=change.actor,
        from_status=change.source if moved else "",
        to_status=change.target if moved else "",
        message=change.extra.get("message", "") or "",
    )
    if moved and not change.extra.get("own_mail"):
        from portal.jobs import enqueue

        from . import tasks

        enqueue(tasks.notify_status_change, change.row.pk)


BUSINESS_WAITING = _("The complaint is not waiting for the business.")
NOT_NEGOTIATING = _("The negotiation is not under way.")
NO_LONGER_OPEN = _("The complaint is no longer open.")
NO_REOPENING_ASKED = _("The consumer has not asked to look at this complaint again.")

# A result the consumer may ask to have looked at again (issue 15): resolved, unresolved or
# declined, and the file closed after one of these. A complaint forwarded to the business
# reaches "closed" only through these (refer and reject come before forwarding).
REOPENABLE = {Status.RESOLVED, Status.UNRESOLVED, Status.BUSINESS_DECLINED, Status.CLOSED}


def may_ask_reopen(row):
    """The state part of the check (the period is the service's, with its own message):
    once a result was given, not said to be satisfying, no request waiting."""
    return bool(row.forwarded_at and row.handled_at and row.satisfied is not True) and (
        row.reopen_requested_at is None
    )


def reopening_asked(row):
    return row.reopen_requested_at is not None


def publishing_consented(row):
    return row.consent_publish


NO_PUBLISH_CONSENT = _("There is no consent to publish a summary to withdraw.")


WORKFLOW = Workflow(
    Complaint,
    [
        Transition(
            "request_info",
            {Status.SUBMITTED},
            Status.NEEDS_INFO,
            is_agency,
            _("Information can be requested only from a newly submitted complaint."),
        ),
        # The consumer adds information; it resumes the clock when it was asked for.
        Transition("add_info", OPEN_STATUSES, None, is_complainant, NO_LONGER_OPEN),
        Transition(
            "forward",
            {Status.SUBMITTED},
            Status.FORWARDED,
            is_agency,
            _(
                "Only a submitted complaint can be forwarded; if information was requested, "
                "wait for the consumer's answer."
            ),
        ),
        Transition(
            "refer",
            {Status.SUBMITTED, Status.NEEDS_INFO},
            Status.REFERRED,
            is_agency,
            _("The complaint has already been handled."),
        ),
        Transition(
            "reject",
            {Status.SUBMITTED, Status.NEEDS_INFO},
            Status.REJECTED,
            is_agency,
            _("The complaint has already been handled."),
        ),
        Transition(
            "acknowledge",
            {Status.FORWARDED},
            Status.NEGOTIATING,
            is_business_or_agency,
            BUSINESS_WAITING,
        ),
        # No status change: the step moves from negotiating to reporting the result.
        Transition(
            "end_negotiation",
            {Status.NEGOTIATING},
            None,
            is_business_or_agency,
            NOT_NEGOTIATING,
            condition=lambda row: row.current_step == Step.NEGOTIATE,
        ),
        # Resolved or unresolved, as reported.
        Transition(
            "report_result",
            {Status.NEGOTIATING},
            None,
            is_business_or_agency,
            NOT_NEGOTIATING,
        ),
        Transition(
            "decline",
            {Status.FORWARDED, Status.NEGOTIATING},
            Status.BUSINESS_DECLINED,
            is_business_or_agency,
            BUSINESS_WAITING,
        ),
        Transition(
            "close",
            set(HANDLED_STATUSES) - {Status.CLOSED},
            Status.CLOSED,
            is_agency,
            _(
                "Only a handled complaint can be closed, and not while the consumer's request "
                "to look at it again waits for a decision."
            ),
            # A waiting request is decided (reopen or close_with_routes), not closed over.
            condition=lambda row: row.reopen_requested_at is None,
        ),
        # The consumer asks to look at the result again; no status change until decided.
        Transition(
            "ask_reopen",
            REOPENABLE,
            None,
            is_complainant,
            _(
                "You can ask to look at the complaint again once the business has answered, "
                "if you are not satisfied, and only once while a request waits."
            ),
            condition=may_ask_reopen,
        ),
        # The officer decides: back to negotiation (a new statutory step), or closed with
        # the next routes.
        Transition(
            "reopen",
            REOPENABLE,
            Status.NEGOTIATING,
            is_agency,
            NO_REOPENING_ASKED,
            condition=reopening_asked,
        ),
        Transition(
            "close_with_routes",
            REOPENABLE,
            Status.CLOSED,
            is_agency,
            NO_REOPENING_ASKED,
            condition=reopening_asked,
        ),
        Transition("withdraw", OPEN_STATUSES, Status.WITHDRAWN, is_complainant, NO_LONGER_OPEN),
        # The consent to publish a summary is taken back at any time (the text promises it);
        # narratives take down a published one when this is saved.
        Transition(
            "withdraw_publish_consent",
            ANY,
            None,
            is_complainant,
            NO_PUBLISH_CONSENT,
            condition=publishing_consented,
        ),
        Transition(
            "feedback",
            {Status.RESOLVED, Status.UNRESOLVED, Status.BUSINESS_DECLINED},
            None,
            is_complainant,
            _("Feedback is possible once the business has answered."),
        ),
    ],
    record=record,
)
