"""Pages: the public list and page of published narratives; the staff's drafts, review,
publish and unpublish. Thin: reads through selectors, writes through services."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaints.models import Complaint
from complaints.services import log_access
from portal.errors import InvalidInput, add_to_form, messages_of
from portal.pagination import CappedPaginator, page_number
from portal.permissions import officer_required
from portal.roles import get_object_in_scope

from . import scrub, selectors, services
from .filters import NarrativeFilterSet
from .forms import NarrativeForm, UnpublishForm
from .models import Narrative

PAGE_SIZE = 20


# --- Public ---------------------------------------------------------------------------------


@require_GET
def index(request):
    narrative_filter = NarrativeFilterSet(request.GET)
    for message in narrative_filter.ignored:
        messages.warning(request, message)
    paginator = CappedPaginator(selectors.listed(narrative_filter), PAGE_SIZE)
    page = paginator.get_page(page_number(request))
    return render(
        request,
        "narratives/index.html",
        {
            "page": page,
            "paginator": paginator,
            "filter": narrative_filter,
            "form": narrative_filter.form,
            "filtered": bool(narrative_filter.values),
        },
    )


@require_GET
def detail(request, pk):
    try:
        narrative = selectors.published(pk)
    except Narrative.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "narratives/detail.html", {"narrative": narrative})


# --- Staff ----------------------------------------------------------------------------------


@officer_required
@require_GET
def manage(request):
    status = request.GET.get("status", "")
    if status not in Narrative.Status.values:
        status = ""
    paginator = CappedPaginator(selectors.managed(request.user, status), PAGE_SIZE)
    return render(
        request,
        "narratives/manage.html",
        {
            "page": paginator.get_page(page_number(request)),
            "status": status,
            "statuses": Narrative.Status.choices,
            "ready": selectors.ready_complaints(request.user),
        },
    )


@officer_required
@require_POST
def create(request, complaint_pk):
    complaint = get_object_in_scope(Complaint.objects, request.user, pk=complaint_pk)
    try:
        narrative = services.create_draft(complaint, actor=request.user)
    except InvalidInput as error:
        for message in messages_of(error):
            messages.error(request, message)
        return redirect("narratives:manage")
    messages.success(request, _("A draft was made; review it before publishing."))
    return redirect("narratives:review", pk=narrative.pk)


def _in_scope(request, pk):
    return get_object_in_scope(
        Narrative.objects.select_related("complaint", "sector", "province", "reviewed_by"),
        request.user,
        pk=pk,
    )


@officer_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    narrative = _in_scope(request, pk)
    form = NarrativeForm(request.POST or None, instance=narrative)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit(
                narrative,
                actor=request.user,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
            )
        except InvalidInput as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("The narrative was saved."))
            return redirect("narratives:review", pk=narrative.pk)
    return _review_page(request, narrative, form)


def _review_page(request, narrative, form, status=200):
    # The original text is the consumer's personal account: reading it is logged.
    log_access(request, narrative.complaint)
    return render(
        request,
        "narratives/review.html",
        {
            "narrative": narrative,
            "form": form,
            # (piece, its placeholder when it was replaced)
            "segments": [
                (piece, scrub.PLACEHOLDERS.get(kind))
                for piece, kind in services.scrubbed(narrative.complaint).segments()
            ],
            "edited": narrative.text != narrative.scrubbed_text,
            "unpublish_form": UnpublishForm(),
        },
        status=status,
    )


@officer_required
@require_POST
def publish(request, pk):
    narrative = _in_scope(request, pk)
    try:
        services.publish(narrative, actor=request.user)
    except InvalidInput as error:
        # The saved text, bound, so that the refusal shows on the form beside it.
        form = NarrativeForm({"title": narrative.title, "text": narrative.text}, instance=narrative)
        form.is_valid()
        add_to_form(form, error)
        return _review_page(request, narrative, form, status=400)
    messages.success(request, _("The narrative is published."))
    return redirect("narratives:review", pk=narrative.pk)


@officer_required
@require_POST
def unpublish(request, pk):
    narrative = _in_scope(request, pk)
    form = UnpublishForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.unpublish(narrative, actor=request.user, reason=reason)
    except InvalidInput as error:
        for message in messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("The narrative is no longer published."))
    return redirect("narratives:review", pk=narrative.pk)
