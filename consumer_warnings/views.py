from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.csvexport import csv_response
from portal.errors import InvalidInput, InvalidTransition, NotAllowed, add_to_form, messages_of
from portal.files import serve_private_file
from portal.pagination import CappedPaginator, page_number
from portal.permissions import officer_required
from portal.ratelimit import client_over_limit, over_limit
from portal.roles import get_actor, get_object_in_scope

from . import selectors, services, signals
from .filters import ManagedWarningFilterSet, parse_filters
from .forms import SignalFilterForm, SubscriptionForm, WarningForm, WithdrawForm
from .models import ConsumerWarning, WarningPhoto, printable

PAGE_SIZE = 20
EXPORT_PAGE_SIZE = 500


def _report_ignored(request, warning_filter):
    for message in warning_filter.ignored:
        messages.warning(request, message)


# --- Public ---------------------------------------------------------------------------------


@require_GET
def index(request):
    warning_filter = parse_filters(request.GET)
    _report_ignored(request, warning_filter)
    page, similar = _listed_page(request, warning_filter)
    query = warning_filter.query_string()
    return render(
        request,
        "consumer_warnings/index.html",
        {
            "page": page,
            "filter": warning_filter,
            "form": warning_filter.form,
            "filtered": bool(warning_filter.values),
            # The same filters for the feed and export links ("?…", empty when none).
            "follow_query": f"?{query}" if query else "",
            "gtin_searched": warning_filter.values.get("gtin", ""),
            "similar": similar,
            "subscribe_query": _subscribe_query(warning_filter),
        },
    )


def _listed_page(request, warning_filter):
    """The page of published warnings, counted up to the shared cap; when a search finds
    nothing, the closest warnings instead (then ``similar`` is True)."""
    paginator = CappedPaginator(selectors.listed_warnings(warning_filter), PAGE_SIZE)
    page = paginator.get_page(page_number(request))
    if paginator.count:
        return page, False
    closest = selectors.similar_warnings(warning_filter)
    if closest is None:
        return page, False
    paginator = CappedPaginator(closest, PAGE_SIZE)
    page = paginator.get_page(page_number(request))
    return page, bool(paginator.count)


def _subscribe_query(warning_filter):
    values = warning_filter.values
    params = {
        "sector": values["sector"].code if values.get("sector") else "",
        "kind": values.get("kind", ""),
        "q": values.get("q", ""),
    }
    return urlencode({k: v for k, v in params.items() if v})


@require_GET
def detail(request, pk, slug=""):
    warning = selectors.warning_for(request.user, pk)
    if slug != warning.slug:
        return redirect(warning.get_absolute_url(), permanent=True)
    page_url = request.build_absolute_uri(warning.get_absolute_url())
    return render(
        request,
        "consumer_warnings/detail.html",
        {
            "warning": warning,
            "events": selectors.public_events(warning),
            "page_url": page_url,
            "preview": warning.status == ConsumerWarning.Status.DRAFT,
            "can_edit": services.can_edit(request.user, warning),
            "can_publish": services.can_publish(request.user, warning),
        },
    )


@require_GET
def detail_json(request, pk):
    warning = selectors.warning_for(request.user, pk)
    if warning.status == ConsumerWarning.Status.DRAFT:
        raise Http404  # open data is public data only
    data = selectors.as_dict(warning, request.build_absolute_uri)
    data["history"] = [
        {
            "action": event.action,
            "at": event.at.isoformat(),
            "note": event.note,
            "changed_fields": [c["field"] for c in event.changes.get("fields", [])],
        }
        for event in selectors.public_events(warning)
    ]
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_GET
def photo(request, pk):
    item = get_object_or_404(WarningPhoto.objects.only("image", "warning_id"), pk=pk)
    # The photo is as public as its warning: drafts only to staff in scope.
    warning = get_object_in_scope(ConsumerWarning.objects.all(), request.user, pk=item.warning_id)
    response = serve_private_file(item.image, item.image.name, inline=True)
    if warning.status != ConsumerWarning.Status.DRAFT:
        response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def export_json(request):
    warning_filter = parse_filters(request.GET)
    paginator = Paginator(selectors.listed_warnings(warning_filter), EXPORT_PAGE_SIZE)
    page = paginator.get_page(page_number(request))
    absolute = request.build_absolute_uri
    query = warning_filter.query_string()
    next_url = None
    if page.has_next():
        next_url = absolute(
            reverse("consumer_warnings:export_json")
            + "?"
            + "&".join(p for p in (query, f"page={page.next_page_number()}") if p)
        )
    data = {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "next": next_url,
        "filters": query,
        "ignored_filters": warning_filter.ignored,
        "generated_at": timezone.now().isoformat(),
        "licence": _("Open data of the Businesses for Consumers portal; cite the source."),
        "results": [selectors.as_dict(w, absolute) for w in page.object_list],
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


CSV_COLUMNS = (
    "id",
    "url",
    "kind",
    "title",
    "summary",
    "product_name",
    "brand",
    "model",
    "batch",
    "gtin",
    "sector",
    "hazard",
    "risk_level",
    "measures",
    "responsible_business",
    "origin_country",
    "affected_provinces",
    "issuing_body",
    "reference_number",
    "source_url",
    "published_at",
    "updated_at",
)


def _csv_row(warning, absolute):
    # csv_response makes every cell formula-safe (titles, names and sources are typed).
    cells = [
        warning.pk,
        absolute(warning.get_absolute_url()),
        warning.kind,
        warning.title,
        warning.summary,
        warning.product_name,
        warning.brand,
        warning.model_number,
        warning.batch,
        warning.gtin,
        warning.sector.code,
        warning.hazard,
        warning.risk_level,
        " ".join(warning.measures or []),
        warning.responsible,
        warning.origin_country,
        " ".join(p.code for p in warning.provinces.all()),
        warning.source_agency,
        warning.reference_number,
        warning.source_url,
        warning.published_at.isoformat() if warning.published_at else "",
        warning.updated_at.isoformat() if warning.updated_at else "",
    ]
    return cells


@require_GET
def export_csv(request):
    warning_filter = parse_filters(request.GET)
    queryset = selectors.listed_warnings(warning_filter)
    absolute = request.build_absolute_uri
    rows = (_csv_row(warning, absolute) for warning in queryset.iterator(chunk_size=500))
    response = csv_response(CSV_COLUMNS, rows, "canh-bao.csv")
    if warning_filter.ignored:
        response["X-Filter-Ignored"] = ",".join(sorted(warning_filter.form.errors))
    return response


@require_http_methods(["GET", "POST"])
def subscribe(request):
    # The list's "alert me about these" link passes its sector, kind and search words.
    initial = {
        "sector": request.GET.get("sector", "")[:60],
        "kind": request.GET.get("kind", "")[:30],
        "keyword": request.GET.get("q", "")[:100],
    }
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Each sign-up sends an e-mail: keep the form from being used to flood an inbox.
        if client_over_limit("alerts:ip", request, 10, 3600) or over_limit(
            "alerts:email", data["email"].lower(), 3, 86400
        ):
            form.add_error(None, _("Too many sign-ups were made in a short time. Try again later."))
            return render(request, "consumer_warnings/subscribe.html", {"form": form}, status=429)
        services.subscribe(
            email=data["email"],
            sector=data["sector"],
            kind=data["kind"],
            keyword=data["keyword"],
            language=(get_language() or "vi")[:2],
            consent_text=str(form.fields["consent"].label),
        )
        context = {"email": data["email"], "confirm_days": services.CONFIRM_DAYS}
        return render(request, "consumer_warnings/subscribe_sent.html", context)
    return render(request, "consumer_warnings/subscribe.html", {"form": form})


@require_GET
def confirm(request, token):
    subscription = services.subscription_from_token(
        token, salt=services.CONFIRM_SALT, max_age=services.CONFIRM_MAX_AGE
    )
    if subscription is None:
        return render(request, "consumer_warnings/token_invalid.html", status=404)
    try:
        services.confirm(subscription)
    except InvalidTransition:  # unsubscribed: the link has ended with the subscription
        return render(request, "consumer_warnings/token_invalid.html", status=404)
    return render(
        request,
        "consumer_warnings/subscription_confirmed.html",
        {"subscription": subscription, "token": services.unsubscribe_token(subscription)},
    )


@csrf_exempt  # the signed token is the credential; mail clients POST here (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscription = services.subscription_from_token(token, salt=services.UNSUBSCRIBE_SALT)
    if subscription is None:
        return render(request, "consumer_warnings/token_invalid.html", status=404)
    if request.method == "POST":
        services.unsubscribe(subscription)
        return render(
            request, "consumer_warnings/unsubscribed.html", {"subscription": subscription}
        )
    # GET only asks: link scanners in mail systems must not unsubscribe anyone.
    return render(request, "consumer_warnings/unsubscribe.html", {"subscription": subscription})


# --- Staff ----------------------------------------------------------------------------------


@officer_required
@require_GET
def manage(request):
    warning_filter = ManagedWarningFilterSet(request.GET)
    warning_filter.is_valid()
    _report_ignored(request, warning_filter)
    paginator = CappedPaginator(selectors.managed_warnings(request.user, warning_filter), PAGE_SIZE)
    cleaned = warning_filter.form.cleaned_data
    return render(
        request,
        "consumer_warnings/manage.html",
        {
            "page": paginator.get_page(page_number(request)),
            "filter": warning_filter,
            "status": cleaned.get("status") or "",
            "q": cleaned.get("q") or "",
            "statuses": ConsumerWarning.Status.choices,
            "actor": get_actor(request.user),
        },
    )


def _managed(request, pk, *, to_edit=False):
    """A warning the user may act on: another province's warning, even a public one, is
    404 here before any service is asked. ``to_edit``: one they may still edit, or 403."""
    warning = get_object_in_scope(
        ConsumerWarning.objects.managed_by(request.user).select_related("business"),
        request.user,
        pk=pk,
    )
    if to_edit and not services.can_edit(request.user, warning):
        raise NotAllowed(f"warning {pk} cannot be edited by this user")
    return warning


def _attempt(request, service, *args, done, **kwargs):
    """Run a lifecycle ``service`` as the user: show its refusal, or ``done`` when it went
    through (then True)."""
    try:
        service(*args, user=request.user, **kwargs)
    except InvalidInput as exc:
        messages.error(request, " ".join(messages_of(exc)))
        return False
    messages.success(request, done)
    return True


def _save(request, form, note=""):
    try:
        return services.save_warning(
            form.build(),
            user=request.user,
            provinces=form.cleaned_data["provinces"],
            note=form.cleaned_data.get("update_note", note),
            photo=form.processed_photo,
            photo_alt=form.cleaned_data.get("photo_alt", ""),
        )
    except InvalidInput as exc:
        add_to_form(form, exc)
        return None


@officer_required
@require_http_methods(["GET", "POST"])
def create(request):
    return _create(request)


def _create(request, initial=None, note="", signal=None, signal_kind=""):
    """The new warning form (``initial``: pre-filled from a ``signal``), saved as a draft by
    the one create service."""
    form = WarningForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        warning = _save(request, form, note=note)
        if warning is not None:
            messages.success(request, _("Draft saved. Check the preview, then publish it."))
            return redirect("consumer_warnings:preview", pk=warning.pk)
    context = {"form": form, "warning": None, "signal": signal, "signal_kind": signal_kind}
    return render(request, "consumer_warnings/edit.html", context)


@officer_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    warning = _managed(request, pk, to_edit=True)
    initial = {"provinces": list(warning.provinces.all()), "measures": warning.measures}
    form = WarningForm(
        request.POST or None, request.FILES or None, instance=warning, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form)
        if saved is not None:
            messages.success(request, _("Changes saved."))
            return redirect("consumer_warnings:preview", pk=saved.pk)
    photos = warning.photos.all()
    return render(
        request,
        "consumer_warnings/edit.html",
        {"form": form, "warning": warning, "photos": photos},
    )


@officer_required
@require_GET
def preview(request, pk):
    warning = selectors.warning_for(request.user, pk, managed=True)
    return render(
        request,
        "consumer_warnings/detail.html",
        {
            "warning": warning,
            "events": list(warning.events.all()),
            "page_url": request.build_absolute_uri(warning.get_absolute_url()),
            "preview": True,
            "staff_view": True,
            "can_edit": services.can_edit(request.user, warning),
            "can_publish": services.can_publish(request.user, warning),
        },
    )


@officer_required
@require_POST
def publish(request, pk):
    warning = _managed(request, pk)
    if _attempt(request, services.publish, warning, done=_("The warning is published.")):
        return redirect(warning.get_absolute_url())
    return redirect("consumer_warnings:preview", pk=warning.pk)


@officer_required
@require_POST
def withdraw(request, pk):
    warning = _managed(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the withdrawal; it is shown on the page."))
    else:
        done = _("The warning is withdrawn from lists and feeds.")
        _attempt(request, services.withdraw, warning, reason=form.cleaned_data["reason"], done=done)
    return redirect("consumer_warnings:preview", pk=warning.pk)


@officer_required
@require_POST
def photo_delete(request, pk):
    item = get_object_or_404(WarningPhoto, pk=pk)
    _managed(request, item.warning_id)
    _attempt(request, services.remove_photo, item, done=_("Photo removed."))
    return redirect("consumer_warnings:edit", pk=item.warning_id)


# --- Signals --------------------------------------------------------------------------------

# The URL's word for each kind of signal row.
SIGNAL_KINDS = {"san-pham": signals.PRODUCT, "doanh-nghiep": signals.BUSINESS}


def _signal_filters(request):
    """The window (30 or 90 days) and sector asked for; a wrong value is said and ignored."""
    form = SignalFilterForm(request.GET)
    form.is_valid()
    for name in form.errors:
        label = form.fields[name].label
        value = printable(form.data.get(name, ""))[:60]
        messages.warning(
            request,
            _("The filter “%(label)s” has a value we do not know (“%(value)s”); it was ignored.")
            % {"label": label, "value": value},
        )
    cleaned = getattr(form, "cleaned_data", {})
    return form, cleaned.get("window") or signals.DEFAULT_WINDOW, cleaned.get("sector")


def _signal(request, kind, key):
    if kind not in SIGNAL_KINDS:
        raise Http404
    _form, days, _sector = _signal_filters(request)
    return signals.signal_for(request.user, SIGNAL_KINDS[kind], key, days=days)


@officer_required
@require_GET
def signal_list(request):
    form, days, sector = _signal_filters(request)
    return render(
        request,
        "consumer_warnings/signals.html",
        {
            "form": form,
            "days": days,
            "sector": sector,
            "windows": signals.WINDOWS,
            "products": signals.rising_products(request.user, days=days, sector=sector),
            "businesses": signals.rising_businesses(request.user, days=days, sector=sector),
            "row_limit": signals.ROW_LIMIT,
            "actor": get_actor(request.user),
        },
    )


@officer_required
@require_GET
def signal_detail(request, kind, key):
    signal = _signal(request, kind, key)
    return render(
        request,
        "consumer_warnings/signal_detail.html",
        {"signal": signal, "kind": kind, "windows": signals.WINDOWS},
    )


@officer_required
@require_http_methods(["GET", "POST"])
def signal_draft(request, kind, key):
    """A new warning pre-filled from a signal's counts (nothing personal); saved through the
    same form and service as any other draft, in the officer's own scope."""
    signal = _signal(request, kind, key)
    note = _("Started from the complaint signals (%(recent)s complaints in %(days)s days).") % {
        "recent": signal.recent,
        "days": signal.days,
    }
    initial = signals.draft_initial(signal)
    return _create(request, initial=initial, note=note, signal=signal, signal_kind=kind)
