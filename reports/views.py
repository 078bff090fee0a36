"""Pages of the reports part at /bao-cao/. Thin: they check scope and call services.

Errors follow the portal's contract (portal.errors): ``NotAllowed`` from a service or a
scope check propagates and becomes a 404 in the middleware; ``InvalidInput`` (including
``InvalidTransition``) goes onto the form with what was typed, or into a message for the
plain buttons."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import csvexport
from portal.errors import (
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    add_to_form,
    applied,
    messages_of,
)
from portal.pdf import pdf_response
from portal.permissions import hidden_from_public, ministry_required, officer_required
from portal.roles import get_actor, get_object_in_scope

from . import selectors, services
from .filters import DashboardFilter
from .forms import NationalReportForm, ReviewForm, TaskProgressForm
from .models import NationalReport, ProgressAttachment, ReportingYear, TaskProgress, UnitReport
from .workflow import UNIT_REPORT_WORKFLOW


def _error_text(error):
    return " ".join(messages_of(error))


def _wants_json(request):
    return request.headers.get("X-Requested-With") == "fetch"


def _unit_report(request, pk):
    return get_object_in_scope(
        UnitReport.objects.select_related("reporting_year", "agency__province"),
        request.user,
        pk=pk,
    )


@require_GET
@officer_required
def index(request):
    actor = get_actor(request.user)
    own_reports = list(selectors.unit_reports_for(request.user))
    today = timezone.localdate()
    context = {"own_reports": own_reports, "today": today, "is_ministry": actor.is_ministry}
    if not actor.is_ministry:
        context["published_nationals"] = list(selectors.published_national_reports(request.user))
    if not own_reports:
        context["opening_day"] = selectors.next_opening_day(today)
    for report in own_reports:
        report.days_left = selectors.days_left(report.reporting_year.unit_deadline, today)
    if actor.is_ministry:
        years = list(selectors.years_for(request.user))
        selected = None
        wanted = request.GET.get("nam", "")
        if wanted.isdigit():
            selected = next((y for y in years if y.year == int(wanted)), None)
        selected = selected or (years[0] if years else None)
        context["years"] = years
        context["selected_year"] = selected
        if selected is not None:
            context["counts"] = selectors.dashboard_counts(selected)
            unit_filter = DashboardFilter(request.GET, queryset=selectors.dashboard_rows(selected))
            context["filter"] = unit_filter
            context["rows"] = list(unit_filter.qs)
            context["shown"] = unit_filter.shown
            context["national"] = NationalReport.objects.filter(reporting_year=selected).first()
            context["days_to_unit_deadline"] = selectors.days_left(selected.unit_deadline, today)
    return render(request, "reports/index.html", context)


def _detail_context(request, report, forms=None, review_form=None):
    progress = selectors.progress_rows(report)
    document = selectors.unit_report_document(report, progress=progress)
    editable = services.can_edit(report, request.user)
    forms = forms or {}
    if editable:
        for row in progress:
            row.form = forms.get(row.pk) or TaskProgressForm(instance=row)
    actor = get_actor(request.user)
    unsaved = []
    if not editable:
        # A refused save (the report was submitted meanwhile): show what the user typed
        # so that nothing is lost.
        for form in forms.values():
            for name in services.PROGRESS_FIELDS:
                value = form.data.get(form.add_prefix(name), "")
                if value:
                    unsaved.append({"label": form.fields[name].label, "value": value})
    unsaved_errors = [e for form in forms.values() for e in form.non_field_errors()]
    can_review = UNIT_REPORT_WORKFLOW.can("accept", request.user, report)
    if review_form is not None and not can_review:
        # A refused review (someone reviewed meanwhile): the comment is shown to copy.
        comment = review_form.data.get("comment", "")
        if comment:
            unsaved_errors += review_form.non_field_errors()
            unsaved.append({"label": review_form.fields["comment"].label, "value": comment})
        else:
            for error in review_form.non_field_errors():
                messages.error(request, error)
    return {
        **document,
        "unsaved": unsaved,
        "unsaved_errors": unsaved_errors,
        "editable": editable,
        "is_own_unit": report.agency_id in actor.agency_ids,
        "can_review": can_review,
        "review_form": review_form or ReviewForm(),
        "days_left": selectors.days_left(report.reporting_year.unit_deadline),
        "filled_count": sum(1 for row in progress if row.is_filled),
    }


@hidden_from_public
@require_GET
@officer_required
def unit_report(request, pk):
    report = _unit_report(request, pk)
    return render(request, "reports/unit_report.html", _detail_context(request, report))


@hidden_from_public
@require_POST
@officer_required
def save_progress(request, pk, progress_pk):
    report = _unit_report(request, pk)
    progress = TaskProgress.objects.filter(report=report, pk=progress_pk).first()
    if progress is None:
        raise Http404
    form = TaskProgressForm(request.POST, request.FILES, instance=progress)
    if not form.is_valid():
        if _wants_json(request):
            return JsonResponse(
                {"ok": False, "error": _("Please check what you typed.")}, status=400
            )
        return _render_with_form(request, report, progress, form)
    try:
        services.save_progress(progress=progress, user=request.user, data=form.cleaned_data)
        upload = form.cleaned_data.get("attachment")
        if upload:
            services.add_attachment(progress=progress, user=request.user, upload=upload)
    except InvalidInput as error:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": _error_text(error)}, status=400)
        return _render_with_form(request, report, progress, add_to_form(form, error))
    saved_at = date_format(timezone.localtime(), "H:i")
    if _wants_json(request):
        return JsonResponse({"ok": True, "saved_at": saved_at})
    messages.success(request, _("Progress on task %(code)s saved.") % {"code": progress.task.code})
    return redirect(f"{report_url(report)}#task-{progress.pk}")


def report_url(report):
    return reverse("reports:unit_report", args=[report.pk])


def _render_with_form(request, report, progress, form):
    context = _detail_context(request, report, forms={progress.pk: form})
    return render(request, "reports/unit_report.html", context, status=400)


@hidden_from_public
@require_POST
@officer_required
def delete_attachment(request, pk, attachment_pk):
    report = _unit_report(request, pk)
    attachment = (
        ProgressAttachment.objects.filter(progress__report=report, pk=attachment_pk)
        .select_related("progress")
        .first()
    )
    if attachment is None:
        raise Http404
    try:
        services.remove_attachment(attachment=attachment, user=request.user)
        messages.success(request, _("The file has been removed."))
    except InvalidInput as error:
        messages.error(request, _error_text(error))
    return redirect(f"{report_url(report)}#task-{attachment.progress_id}")


@hidden_from_public
@require_POST
@officer_required
def submit(request, pk):
    report = _unit_report(request, pk)
    try:
        report = services.submit_report(report=report, user=request.user)
    except InvalidInput as error:
        messages.error(request, _error_text(error))
        return redirect(report_url(report))
    if report.is_late:
        messages.warning(
            request, _("The report has been submitted after the deadline and is marked late.")
        )
    else:
        messages.success(request, _("The report has been submitted to the authority."))
    return redirect(report_url(report))


@hidden_from_public
@require_POST
@ministry_required
def review(request, pk):
    report = _unit_report(request, pk)
    form = ReviewForm(request.POST)

    def record(data):
        services.review_report(
            report=report,
            user=request.user,
            accept=data["decision"] == "accept",
            comment=data["comment"],
        )

    if applied(form, record):
        messages.success(request, _("The review has been recorded."))
        return redirect(report_url(report))
    context = _detail_context(request, report, review_form=form)
    return render(request, "reports/unit_report.html", context, status=400)


@hidden_from_public
@require_GET
@officer_required
def unit_report_pdf(request, pk):
    report = _unit_report(request, pk)
    return pdf_response(request, report, back_url=report_url(report))


def _csv(header_and_rows, filename):
    header, rows = header_and_rows
    response = csvexport.csv_response(header, rows, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@hidden_from_public
@require_GET
@officer_required
def unit_report_csv(request, pk):
    report = _unit_report(request, pk)
    filename = f"bao-cao-{report.reporting_year.year}-{report.agency.code}.csv"
    return _csv(selectors.unit_report_csv(report), filename)


@hidden_from_public
@require_GET
@officer_required
def attachment(request, pk):
    visible = UnitReport.objects.visible_to(request.user)
    item = ProgressAttachment.objects.filter(pk=pk, progress__report__in=visible).first()
    if item is None:
        raise Http404
    return item.response()


def _national(request, year, manage=False):
    """The reporting year and its national report (or None). ``manage``: the caller
    compiles, edits or publishes, which only the authority does (other ministry units
    read). Who reads which report is ``NationalReport.objects.visible_to`` (a province
    officer: only a published one); only the ministry, which compiles it, has the page
    before there is a report. Anyone else gets 404 like any other wrong role."""
    actor = get_actor(request.user)
    if manage and not actor.is_authority:
        raise NotAllowed("only the authority manages the national report")
    reporting_year = get_object_in_scope(ReportingYear.objects, request.user, year=year)
    national = (
        NationalReport.objects.visible_to(request.user)
        .filter(reporting_year=reporting_year)
        .first()
    )
    if national is None and not actor.is_ministry:
        raise NotAllowed(f"national report {year}: not visible")
    return reporting_year, national


def _compiled_national(request, year):
    """The national report of ``year`` for its downloads (404 before the compilation)."""
    _reporting_year, national = _national(request, year)
    if national is None:
        raise Http404
    return national


def _national_page(request, reporting_year, national, form=None, status=200):
    context = {
        "reporting_year": reporting_year,
        "national_obj": national,
        "can_manage": get_actor(request.user).is_authority,
    }
    if national is not None:
        context.update(selectors.national_report_document(national))
        context["form"] = form or NationalReportForm(instance=national)
    return render(request, "reports/national_report.html", context, status=status)


@hidden_from_public
@require_GET
@officer_required
def national_report(request, year):
    reporting_year, national = _national(request, year)
    return _national_page(request, reporting_year, national)


@hidden_from_public
@require_POST
@ministry_required
def national_edit(request, year):
    """Save the draft's parts; with "Save and publish…", then go to the confirmation,
    or, while a required part is missing, show the form again with each one named and
    everything typed kept (the draft is saved all the same)."""
    reporting_year, national = _national(request, year, manage=True)
    if national is None:
        raise Http404
    form = NationalReportForm(request.POST, instance=national)

    def save(data):
        saved = services.update_national(national=national, user=request.user, **data)
        if "publish" in request.POST:
            services.check_publishable(saved)

    if applied(form, save):
        if "publish" in request.POST:
            return redirect("reports:national_publish", year=year)
        messages.success(request, _("The national report has been saved."))
        return redirect("reports:national_report", year=year)
    national.refresh_from_db()
    return _national_page(request, reporting_year, national, form=form, status=400)


@hidden_from_public
@require_POST
@ministry_required
def national_compile(request, year):
    reporting_year, _national_report = _national(request, year, manage=True)
    try:
        services.recompile_national(reporting_year, user=request.user)
    except InvalidInput as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The national report has been compiled."))
    return redirect("reports:national_report", year=year)


@hidden_from_public
@require_http_methods(["GET", "POST"])
@ministry_required
def national_publish(request, year):
    """ "Ban hành": a page that shows what will be issued and asks to confirm (GET); the
    publication itself only on a POST carrying the confirmation, so one stray click or a
    form without JavaScript never publishes."""
    reporting_year, national = _national(request, year, manage=True)
    if national is None:
        raise Http404
    confirmed = request.method == "POST" and request.POST.get("confirm") == "yes"
    if confirmed:
        try:
            services.publish_now(reporting_year, user=request.user)
        except InvalidTransition as error:
            # A second publication (two clicks) is information, not an error.
            messages.info(request, _error_text(error))
        except InvalidInput as error:
            messages.error(request, _error_text(error))
            return redirect("reports:national_report", year=year)
        else:
            messages.success(request, _("The national report has been published."))
        return redirect("reports:national_report", year=year)
    context = {
        "reporting_year": reporting_year,
        "national_obj": national,
        "missing": list(national.missing_labels().values()),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/national_publish.html", context, status=status)


@hidden_from_public
@require_GET
@officer_required
def national_pdf(request, year):
    national = _compiled_national(request, year)
    back = reverse("reports:national_report", args=[year])
    return pdf_response(request, national, back_url=back)


@hidden_from_public
@require_GET
@officer_required
def national_csv(request, year):
    national = _compiled_national(request, year)
    return _csv(selectors.national_report_csv(national), f"bao-cao-quoc-gia-{year}.csv")
