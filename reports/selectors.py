"""Reads of the reports part used by the pages, the PDFs and the CSV exports."""

import datetime

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from portal.roles import get_actor

from . import figures as figures_adapter
from .filters import SHOWN
from .models import NationalReport, ProgressAttachment, ReportingYear, TaskProgress, UnitReport


def years_for(user):
    """Reporting years an officer may look at, newest first."""
    return ReportingYear.objects.visible_to(user).order_by("-year")


def opening_day(year):
    """The day the calendar opens ``year``: the day after its data window closes, by the
    year's own dates or, before the year is made, its plan's data; None without a plan
    that has reporting rules (pages never announce a date from a constant)."""
    from .services import plan_for_year, year_rules

    reporting_year = ReportingYear.objects.filter(year=year).first()
    if reporting_year is not None:
        data_end = reporting_year.data_end
    else:
        rules = year_rules(year, plan_for_year(year))
        if rules is None:
            return None
        data_end = rules["data_end"]
    return data_end + datetime.timedelta(days=1)


def next_opening_day(today):
    """The next day the calendar opens a reporting year (this year's, else next year's),
    or None when no plan gives one."""
    for year in (today.year, today.year + 1):
        day = opening_day(year)
        if day is not None and day >= today:
            return day
    return None


def unit_reports_for(user):
    """The unit reports of the user's own units (a province officer's Sở, a ministry unit),
    newest first."""
    actor = get_actor(user)
    return (
        UnitReport.objects.visible_to(user)
        .filter(agency_id__in=actor.agency_ids)
        # The page reads each year's plan notice: the plan comes with the row.
        .select_related("reporting_year__plan", "agency")
        .order_by("-reporting_year__year")
    )


def published_national_reports(user):
    """The published national reports ``user`` may read, newest first (province officers
    find them on the reports page)."""
    return (
        NationalReport.objects.visible_to(user)
        .filter(status=NationalReport.Status.PUBLISHED)
        .select_related("reporting_year")
        .order_by("-reporting_year__year")
    )


def dashboard_rows(reporting_year):
    """Every unit's report of the year for the authority's dashboard (a queryset that the
    dashboard's ``DashboardFilter`` narrows; one query)."""
    return (
        reporting_year.unit_reports.select_related("agency__province")
        .annotate(
            tasks_total=Count("progress", distinct=True),
            tasks_filled=Count(
                "progress",
                filter=~Q(progress__done="")
                | ~Q(progress__products="")
                | ~Q(progress__difficulties="")
                | ~Q(progress__proposals=""),
                distinct=True,
            ),
        )
        .order_by("agency__kind", "agency__province__code", "agency__name")
    )


def dashboard_counts(reporting_year):
    """How many units have submitted, late or not, and how many are missing (one query)."""
    reports = reporting_year.unit_reports.all()
    counts = reports.aggregate(
        units=Count("pk"),
        submitted=Count("pk", filter=SHOWN["submitted"]),
        late=Count("pk", filter=SHOWN["late"]),
        missing=Count("pk", filter=SHOWN["missing"]),
        accepted=Count("pk", filter=Q(status=UnitReport.Status.ACCEPTED)),
    )
    return counts


def days_left(deadline, today=None):
    today = today or timezone.localdate()
    return (deadline - today).days


def progress_rows(report):
    return list(
        TaskProgress.objects.filter(report=report)
        .select_related("task__group")
        .prefetch_related(
            Prefetch("attachments", queryset=ProgressAttachment.objects.order_by("uploaded_at"))
        )
        .order_by("task__group__order", "task__order")
    )


def _moment(text):
    return datetime.datetime.fromisoformat(text) if text else None


def _document_date(*candidates):
    for value in candidates:
        if value:
            return timezone.localdate(value) if isinstance(value, datetime.datetime) else value
    return timezone.localdate()


def unit_report_document(report, progress=None):
    """What a unit report shows, in the page, the PDF and the CSV alike. Locked reports
    read the frozen snapshot only, so the same snapshot always renders the same numbers."""
    from .services import _unit_header, carries_figures

    reporting_year = report.reporting_year
    snapshot = report.snapshot
    agency = report.agency
    if snapshot:
        unit = snapshot["unit"]
        start, end = (datetime.date.fromisoformat(d) for d in snapshot["window"])
    else:
        unit = _unit_header(agency)
        start, end = reporting_year.data_start, reporting_year.data_end
    unit_name, province_name = unit["name"], unit["province"]
    full_name = unit.get("province_full_name", "")
    # A ministry unit's report shows no figures, even one frozen before they were left out.
    with_figures = carries_figures(agency)
    figures = (report.current_figures or {}) if with_figures else {}
    return {
        "report": report,
        "reporting_year": reporting_year,
        "year": reporting_year.year,
        "unit_name": unit_name,
        "province_name": province_name,
        "place": province_name or "Hà Nội",
        "parent_body": ("UBND " + full_name) if full_name else "Bộ Công Thương",
        "number": "……/BC-"
        + ("SCT" if province_name else (unit.get("short_name") or unit["code"]).upper()),
        "start": start,
        "end": end,
        "frozen": snapshot is not None,
        # Older snapshots (before figures froze at submission) were all made by the lock.
        "frozen_by": (snapshot or {}).get("frozen_by", "lock" if snapshot else ""),
        "frozen_at": _moment(
            (snapshot or {}).get("frozen_at") or (snapshot or {}).get("locked_at")
        ),
        "plan_notice": reporting_year.plan_notice,
        "figures": figures,
        "carries_figures": with_figures,
        "figures_note": "" if with_figures else NATIONAL_FIGURES_ONLY,
        "sections": figures_adapter.display_sections(figures) if with_figures else [],
        "has_data": bool(figures.get("has_data")),
        "missing_sections": [
            figures_adapter.section_label(name) for name in figures.get("missing_sections", [])
        ],
        "progress": progress if progress is not None else progress_rows(report),
        "document_date": _document_date(report.submitted_at, report.locked_at),
    }


def national_report_document(national):
    snapshot = national.snapshot or {}
    totals = snapshot.get("totals") or {}
    previous = snapshot.get("previous") or {}
    previous_totals = previous.get("totals") or {}
    comparison = []
    for section, key in (
        ("complaints", "received"),
        ("complaints", "handled"),
        ("complaints", "handled_on_time"),
        ("selfassess", "submitted"),
        ("selfassess", "verified"),
        ("consumer_warnings", "issued"),
        ("consumer_warnings", "recalls"),
        ("legaldocs", "added"),
    ):
        current = figures_adapter.scalar(totals, section, key)
        before = figures_adapter.scalar(previous_totals, section, key)
        comparison.append(
            {
                "label": figures_adapter.FIGURE_LABELS[key],
                "section": figures_adapter.section_label(section),
                "current": current,
                "previous": before,
                "change": (current - before)
                if current is not None and before is not None
                else None,
            }
        )
    columns = [
        figures_adapter.FIGURE_LABELS[key] for _section, key in figures_adapter.PROVINCE_COLUMNS
    ]
    status_labels = dict(UnitReport.Status.choices)
    provinces = [
        {
            **row,
            "status_label": status_labels[row["status"]]
            if row.get("status") in (UnitReport.Status.SUBMITTED, UnitReport.Status.ACCEPTED)
            else pgettext("reports", "Missing"),
        }
        for row in snapshot.get("provinces", [])
    ]
    window = snapshot.get("window") or [None, None]
    return {
        "national": national,
        "year": snapshot.get("year", national.reporting_year.year),
        "start": datetime.date.fromisoformat(window[0]) if window[0] else None,
        "end": datetime.date.fromisoformat(window[1]) if window[1] else None,
        "sections": figures_adapter.display_sections(totals),
        "has_data": bool(totals.get("has_data")),
        "missing_sections": [
            figures_adapter.section_label(name) for name in totals.get("missing_sections", [])
        ],
        "comparison": comparison,
        "previous_year": previous.get("year"),
        "columns": columns,
        "provinces": provinces,
        "tasks": snapshot.get("tasks", []),
        "unit_count": snapshot.get("unit_count", 0),
        "submitted_count": snapshot.get("submitted_count", 0),
        "late_units": snapshot.get("late_units", []),
        "missing_units": snapshot.get("missing_units", []),
        "role_labels": dict(TaskProgress.Role.choices),
        "document_date": _document_date(national.published_at, national.compiled_at),
        "plan_notice": snapshot.get("plan_notice") or national.reporting_year.plan_notice,
    }


# What a ministry unit's report says in place of figures (page, PDF and CSV alike).
NATIONAL_FIGURES_ONLY = gettext_lazy(
    "Figures: see the national report. A ministry unit reports on its tasks; the nationwide "
    "figures appear once, in the national report."
)


def _value(value):
    return "" if value is None else value


def unit_report_csv(report):
    """``(header, rows)`` of a unit report's CSV (``portal.csvexport`` makes cells safe)."""
    doc = unit_report_document(report)
    header = [_("Unit"), doc["unit_name"]]
    rows = [
        [_("Year"), doc["year"]],
        [_("Data window"), doc["start"].isoformat(), doc["end"].isoformat()],
        [_("Status"), report.get_status_display()],
        [],
        *(
            _section_rows(doc["sections"])
            if doc["carries_figures"]
            else [[str(NATIONAL_FIGURES_ONLY)]]
        ),
        [],
        [
            _("Task"),
            _("Role"),
            _("What was done"),
            _("Products delivered"),
            _("Difficulties"),
            _("Proposals"),
        ],
    ]
    rows += [
        [
            row.task.code,
            row.get_role_display(),
            row.done,
            row.products,
            row.difficulties,
            row.proposals,
        ]
        for row in doc["progress"]
    ]
    return header, rows


def _section_rows(sections):
    rows = [[_("Section"), _("Figure"), pgettext("reports", "Item"), _("Value")]]
    for section in sections:
        if not section["available"]:
            rows.append([section["label"], _("Not available yet"), "", ""])
            continue
        for item in section["scalars"]:
            rows.append([section["label"], item["label"], "", _value(item["value"])])
        for breakdown in section["breakdowns"]:
            for label, count in breakdown["items"]:
                rows.append([section["label"], breakdown["label"], label, count])
    return rows


def national_report_csv(national):
    """``(header, rows)`` of the national report's CSV."""
    doc = national_report_document(national)
    header = [_("National report"), doc["year"]]
    rows = [[], *_section_rows(doc["sections"]), []]
    rows.append([_("Figure"), doc["year"], doc["previous_year"], pgettext("reports", "Change")])
    rows += [
        [row["label"], _value(row["current"]), _value(row["previous"]), _value(row["change"])]
        for row in doc["comparison"]
    ]
    rows.append([])
    rows.append(
        [_("Code"), _("Province"), *doc["columns"], _("Status"), pgettext("reports", "Late")]
    )
    rows += [
        [
            row["code"],
            row["name"],
            *[_value(v) for v in row["values"]],
            row["status_label"],
            _("Yes") if row["late"] else "",
        ]
        for row in doc["provinces"]
    ]
    return header, rows
