"""Writes of the reports part: loading plans, the reporting calendar's steps, unit reports,
the national compilation and the stored PDFs.

Every dated step is a job run (portal.jobs): the one-transaction steps (open, lock,
compile, publish, remind the authority) claim with :func:`portal.jobs.once`, so the claim
commits with the work: a step that raised is done again by the next run, a step that
finished is not. The unit reminders hold a :func:`portal.jobs.lease` for the run and claim
each unit with ``once``, so a retry after a crash reminds exactly the units not yet reminded.

Status changes go only through the workflows of ``reports.workflow`` (row locked and
re-read, actor then state checked, one history row). Errors are the portal's
(``portal.errors``): ``NotAllowed`` (a 404 in views), ``InvalidTransition`` and
``InvalidInput`` (a message in the user's language).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import recipients
from portal.errors import InvalidInput, InvalidTransition, NotAllowed
from portal.files import KINDS, validate_upload
from portal.jobs import lease, once
from portal.models import Agency, JobRun, Province
from portal.notifications import compose, send_once
from portal.pdf import queue_render
from portal.roles import SYSTEM, get_actor
from portal.text import fold, nfc

from . import figures as figures_adapter
from .models import (
    NationalReport,
    Plan,
    PlanGroup,
    PlanTask,
    ProgressAttachment,
    ReportingYear,
    TaskProgress,
    UnitReport,
)
from .workflow import NATIONAL_REPORT_WORKFLOW, REPORTING_YEAR_WORKFLOW, UNIT_REPORT_WORKFLOW

AUTHORITY_CODE = "ubctqg"
PROGRESS_FIELDS = ("done", "products", "difficulties", "proposals")
PROGRESS_MAX_LENGTH = 20_000


# --- Plans -------------------------------------------------------------------------------


def resolve_units(text, rules, agencies):
    """Agency ids named in a unit text of the plan, by the rules of the units file."""
    folded = fold(text)
    ids = set()
    for rule in rules:
        if rule["match"] not in folded:
            continue
        for code in rule.get("codes", ()):
            ids.update(a.pk for a in agencies if a.code == code)
        kinds = set(rule.get("kinds", ()))
        ids.update(a.pk for a in agencies if a.kind in kinds)
    return ids


@transaction.atomic
def load_plan(data, unit_rules):
    """Create or update a plan, its groups and tasks from the data file (idempotent)."""
    source = data["source"]
    period = source.get("period", "")
    first, _sep, last = period.partition("-")
    decision = source["decision"]
    plan, _created = Plan.objects.update_or_create(
        code=fold(decision).split("/")[0] + "-" + first,
        defaults={
            "decision": decision,
            "title": nfc(data.get("title_vi") or decision),
            "issued_on": datetime.date.fromisoformat(source["date"])
            if source.get("date")
            else None,
            "first_year": int(first),
            "last_year": int(last or first),
            "source": {
                "source": source,
                "reporting": data.get("reporting", []),
                "data_window": data.get("data_window", {}),
                "national_report": data.get("national_report", {}),
                "successor": data.get("successor", {}),
                "corrections": data.get("corrections", []),
            },
        },
    )
    agencies = list(
        Agency.objects.filter(is_active=True)
        .exclude(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province__is_active=False)
        .only("pk", "code", "kind")
    )
    for group_order, group_data in enumerate(data["groups"]):
        group, _created = PlanGroup.objects.update_or_create(
            plan=plan,
            code=group_data["code"],
            defaults={"title": nfc(group_data["title_vi"]), "order": group_order},
        )
        for task_order, task_data in enumerate(group_data["tasks"]):
            task, _created = PlanTask.objects.update_or_create(
                group=group,
                code=task_data["code"],
                defaults={
                    "title": nfc(task_data["task_vi"]),
                    "lead_text": nfc(task_data.get("lead_vi", "")),
                    "cooperating_text": nfc(task_data.get("cooperating_vi", "")),
                    "products": [nfc(p) for p in task_data.get("products_vi", [])],
                    "timeframe": nfc(task_data.get("timeframe_vi", "")),
                    "recurs_annually": bool(task_data.get("recurs_annually")),
                    "order": task_order,
                },
            )
            lead = resolve_units(task.lead_text, unit_rules, agencies)
            cooperating = resolve_units(task.cooperating_text, unit_rules, agencies) - lead
            task.lead_agencies.set(lead)
            task.cooperating_agencies.set(cooperating)
    return plan


def plan_for_year(year):
    """The plan covering ``year``, else the latest one that started before it."""
    plan = Plan.objects.filter(first_year__lte=year, last_year__gte=year).first()
    return plan or Plan.objects.filter(first_year__lte=year).order_by("-first_year").first()


# --- Reporting units ---------------------------------------------------------------------


def reporting_units(plan):
    """Every current Sở Công Thương plus the ministry units the plan names."""
    departments = Agency.objects.filter(
        kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province__is_active=True, is_active=True
    )
    if plan is None:
        return list(departments.select_related("province"))
    named = set(
        PlanTask.objects.filter(group__plan=plan).values_list("lead_agencies", flat=True)
    ) | set(
        PlanTask.objects.filter(group__plan=plan).values_list("cooperating_agencies", flat=True)
    )
    ministry = Agency.objects.filter(kind__in=Agency.MINISTRY_KINDS, pk__in=named - {None})
    return list(departments.select_related("province")) + list(ministry)


def assigned_tasks(plan, agency_ids):
    """{agency_id: [(task_id, role)]} for the plan, lead first (two queries)."""
    result = {pk: [] for pk in agency_ids}
    if plan is None:
        return result
    through_lead = PlanTask.lead_agencies.through.objects.filter(
        plantask__group__plan=plan, agency_id__in=agency_ids
    ).values_list("agency_id", "plantask_id")
    through_coop = PlanTask.cooperating_agencies.through.objects.filter(
        plantask__group__plan=plan, agency_id__in=agency_ids
    ).values_list("agency_id", "plantask_id")
    for agency_id, task_id in through_lead:
        result[agency_id].append((task_id, TaskProgress.Role.LEAD))
    for agency_id, task_id in through_coop:
        result[agency_id].append((task_id, TaskProgress.Role.COOPERATING))
    return result


# --- Reporting years ---------------------------------------------------------------------


def _month_day(year, text):
    month, day = (int(part) for part in text.split("-"))
    return datetime.date(year, month, day)


def year_rules(year, plan):
    """The data window and the two deadlines of ``year`` as the plan's data sets them
    (its ``reporting`` rules and ``data_window``), with their sources; None when no plan
    is loaded or its data carries no rules: a year is never made from constants."""
    source = (plan.source or {}) if plan is not None else {}
    deadlines = {rule.get("role"): rule for rule in source.get("reporting", [])}
    window = source.get("data_window") or {}
    if not (window and "unit" in deadlines and "national" in deadlines):
        return None
    start_year = year - 1 if window.get("start_in_previous_year") else year
    return {
        "data_start": _month_day(start_year, window["start"]),
        "data_end": _month_day(year, window["end"]),
        "unit_deadline": _month_day(year, deadlines["unit"]["deadline"]),
        "national_deadline": _month_day(year, deadlines["national"]["deadline"]),
        "window_source": window.get("source_vi", ""),
        "deadline_source": "\n".join(
            f"{rule.get('source_vi', rule.get('section', ''))}: «{rule.get('text_vi', '')}»"
            for rule in (deadlines["unit"], deadlines["national"])
        ),
    }


def ensure_year(year):
    """The reporting year ``year`` with the window and deadlines of its plan's data (the
    authority may correct them afterwards in the admin, noting the source)."""
    reporting_year = ReportingYear.objects.filter(year=year).first()
    if reporting_year is None:
        plan = plan_for_year(year)
        rules = year_rules(year, plan)
        if rules is None:
            raise InvalidInput(
                _("No action plan with reporting rules is loaded: load one (seed_reports)."),
                code="no_plan",
            )
        reporting_year, created = ReportingYear.objects.get_or_create(
            year=year, defaults={**rules, "plan": plan}
        )
    else:
        created = False
    if not created and reporting_year.plan_id is None:
        plan = plan_for_year(year)
        if plan is not None:
            reporting_year.plan = plan
            reporting_year.save(update_fields=["plan"])
    return reporting_year


def carries_figures(agency):
    """Whether a unit's report carries the parts' figures: only a province's Sở Công
    Thương, with what belongs to its province. A ministry unit reports on its tasks only;
    the nationwide figures appear once, in the national report, not again in each central
    unit's report."""
    return agency.kind == Agency.Kind.PROVINCIAL_DEPARTMENT and agency.province_id is not None


def _figures_for_units(reporting_year, agencies):
    """Live figures for each unit, {agency_id: figures} (empty for a ministry unit), plus
    the nationwide figures: one call per part whatever the number of units."""
    province_ids = [a.province_id for a in agencies if carries_figures(a)]
    national, by_province = figures_adapter.collect_all(
        start=reporting_year.data_start, end=reporting_year.data_end, province_ids=province_ids
    )
    result = {
        agency.pk: by_province[agency.province_id] if carries_figures(agency) else {}
        for agency in agencies
    }
    return result, national


def open_year(reporting_year, now=None):
    """Open the year and create every unit's draft with its figures (once per year; the
    claim commits with the drafts, so a run that failed is done again by the next one)."""
    now = now or timezone.now()
    with once("reports.open_year", reporting_year.year) as run:
        if not run:
            return None
        if reporting_year.plan_id is None:
            reporting_year.plan = plan_for_year(reporting_year.year)
            reporting_year.save(update_fields=["plan"])
        agencies = reporting_units(reporting_year.plan)
        existing = set(reporting_year.unit_reports.values_list("agency_id", flat=True))
        live, _national = _figures_for_units(reporting_year, agencies)
        new_reports = [
            UnitReport(
                reporting_year=reporting_year,
                agency=agency,
                figures=live[agency.pk],
                figures_computed_at=now,
            )
            for agency in agencies
            if agency.pk not in existing
        ]
        UnitReport.objects.bulk_create(new_reports)
        _create_progress_rows(reporting_year)
        if reporting_year.opened_at is None:
            reporting_year.opened_at = now
            reporting_year.save(update_fields=["opened_at"])
        run.result.update(created=len(new_reports), units=len(agencies))
    return run.result


def _create_progress_rows(reporting_year):
    reports = list(reporting_year.unit_reports.only("pk", "agency_id"))
    tasks = assigned_tasks(reporting_year.plan, [r.agency_id for r in reports])
    existing = set(
        TaskProgress.objects.filter(report__reporting_year=reporting_year).values_list(
            "report_id", "task_id"
        )
    )
    rows = [
        TaskProgress(report_id=report.pk, task_id=task_id, role=role)
        for report in reports
        for task_id, role in tasks.get(report.agency_id, [])
        if (report.pk, task_id) not in existing
    ]
    TaskProgress.objects.bulk_create(rows)


def refresh_figures(reporting_year, now=None):
    """Recompute the live figures of every unit report not frozen yet (before the lock
    only): a submitted report keeps what it submitted."""
    if reporting_year.is_locked:
        return 0
    now = now or timezone.now()
    reports = list(
        reporting_year.unit_reports.filter(snapshot__isnull=True).select_related("agency")
    )
    live, _national = _figures_for_units(reporting_year, [r.agency for r in reports])
    for report in reports:
        report.figures = live[report.agency_id]
        report.figures_computed_at = now
        report.content_version += 1
    UnitReport.objects.bulk_update(reports, ["figures", "figures_computed_at", "content_version"])
    return len(reports)


def _unit_header(agency):
    return {
        "code": agency.code,
        "name": agency.name,
        "name_en": agency.name_en,
        "kind": agency.kind,
        "short_name": agency.short_name,
        "province": agency.province.name if agency.province_id else "",
        "province_full_name": agency.province.full_name if agency.province_id else "",
        "province_code": agency.province.code if agency.province_id else "",
    }


def _published_by_hand(reporting_year):
    """Whether the authority has published the year already, checked on the locked year
    row inside the scheduled step's transaction (so it cannot happen meanwhile). Then the
    scheduled lock, compilation and publication leave the report alone, and their claim
    records that they ran; in any other state they go through the workflow, which raises
    as usual."""
    return (
        ReportingYear.objects.select_for_update()
        .filter(pk=reporting_year.pk, status=ReportingYear.Status.PUBLISHED)
        .exists()
    )


def lock_year(reporting_year, now=None, *, user=SYSTEM):
    """Freeze the figures of every unit report (the snapshot) and the nationwide figures
    (once per year; the claim commits with the lock)."""
    now = now or timezone.now()
    with once("reports.lock_year", reporting_year.year) as run:
        if not run:
            return None
        if _published_by_hand(reporting_year):
            run.result.update(locked=0)
            return run.result
        with REPORTING_YEAR_WORKFLOW.transition(reporting_year, "lock", user=user) as change:
            run.result.update(locked=_freeze_unit_reports(change.row, now))
            # A year compiled early (from the admin) stays compiled.
            if change.source == ReportingYear.Status.OPEN:
                change.target = ReportingYear.Status.LOCKED
            else:
                change.target = change.source
    return run.result


def _freeze_unit_reports(reporting_year, now):
    """Snapshot every unit report not frozen yet and the nationwide figures (on the
    locked year row, saved by the caller's transition). The reports are locked too (after
    the year, as nothing locks them before it), so that a submission at the same moment
    does not lose its version bump to this update or the other way round."""
    reports = list(
        reporting_year.unit_reports.select_related("agency__province")
        .select_for_update(of=("self",))
        .filter(snapshot__isnull=True)
    )
    # One collection for every unit and the nation, even when no report is left to freeze.
    live, national = _figures_for_units(reporting_year, [r.agency for r in reports])
    for report in reports:
        _freeze(report, live[report.agency_id], now, by="lock")
    UnitReport.objects.bulk_update(reports, ["figures", "snapshot", "locked_at", "content_version"])
    reporting_year.national_figures = national
    reporting_year.locked_at = now
    return len(reports)


def _freeze(report, figures, now, *, by):
    """Make ``figures`` the report's frozen snapshot (the caller saves): at submission, or
    at the lock for a report never submitted. Every page, PDF and the compilation read the
    snapshot, so what the unit submitted is what the authority compiles."""
    reporting_year = report.reporting_year
    report.figures = figures
    report.snapshot = {
        "figures": figures,
        "window": [reporting_year.data_start.isoformat(), reporting_year.data_end.isoformat()],
        "unit": _unit_header(report.agency),
        "frozen_at": now.isoformat(),
        "frozen_by": by,
    }
    report.locked_at = now
    report.content_version += 1


def send_unit_reminders(reporting_year, key):
    """E-mail the officers of every unit that has not submitted; once per unit per
    reminder ``key`` (e.g. ``"11-08"``).

    The run holds a lease; each unit is claimed with ``once`` in the transaction that sends
    its mail, so a run that failed half-way is taken over by the next one, which reminds
    exactly the units not reminded yet."""
    key = f"{reporting_year.year}:{key}"
    with lease("reports.remind_units", key) as run:
        if not run:
            return None
        pending = list(
            reporting_year.unit_reports.filter(status__in=UnitReport.EDITABLE).select_related(
                "agency"
            )
        )
        officers = recipients.officers_by_agency([r.agency_id for r in pending])
        sent = 0
        for report in pending:
            sent += send_once(
                "reports.remind_unit",
                f"{key}:{report.agency_id}",
                unit_reminder_mail(reporting_year, report, officers[report.agency_id]),
            )
        run.result.update(pending=len(pending), sent=sent)
    return run.result


def remind_authority(reporting_year):
    """E-mail the authority's officers where the units stand (once per year)."""
    if JobRun.objects.filter(name="reports.remind_authority", key=reporting_year.year).exists():
        return None
    counts = _submission_counts(reporting_year)
    # Each officer's message is claimed with its send (a retry sends only what is left);
    # the year is marked done once all went out.
    sent = send_once(
        "reports.remind_authority_mail",
        reporting_year.year,
        authority_reminder_mail(reporting_year, counts),
    )
    with once("reports.remind_authority", reporting_year.year) as run:
        if not run:
            return None
        run.result.update(sent=sent, **counts)
    return run.result


def unit_reminder_mail(reporting_year, report, officers):
    """The reminder to a unit that has not submitted, one message per language."""
    context = {"report": report, "reporting_year": reporting_year}
    return compose("reports/email/unit_reminder", officers, context)


def authority_reminder_mail(reporting_year, counts=None):
    """Where the units stand, to the authority's officers, one message per language."""
    authority = Agency.objects.filter(code=AUTHORITY_CODE).values_list("pk", flat=True)
    context = {"reporting_year": reporting_year, **(counts or _submission_counts(reporting_year))}
    return compose(
        "reports/email/authority_reminder", recipients.agency_officers(authority), context
    )


def _submission_counts(reporting_year):
    statuses = list(reporting_year.unit_reports.values_list("status", "is_late"))
    submitted = sum(1 for s, _late in statuses if s not in UnitReport.EDITABLE)
    return {
        "units": len(statuses),
        "submitted": submitted,
        "late": sum(1 for s, late in statuses if late and s not in UnitReport.EDITABLE),
        "missing": len(statuses) - submitted,
    }


# --- Unit reports ------------------------------------------------------------------------


def can_edit(report, user):
    """Whether ``user`` may write ``report`` now (for showing the forms)."""
    return report.is_editable and report.agency_id in get_actor(user).agency_ids


def _editable_report(report_id, user):
    """The unit report, locked, if ``user`` may still write it: only the unit's own
    officers (anyone else: NotAllowed), and only a draft or a returned report."""
    report = UnitReport.objects.select_for_update().get(pk=report_id)
    if report.agency_id not in get_actor(user).agency_ids:
        raise NotAllowed(f"unit report {report.pk}: not an officer of the unit")
    if not report.is_editable:
        raise InvalidTransition(
            _("This report has been submitted and can no longer be changed."), code="submitted"
        )
    return report


def _bump(report):
    UnitReport.objects.filter(pk=report.pk).update(content_version=F("content_version") + 1)


@transaction.atomic
def save_progress(*, progress, user, data):
    """Save the text a unit wrote for one task (autosave and the plain form alike)."""
    report = _editable_report(progress.report_id, user)
    for field in PROGRESS_FIELDS:
        if field in data:
            value = nfc(data[field] or "").strip()
            if len(value) > PROGRESS_MAX_LENGTH:
                too_long = ValidationError(
                    _("A field can hold at most %(limit)s characters."),
                    code="too_long",
                    params={"limit": PROGRESS_MAX_LENGTH},
                )
                raise InvalidInput({field: too_long})
            setattr(progress, field, value)
    progress.save()
    _bump(report)
    return progress


@transaction.atomic
def add_attachment(*, progress, user, upload):
    _editable_report(progress.report_id, user)
    try:
        validate_upload(
            upload, KINDS[ProgressAttachment.upload_kinds], ProgressAttachment.max_upload_bytes
        )
    except ValidationError as error:
        raise InvalidInput({"attachment": error.messages}) from error
    attachment = ProgressAttachment(
        progress=progress, file=upload, original_name=nfc(upload.name)[:255], uploaded_by=user
    )
    attachment.save()
    return attachment


@transaction.atomic
def remove_attachment(*, attachment, user):
    _editable_report(attachment.progress.report_id, user)
    attachment.file.delete(save=False)
    attachment.delete()


def submit_report(*, report, user, now=None):
    """Draft (or returned) → submitted by an officer of the unit; late after the deadline.
    The figures freeze now (a resubmission after a return freezes them again), so the
    lock and the compilation keep what the unit submitted."""
    now = now or timezone.now()
    with UNIT_REPORT_WORKFLOW.transition(report, "submit", user=user) as change:
        row = change.row
        row.submitted_at = now
        row.submitted_by = change.user
        row.is_late = timezone.localdate(now) >= row.reporting_year.unit_deadline
        live, _national = _figures_for_units(row.reporting_year, [row.agency])
        _freeze(row, live[row.agency_id], now, by="submission")
        queue_render(row)
    return change.row


def review_report(*, report, user, accept, comment="", now=None):
    """The authority accepts a submitted report or returns it with a comment."""
    comment = nfc(comment or "").strip()
    with UNIT_REPORT_WORKFLOW.transition(
        report, "accept" if accept else "return", user=user
    ) as change:
        if not accept and not comment:
            raise InvalidInput(
                {"comment": _("Say what the unit should change when returning its report.")},
                code="comment",
            )
        row = change.row
        row.review_comment = comment
        row.reviewed_at = now or timezone.now()
        row.reviewed_by = change.user
        row.content_version += 1
    return change.row


# --- National compilation ----------------------------------------------------------------


def _previous_totals(reporting_year):
    previous = (
        NationalReport.objects.filter(reporting_year__year=reporting_year.year - 1)
        .select_related("reporting_year")
        .first()
    )
    if previous and previous.snapshot.get("totals"):
        return {"year": reporting_year.year - 1, "totals": previous.snapshot["totals"]}
    start = reporting_year.data_start.replace(year=reporting_year.data_start.year - 1)
    end = reporting_year.data_end.replace(year=reporting_year.data_end.year - 1)
    return {
        "year": reporting_year.year - 1,
        "totals": figures_adapter.collect(start=start, end=end),
    }


def build_national_snapshot(reporting_year):
    """Everything the national report shows, as JSON: frozen figures of the units, the
    nationwide totals, last year's totals, the tasks with each unit's progress."""
    reports = list(reporting_year.unit_reports.select_related("agency__province"))
    by_agency = {r.agency_id: r for r in reports}
    totals = reporting_year.national_figures
    if totals is None:
        totals, _by_province = figures_adapter.collect_all(
            start=reporting_year.data_start, end=reporting_year.data_end, province_ids=[]
        )
    provinces = []
    departments = {
        a.province_id: a
        for a in Agency.objects.filter(
            kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province__is_active=True
        )
    }
    for province in Province.objects.current().order_by("code"):
        agency = departments.get(province.pk)
        report = by_agency.get(agency.pk) if agency else None
        figures = report.current_figures if report else {}
        provinces.append(
            {
                "code": province.code,
                "name": province.name,
                "status": report.status if report else "",
                "late": bool(report and report.is_late),
                "values": [
                    figures_adapter.scalar(figures, section, key)
                    for section, key in figures_adapter.PROVINCE_COLUMNS
                ],
            }
        )
    progress = (
        TaskProgress.objects.filter(report__reporting_year=reporting_year)
        .select_related("task__group", "report__agency")
        .order_by("task__group__order", "task__order", "report__agency__name")
    )
    tasks, current = [], None
    for row in progress:
        if current is None or current["id"] != row.task_id:
            current = {
                "id": row.task_id,
                "group": row.task.group.code,
                "code": row.task.code,
                "title": row.task.title,
                "lead_text": row.task.lead_text,
                "units": [],
                "silent": 0,
            }
            tasks.append(current)
        if row.is_filled:
            current["units"].append(
                {
                    "unit": row.report.agency.name,
                    "role": row.role,
                    "status": row.report.status,
                    **{field: getattr(row, field) for field in PROGRESS_FIELDS},
                }
            )
        else:
            current["silent"] += 1
    submitted = [r for r in reports if not r.is_editable]
    return {
        "year": reporting_year.year,
        "window": [reporting_year.data_start.isoformat(), reporting_year.data_end.isoformat()],
        "totals": totals,
        "previous": _previous_totals(reporting_year),
        "province_columns": [list(c) for c in figures_adapter.PROVINCE_COLUMNS],
        "provinces": provinces,
        "tasks": tasks,
        "unit_count": len(reports),
        "submitted_count": len(submitted),
        "plan_notice": reporting_year.plan_notice,
        "late_units": sorted(r.agency.name for r in submitted if r.is_late),
        "missing_units": sorted(r.agency.name for r in reports if r.is_editable),
    }


def _compile(reporting_year, now, user, *, publish):
    """Compile the national report of ``reporting_year`` (created on first compilation),
    as a draft or, with ``publish``, a last time and published.

    Both rows change state and get their history row, so both are locked: the year's first,
    then the national report's, in the compilation and the publication alike, so that the
    two at the same moment queue up on the year instead of deadlocking and the second fails
    on the state the first left. (``update_national`` locks only the national report.)"""
    step = "publish" if publish else "compile"
    with REPORTING_YEAR_WORKFLOW.transition(reporting_year, step, user=user) as year:
        national, _created = NationalReport.objects.get_or_create(
            reporting_year=year.row, defaults={"recipients": default_recipients(year.row)}
        )
        with NATIONAL_REPORT_WORKFLOW.transition(national, step, user=user) as change:
            if publish:
                check_publishable(change.row)
            change.row.snapshot = build_national_snapshot(year.row)
            change.row.compiled_at = year.row.compiled_at = now
            if publish:
                change.row.published_at = year.row.published_at = now
            change.row.content_version += 1
    if publish:
        queue_render(change.row)
    return change.row


def default_recipients(reporting_year):
    """The "Nơi nhận" list the plan's data suggests, one recipient a line."""
    plan = reporting_year.plan
    national = ((plan.source or {}) if plan else {}).get("national_report") or {}
    return "\n".join(national.get("recipients_vi", []))


def check_publishable(national):
    """A report is published only with its number, date, signer and narrative (the parts
    of an administrative document, Nghị định 30/2020/NĐ-CP): each missing one is named on
    its field."""
    labels = national.missing_labels()
    if labels:
        raise InvalidInput(
            {
                name: ValidationError(
                    _("Fill in %(field)s before publishing."), params={"field": label}
                )
                for name, label in labels.items()
            },
            code="incomplete",
        )


def compile_national(reporting_year, now=None, *, user=SYSTEM):
    """The scheduled compilation of the national draft (once per year)."""
    return _scheduled_compile(reporting_year, now, user, publish=False)


def _scheduled_compile(reporting_year, now, user, *, publish):
    """Compile (or compile and publish) once per year, leaving a year the authority has
    published by hand as it is."""
    job = "reports.publish_national" if publish else "reports.compile_national"
    with once(job, reporting_year.year) as run:
        if not run:
            return None
        if _published_by_hand(reporting_year):
            national = reporting_year.national_report
        elif publish and _incomplete(reporting_year):
            # Never publish half-done: compile again, stay a draft, tell the authority.
            national = _compile(reporting_year, now or timezone.now(), user, publish=False)
            missing = national.missing_labels()
            run.result.update(published=False, missing=list(missing))
            labels = list(missing.values())  # lazy: each e-mail says them in its language
            transaction.on_commit(lambda: _send_incomplete_reminder(reporting_year, labels))
        else:
            national = _compile(reporting_year, now or timezone.now(), user, publish=publish)
        run.result.update(national_report=national.pk)
    return run.result


def _incomplete(reporting_year):
    national = NationalReport.objects.filter(reporting_year=reporting_year).first()
    return national is None or bool(national.missing_for_publication())


def _send_incomplete_reminder(reporting_year, labels):
    """Tell the authority's officers that the scheduled publication did not happen and
    what is missing (once per year)."""
    authority = Agency.objects.filter(code=AUTHORITY_CODE).values_list("pk", flat=True)
    messages = compose(
        "reports/email/national_incomplete",
        recipients.agency_officers(authority),
        {"reporting_year": reporting_year, "missing": labels},
    )
    return send_once("reports.national_incomplete_mail", reporting_year.year, messages)


def recompile_national(reporting_year, *, user, now=None):
    """The authority compiles again (late submissions) until it publishes (the workflow
    checks who)."""
    return _compile(reporting_year, now or timezone.now(), user, publish=False)


# The texts the authority writes; their lengths are checked by the form (NationalReportForm),
# which keeps what was typed, never cut here.
NATIONAL_TEXT_FIELDS = (
    "number",
    "issued_place",
    "signer_name",
    "signer_title",
    "recipients",
    "narrative",
)


def update_national(*, national, user, issued_on=None, **texts):
    """The authority's number, date, signer, recipients and narrative, on the draft only
    (a draft may stay incomplete; publishing checks)."""
    with NATIONAL_REPORT_WORKFLOW.transition(national, "edit", user=user) as change:
        for name, value in texts.items():
            if name not in NATIONAL_TEXT_FIELDS:
                raise TypeError(f"update_national() got an unexpected field {name!r}")
            setattr(change.row, name, nfc(value or "").strip())
        change.row.issued_on = issued_on
        change.row.content_version += 1
    return change.row


def publish_national(reporting_year, now=None, *, user=SYSTEM):
    """The scheduled final compilation and publication (once per year); nothing to do
    when the authority has published by hand already."""
    return _scheduled_compile(reporting_year, now, user, publish=True)


def publish_now(reporting_year, *, user, now=None):
    """The authority publishes before the scheduled day. A second publication (two
    clicks, two officers) waits for the first and fails with InvalidTransition."""
    return _compile(reporting_year, now or timezone.now(), user, publish=True)


# --- The calendar ------------------------------------------------------------------------

# How far before a deadline the portal reminds (its own convention, not a legal text): the
# deadlines themselves are the year's, from its plan's data or the authority's correction.
REMINDER_DAYS_BEFORE = (7, 2)  # 8 and 13 November for a 15 November deadline
AUTHORITY_REMINDER_DAYS_BEFORE = 14  # 1 December for a 15 December deadline
PUBLISH_DAYS_BEFORE = 1  # 14 December: published before the 15 December deadline


def _year_due(today):
    """The reporting year of ``today`` once its data window has closed, else None. A year
    already made keeps its own dates (the authority may have corrected them); a new one
    takes its plan's. No plan loaded: nothing is due."""
    reporting_year = ReportingYear.objects.filter(year=today.year).first()
    if reporting_year is not None:
        return reporting_year if today > reporting_year.data_end else None
    rules = year_rules(today.year, plan_for_year(today.year))
    if rules is None or today <= rules["data_end"]:
        return None
    return ensure_year(today.year)


def run_calendar(today):
    """Do every dated step that is due on ``today`` (a local date) and not yet done.

    Every date comes from the reporting year: it opens the day after its data window
    closes; reminders go 7 and 2 days before the unit deadline (only the latest due one, if
    the beat was down); the lock and the compilation happen on the unit deadline at 00:00;
    the authority is reminded 14 days before the national deadline; the report is published
    the day before it, if it is complete (else it stays compiled and the authority is told).
    """
    reporting_year = _year_due(today)
    if reporting_year is None:
        return {}
    done = {"year": reporting_year.year}
    done["open"] = open_year(reporting_year)
    reporting_year.refresh_from_db()
    deadline = reporting_year.unit_deadline
    if today < deadline:
        due = [
            deadline - datetime.timedelta(days=days)
            for days in REMINDER_DAYS_BEFORE
            if deadline - datetime.timedelta(days=days) <= today
        ]
        if due:
            key = due[-1].strftime("%m-%d")
            done["remind_" + key] = send_unit_reminders(reporting_year, key)
        return done
    done["lock"] = lock_year(reporting_year, user=SYSTEM)
    reporting_year.refresh_from_db()
    done["compile"] = compile_national(reporting_year, user=SYSTEM)
    national_deadline = reporting_year.national_deadline
    reminder_day = national_deadline - datetime.timedelta(days=AUTHORITY_REMINDER_DAYS_BEFORE)
    if today >= reminder_day:
        done["remind_authority"] = remind_authority(reporting_year)
    if today >= national_deadline - datetime.timedelta(days=PUBLISH_DAYS_BEFORE):
        reporting_year.refresh_from_db()
        done["publish"] = publish_national(reporting_year, user=SYSTEM)
    return done
