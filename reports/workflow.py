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


def _workflow(model, rows):
    """A workflow from a table of ``(name, sources, target, who, message)``."""
    return Workflow(
        model,
        [
            Transition(name, sources, target, who=who, message=message)
            for name, sources, target, who, message in rows
        ],
    )


SUBMITTED_ONLY = _("Only a submitted report can be reviewed.")
NO_RECOMPILE = _("A published report can no longer be compiled again.")
PUBLISHED_ALREADY = _("This report had already been published.")

UNIT_REPORT_WORKFLOW = _workflow(
    UnitReport,
    [
        (
            "submit",
            UnitReport.EDITABLE,
            UNIT.SUBMITTED,
            own_unit,
            _("This report has been submitted and can no longer be changed."),
        ),
        ("accept", {UNIT.SUBMITTED}, UNIT.ACCEPTED, authority, SUBMITTED_ONLY),
        ("return", {UNIT.SUBMITTED}, UNIT.RETURNED, authority, SUBMITTED_ONLY),
    ],
)

NATIONAL_REPORT_WORKFLOW = _workflow(
    NationalReport,
    [
        # Compiling again (late submissions) keeps the draft a draft.
        ("compile", {NATIONAL.DRAFT}, NATIONAL.DRAFT, authority_or_system, NO_RECOMPILE),
        (
            "edit",
            {NATIONAL.DRAFT},
            NATIONAL.DRAFT,
            authority,
            _("A published report can no longer be changed."),
        ),
        ("publish", {NATIONAL.DRAFT}, NATIONAL.PUBLISHED, authority_or_system, PUBLISHED_ALREADY),
    ],
)

# Every step of the year may be made until it is published.
BEFORE_PUBLICATION = {YEAR.OPEN, YEAR.LOCKED, YEAR.COMPILED}
REPORTING_YEAR_WORKFLOW = _workflow(
    ReportingYear,
    [
        # The lock freezes the drafts' figures; a year compiled early (from the admin)
        # stays compiled, so the service sets the target from the current state.
        (
            "lock",
            BEFORE_PUBLICATION,
            None,
            authority_or_system,
            _("A published year can no longer be locked."),
        ),
        ("compile", BEFORE_PUBLICATION, YEAR.COMPILED, authority_or_system, NO_RECOMPILE),
        ("publish", BEFORE_PUBLICATION, YEAR.PUBLISHED, authority_or_system, PUBLISHED_ALREADY),
    ],
)
