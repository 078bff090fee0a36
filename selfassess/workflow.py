"""The lifecycles of the self-assessment part, declared once (portal.transitions).

An assessment is started as a draft (a new row, not a transition), submitted by a member of
its business, then verified, sent back for changes or rejected by an officer in scope: a
province officer of the business's province or a ministry officer, never one who is also a
member of the business. Sent back, it is edited and submitted again. Each step writes one
:class:`~selfassess.models.AssessmentEvent`.

A criteria set is activated and retired from the back office by ministry staff; the change
is kept by its history (django-simple-history), it has no event of its own. A set is
"frozen" as soon as it has assessments: that is derived, not a state.
"""

from django.utils.translation import gettext_lazy as _

from portal.transitions import Transition, Workflow

from .models import Assessment, AssessmentEvent, CriteriaSet, ReviewComment

Status = Assessment.Status


def business_member(actor, assessment):
    """A member of the assessment's business (the demo command acts as its owner)."""
    return assessment.business_id in actor.business_ids


def reviewer(actor, assessment):
    """An officer in scope of the business's province who is not one of its members."""
    if assessment.business_id in actor.business_ids:
        return False
    return actor.is_officer and actor.can_see_province(assessment.business.province_id)


NOT_AWAITING_REVIEW = _(
    "This assessment is no longer awaiting review: it has been decided meanwhile."
)

EVENT_OF = {
    "submit": AssessmentEvent.Kind.SUBMITTED,
    "verify": AssessmentEvent.Kind.VERIFIED,
    "request_changes": AssessmentEvent.Kind.CHANGES_REQUESTED,
    "reject": AssessmentEvent.Kind.REJECTED,
}


def record_assessment_event(change):
    """One event per step, with the officer's comments per criterion; the service finds
    it in ``change.extra["event"]``."""
    event = AssessmentEvent.objects.create(
        assessment=change.row,
        kind=EVENT_OF[change.name],
        actor=change.user,
        note=change.extra.get("note", ""),
        percent=change.row.percent,
    )
    ReviewComment.objects.bulk_create(
        ReviewComment(event=event, criterion=criterion, text=text[:4000])
        for criterion, text in change.extra.get("comments", {}).items()
    )
    change.extra["event"] = event


ASSESSMENT_WORKFLOW = Workflow(
    Assessment,
    [
        Transition(
            "submit",
            Assessment.EDITABLE,
            Status.SUBMITTED,
            who=business_member,
            message=_("This assessment has already been submitted and can no longer be changed."),
        ),
        Transition(
            "verify",
            Assessment.REVIEWABLE,
            Status.VERIFIED,
            who=reviewer,
            message=NOT_AWAITING_REVIEW,
        ),
        Transition(
            "request_changes",
            Assessment.REVIEWABLE,
            Status.CHANGES_REQUESTED,
            who=reviewer,
            message=NOT_AWAITING_REVIEW,
        ),
        Transition(
            "reject",
            Assessment.REVIEWABLE,
            Status.REJECTED,
            who=reviewer,
            message=NOT_AWAITING_REVIEW,
        ),
    ],
    record=record_assessment_event,
)

# The review form's choices, and the transition each one makes.
DECISIONS = {"verify": "verify", "changes": "request_changes", "reject": "reject"}


def ministry_staff(actor, criteria_set):
    return actor.is_ministry


def set_status_change(name, target, message):
    """A back-office change of a set's status to ``target``, from either other status."""
    sources = tuple(status for status in CriteriaSet.Status if status != target)
    return Transition(name, sources, target, who=ministry_staff, message=message)


CRITERIA_SET_WORKFLOW = Workflow(
    CriteriaSet,
    [
        set_status_change(
            "activate", CriteriaSet.Status.ACTIVE, _("This criteria set is already active.")
        ),
        set_status_change(
            "retire", CriteriaSet.Status.RETIRED, _("This criteria set is already retired.")
        ),
    ],
)
