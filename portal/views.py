from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import navigation, public_cache, selectors, services
from .contributions import home_blocks
from .errors import NotAllowed, applied
from .forms import BusinessRegistrationForm, DecisionForm, JoinBusinessForm
from .models import Business, Membership
from .permissions import login_required, officer_required
from .ratelimit import client_over_limit, over_limit
from .roles import get_actor, get_object_in_scope

# The home page is the busiest page and its blocks are public summaries: render each one
# once per language and version of its part (portal.public_cache), at most five minutes old
# for the figures that change with time alone.
HOME_BLOCK_SECONDS = 300


def _render_block(func):
    block = func()
    if not block:
        return ""
    return render_to_string(block["template"], {"block": block})


def _home_blocks():
    language = get_language()
    blocks = []
    for dotted, func in home_blocks():
        html = cache.get_or_set(
            public_cache.block_key(dotted, language),
            lambda func=func: _render_block(func),
            HOME_BLOCK_SECONDS,
        )
        if html:
            # Rendered by our own templates (autoescaped) before it was cached.
            blocks.append(mark_safe(html))
    return blocks


@require_GET
def home(request):
    return render(request, "portal/home.html", {"blocks": _home_blocks()})


# --- The personal-data notice (Luật 91/2025/QH15) ------------------------------------------


def privacy_categories():
    """What the portal holds about people, read from the personal-data registry
    (portal.personal_data), so that the notice lists exactly what the models declare."""
    from .personal_data import declared_models

    rows = []
    for model in declared_models():
        spec = model.personal_data
        if not spec.fields:
            continue
        rows.append(
            {
                "record": model._meta.verbose_name,
                "personal": [model._meta.get_field(name).verbose_name for name in spec.personal],
                "sensitive": [model._meta.get_field(name).verbose_name for name in spec.sensitive],
            }
        )
    return rows


def privacy_retention():
    """Each kind of record with the period the code applies to it: the constants and
    settings the deletion jobs use (tests/portal/test_privacy_page.py compares them)."""
    from django.conf import settings

    from complaints.services import DRAFT_DAYS
    from consumer_warnings.services import CONFIRM_DAYS, UNSUBSCRIBED_RETENTION_DAYS

    from .tasks import UNCONFIRMED_ACCOUNT_RETENTION_DAYS

    years, days = _("years"), _("days")
    return [
        {
            "key": "complaints",
            "record": _("A complaint's personal data, its files and the same data in its history"),
            "amount": settings.COMPLAINTS_RETENTION_YEARS,
            "unit": years,
            "rule": _(
                "after the complaint is handled or closed, then erased; figures without the "
                "person stay for the statistics"
            ),
        },
        {
            "key": "drafts",
            "record": _("A complaint form that was started but not sent"),
            "amount": DRAFT_DAYS,
            "unit": days,
            "rule": _("after its last change, then deleted with its files"),
        },
        {
            "key": "unconfirmed_accounts",
            "record": _("An account whose e-mail address was never confirmed"),
            "amount": UNCONFIRMED_ACCOUNT_RETENTION_DAYS,
            "unit": days,
            "rule": _("after sign-up, then deleted"),
        },
        {
            "key": "alerts_unconfirmed",
            "record": _("A request for warning alerts that was not confirmed"),
            "amount": CONFIRM_DAYS,
            "unit": days,
            "rule": _("after the request, then deleted"),
        },
        {
            "key": "alerts_unsubscribed",
            "record": _("The e-mail address of an alert subscription"),
            "amount": UNSUBSCRIBED_RETENTION_DAYS,
            "unit": days,
            "rule": _("after unsubscribing, then deleted (kept while you are subscribed)"),
        },
        {
            "key": "sessions",
            "record": _("A browser session (sign-in, tracking access, form in progress)"),
            "amount": settings.SESSION_COOKIE_AGE // 86400,
            "unit": days,
            "rule": _("at most, then deleted by the daily clearing"),
        },
    ]


@require_GET
def privacy(request):
    from django.conf import settings

    return render(
        request,
        "portal/privacy.html",
        {
            "categories": privacy_categories(),
            "retention": privacy_retention(),
            "hotline": settings.PORTAL_HOTLINE,
        },
    )


@require_GET
def favicon(request):
    # Resolved per request: the hashed static name only exists after collectstatic.
    return redirect(static("icons/icon-192.png"), permanent=True)


@require_GET
def business_suggest(request):
    """JSON suggestions of registered businesses by name or tax code (public data only)."""
    query = request.GET.get("q", "")[:100]
    if len(query.strip()) < 2:
        return JsonResponse({"results": []})
    return JsonResponse({"results": selectors.business_suggestions(query)})


@login_required
def dashboard(request):
    actor = get_actor(request.user)
    context = {
        "shortcuts": navigation.shortcuts(actor),
        "memberships": selectors.memberships_of(request.user),
        "pending_count": (
            selectors.pending_memberships_for(request.user).count() if actor.is_officer else 0
        ),
    }
    return render(request, "portal/dashboard.html", context)


# Requests that create work for officers (a registration, a request to join): per account
# and per address, per hour. A real business registers once; an officer reads each.
ORGANISATION_REQUESTS_PER_ACCOUNT = 5
ORGANISATION_REQUESTS_PER_ADDRESS = 20
ORGANISATION_REQUEST_WINDOW = 3600


def _too_many_requests(request, form, name):
    """Count a request to ``name``; over the limit, put a clear error on the form (which
    keeps what was typed) and say so."""
    window = ORGANISATION_REQUEST_WINDOW
    limited = over_limit(name, request.user.pk, ORGANISATION_REQUESTS_PER_ACCOUNT, window)
    limited |= client_over_limit(name, request, ORGANISATION_REQUESTS_PER_ADDRESS, window)
    if limited:
        form.add_error(
            None,
            _(
                "Too many requests were sent from this account or this address in the last "
                "hour. Wait a while and send again; what you typed is kept."
            ),
        )
    return limited


@login_required
@require_http_methods(["GET", "POST"])
def register_business(request):
    form = BusinessRegistrationForm(request.POST or None)
    register = lambda data: services.register_business(  # noqa: E731
        user=request.user, data=form.business_data(), note=data["note"]
    )
    limited = request.method == "POST" and _too_many_requests(request, form, "register")
    registered = request.method == "POST" and not limited and applied(form, register)
    if registered:
        messages.success(
            request,
            _(
                "%(name)s is registered. Your membership is pending until an officer "
                "of the Department of Industry and Trade approves it; you will be told "
                "by e-mail."
            )
            % {"name": registered[0].name},
        )
        if form.province_note:
            messages.info(
                request,
                _("%(note)s: the business is registered under %(province)s.")
                % {"note": form.province_note, "province": registered[0].province.display_name},
            )
        return redirect("portal:dashboard")
    status = 429 if limited else 200
    return render(request, "portal/business_register.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def join_business(request):
    form = JoinBusinessForm(request.POST or None, initial={"tax_code": request.GET.get("mst", "")})
    join = lambda data: services.request_to_join(  # noqa: E731
        user=request.user, business=form.business, role=data["role"], note=data["note"]
    )
    limited = request.method == "POST" and _too_many_requests(request, form, "join")
    if request.method == "POST" and not limited and applied(form, join):
        messages.success(
            request,
            _("Your request to join %(name)s was sent. You will be told by e-mail.")
            % {"name": form.business.name},
        )
        return redirect("portal:dashboard")
    status = 429 if limited else 200
    return render(request, "portal/business_join.html", {"form": form}, status=status)


@login_required
def business_detail(request, pk):
    business = get_object_in_scope(
        Business.objects.select_related("province", "sector"), request.user, pk=pk
    )
    members = business.memberships.select_related("user").order_by("status", "requested_at")
    actor = get_actor(request.user)
    if not actor.is_officer:
        members = members.filter(status=Membership.Status.APPROVED)
    from selfassess.record import business_record

    # The same record as the public page, with the complaints the viewer handles.
    record = business_record(business, viewer=request.user)
    return render(
        request,
        "portal/business_detail.html",
        {"business": business, "members": members, "record": record},
    )


@officer_required
def membership_requests(request):
    page = Paginator(selectors.pending_memberships_for(request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/membership_requests.html", {"page": page})


@officer_required
@require_http_methods(["GET", "POST"])
def membership_decide(request, pk):
    membership = get_object_in_scope(
        Membership.objects.select_related("user", "business__province", "agency"),
        request.user,
        pk=pk,
    )
    if not services.can_decide(request.user, membership):
        raise NotAllowed("membership outside the decider's remit")
    form = DecisionForm(request.POST or None)
    decide = lambda data: services.decide_membership(  # noqa: E731
        membership=membership,
        decider=request.user,
        approve=data["decision"] == "approve",
        reason=data["reason"],
    )
    if request.method == "POST" and applied(form, decide):
        messages.success(request, _("The decision was recorded and the applicant told."))
        return redirect("portal:membership_requests")
    return render(
        request, "portal/membership_decide.html", {"membership": membership, "form": form}
    )
