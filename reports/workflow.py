"""The lifecycles of the reports part, one table per model (portal.transitions, DESIGN.md
§10): who may move a unit report, the national report and the reporting year, and from
which states. ``reports.services`` changes a status only through these workflows.

Each transition saves its row once, so django-simple-history writes exactly one history
row for it; ``record`` labels that row with the transition's name and the user who made it
(None for the scheduler), which is the event the admin's history shows.
"""

from django.utils.translation import gettext_lazy as _

from portal.transitions import Transition, Workflow

from .models import NationalReport, ReportingYear, UnitReport

UNIT = UnitReport.Status
NATIONAL = NationalReport.Status
YEAR = ReportingYear.Status


def record_history(change):
    """Label the history row that the transition's save has just written."""
    row = change.row
    history_model = type(row).history.model
    latest = (
        history_model.objects.filter(id=row.pk)
        .order_by("-history_id")
        .values_list("history_id", flat=True)
        .first()
    )
    fields = {"history_change_reason": change.name}
    if change.user is not None:
        fields["history_user_id"] = change.user.pk
    history_model.objects.filter(history_id=latest).update(**fields)


def own_unit(actor, report):
    """An approved officer of the reporting unit itself."""
    return report.agency_id in actor.agency_ids


def authority(actor, row):
    return actor.is_authority


def authority_or_system(actor, row):
    return actor.is_authority or actor.is_system


UNIT_REPORT_WORKFLOW = Workflow(
    UnitReport,
    [
        Transition(
            "submit",
            frozenset(UnitReport.EDITABLE),
            UNIT.SUBMITTED,
            who=own_unit,
            message=_("This report has been submitted and can no longer be changed."),
        ),
        Transition(
            "accept",
            frozenset({UNIT.SUBMITTED}),
            UNIT.ACCEPTED,
            who=authority,
            message=_("Only a submitted report can be reviewed."),
        ),
        Transition(
            "return",
            frozenset({UNIT.SUBMITTED}),
            UNIT.RETURNED,
            who=authority,
            message=_("Only a submitted report can be reviewed."),
        ),
    ],
    record=record_history,
)

NATIONAL_REPORT_WORKFLOW = Workflow(
    NationalReport,
    [
        # Compiling again (late submissions) keeps the draft a draft.
        Transition(
            "compile",
            frozenset({NATIONAL.DRAFT}),
            NATIONAL.DRAFT,
            who=authority_or_system,
            message=_("A published report can no longer be compiled again."),
        ),
        Transition(
            "edit",
            frozenset({NATIONAL.DRAFT}),
            NATIONAL.DRAFT,
            who=authority,
            message=_("A published report can no longer be changed."),
        ),
        Transition(
            "publish",
            frozenset({NATIONAL.DRAFT}),
            NATIONAL.PUBLISHED,
            who=authority_or_system,
            message=_("This report had already been published."),
        ),
    ],
    record=record_history,
)

REPORTING_YEAR_WORKFLOW = Workflow(
    ReportingYear,
    [
        # The lock freezes the drafts' figures; a year compiled early (from the admin)
        # stays compiled, so the service sets the target from the current state.
        Transition(
            "lock",
            frozenset({YEAR.OPEN, YEAR.LOCKED, YEAR.COMPILED}),
            None,
            who=authority_or_system,
            message=_("A published year can no longer be locked."),
        ),
        Transition(
            "compile",
            frozenset({YEAR.OPEN, YEAR.LOCKED, YEAR.COMPILED}),
            YEAR.COMPILED,
            who=authority_or_system,
            message=_("A published report can no longer be compiled again."),
        ),
        Transition(
            "publish",
            frozenset({YEAR.OPEN, YEAR.LOCKED, YEAR.COMPILED}),
            YEAR.PUBLISHED,
            who=authority_or_system,
            message=_("This report had already been published."),
        ),
    ],
    record=record_history,
)
