"""One record of a business (issue #15): what its public page, the staff view of the business,
the API and the assessment review all show, read once here so that they cannot disagree.

- its verified self-assessment results (score, band where the set defines bands, set, year,
  date verified) and which of them is the current public result;
- the timeliness of the complaint steps it owes (complaints.records);
- the published warnings and recalls naming it, and the withdrawn ones marked
  (consumer_warnings.records);
- for staff who handle complaints only: its open, overdue and recent complaints;
- how many published narratives name it (narratives.selectors), for a link to them.

A constant number of queries whatever the rows. A part that is not installed contributes
nothing (its section is left out).
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import F
from django.utils.module_loading import import_string

from portal.roles import get_actor

from .models import Assessment


def _part(dotted):
    """A function of another part's ``records`` module, or None when that part is absent."""
    if not apps.is_installed(dotted.split(".", 1)[0]):
        return None
    return import_string(dotted)


@dataclass
class BusinessRecord:
    business: object
    results: list = field(default_factory=list)
    current: Assessment | None = None
    # None: the complaints part is not installed.
    timeliness: dict | None = None
    warnings: list = field(default_factory=list)
    # For staff who handle complaints; None for everyone else.
    complaints: dict | None = None
    # Published narratives about the business (0: none, or the part is not installed).
    narratives: int = 0

    @property
    def earlier_results_only(self):
        """Verified results exist but the latest decision was not a verification: the page
        says that there is no current result, and lists the earlier ones as earlier."""
        return bool(self.results) and self.current is None

    @property
    def nothing_published(self):
        """No verified result, no counted complaint step, no warning: said once."""
        steps = self.timeliness["steps"] if self.timeliness else 0
        return not self.results and not self.warnings and not steps


def verified_results(business):
    """Every verified assessment of the business against a real (not practice) set, newest
    decision first, with its set and band. One query."""
    return list(
        Assessment.objects.filter(
            business=business,
            status=Assessment.Status.VERIFIED,
            criteria_set__is_practice=False,
        )
        .select_related("criteria_set", "band")
        .order_by(F("decided_at").desc(nulls_last=True), "-pk")
    )


def published_narratives(business):
    """How many published narratives name the business: one query, 0 without the part."""
    listed = _part("narratives.selectors.listed")
    return listed().filter(business=business).count() if listed else 0


def business_record(business, *, viewer=None):
    """The record of ``business`` as ``viewer`` may see it (None: the public). The caller
    has already checked that the viewer may open the business (404 otherwise)."""
    results = verified_results(business)
    timeliness = _part("complaints.records.timeliness")
    naming = _part("consumer_warnings.records.naming")
    staff_complaints = _part("complaints.records.for_staff")
    is_staff = viewer is not None and get_actor(viewer).is_officer
    return BusinessRecord(
        business=business,
        results=results,
        current=next((a for a in results if a.is_public), None),
        timeliness=timeliness(business) if timeliness else None,
        warnings=naming(business) if naming else [],
        complaints=staff_complaints(business, viewer) if is_staff and staff_complaints else None,
        narratives=published_narratives(business),
    )


def signals_snapshot(business):
    """What was open about the business when an officer verified its assessment: counts only,
    no complaint or person named. Two queries."""
    counts = _part("complaints.records.signal_counts")
    naming = _part("consumer_warnings.records.naming")
    complaints = counts(business) if counts else {"open": 0, "overdue": 0}
    warnings = naming(business) if naming else []
    return {
        "complaints_open": complaints["open"],
        "complaints_overdue": complaints["overdue"],
        "warnings": sum(1 for w in warnings if w.status == w.Status.PUBLISHED),
    }
