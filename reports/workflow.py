"""The lifecycles of the reports part, one table per model (portal.transitions, DESIGN.md
§10): who may move a unit report, the national report and the reporting year, and from
which states. ``reports.services`` changes a status only through these workflows.

Each transition saves its row once, so django-simple-history writes exactly one history
row for it, which the core labels with the transition's name and the user who made it (none
for the scheduler): the event the admin's history shows.
"""

from django.utils.translation import gettext_lazy as _

from portal.transitions import Transition, Workflow

from .models import NationalReport, ReportingYear, UnitReport

UNIT = UnitReport.Status
NATIONAL = NationalReport.Status
YEAR = ReportingYear.Status


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
            UnitReport.EDITABLE,
            UNIT.SUBMITTED,
            who=own_unit,
            message=_("This report has been submitted and can no longer be changed."),
        ),
        Transition(
            "accept",
            {UNIT.SUBMITTED},
            UNIT.ACCEPTED,
            who=authority,
            message=_("Only a submitted report can be reviewed."),
        ),
        Transition(
            "return",
            {UNIT.SUBMITTED},
            UNIT.RETURNED,
            who=authority,
            message=_("Only a submitted report can be reviewed."),
        ),
    ],
)

NATIONAL_REPORT_WORKFLOW = Workflow(
    NationalReport,
    [
        # Compiling again (late submissions) keeps the draft a draft.
        Transition(
            "compile",
            {NATIONAL.DRAFT},
            NATIONAL.DRAFT,
            who=authority_or_system,
            message=_("A published report can no longer be compiled again."),
        ),
        Transition(
            "edit",
            {NATIONAL.DRAFT},
            NATIONAL.DRAFT,
            who=authority,
            message=_("A published report can no longer be changed."),
        ),
        Transition(
            "publish",
            {NATIONAL.DRAFT},
            NATIONAL.PUBLISHED,
            who=authority_or_system,
            message=_("This report had already been published."),
        ),
    ],
)

REPORTING_YEAR_WORKFLOW = Workflow(
    ReportingYear,
    [
        # The lock freezes the drafts' figures; a year compiled early (from the admin)
        # stays compiled, so the service sets the target from the current state.
        Transition(
            "lock",
            {YEAR.OPEN, YEAR.LOCKED, YEAR.COMPILED},
            None,
            who=authority_or_system,
            message=_("A published year can no longer be locked."),
        ),
        Transition(
            "compile",
            {YEAR.OPEN, YEAR.LOCKED, YEAR.COMPILED},
            YEAR.COMPILED,
            who=authority_or_system,
            message=_("A published report can no longer be compiled again."),
        ),
        Transition(
            "publish",
            {YEAR.OPEN, YEAR.LOCKED, YEAR.COMPILED},
            YEAR.PUBLISHED,
            who=authority_or_system,
            message=_("This report had already been published."),
        ),
    ],
)
