import contextlib
import ipaddress

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .errors import InvalidInput, NotAllowed, messages_of
from .roles import needs_mfa, withhold_staff_powers

HEALTH_PATH = "/healthz"
# Paths an officer without MFA may not reach. Staff pages of the apps use
# ``portal.permissions`` guards, which apply the same rule.
MFA_PROTECTED_PREFIXES = ("/quan-tri/", "/en/quan-tri/")


class HealthCheckMiddleware:
    """Answers /healthz before sessions, host validation or HTTPS redirects run, so load
    balancers and container health checks get a plain answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.rstrip("/") == HEALTH_PATH:
            try:
                connection.ensure_connection()
                return JsonResponse({"status": "ok"})
            except Exception:  # noqa: BLE001 - any database failure means unhealthy
                return JsonResponse({"status": "database unavailable"}, status=503)
        return self.get_response(request)


class StaffMFAMiddleware:
    """Staff data needs a second factor. A staff user (officer, consumer association,
    admin) without TOTP (``needs_mfa``) is the public everywhere:
    :func:`portal.roles.withhold_staff_powers` takes their officer powers away for the
    request, so every scoped view answers as it would to a citizen; the role guards of
    ``portal.permissions`` and the back office (``MFA_PROTECTED_PREFIXES``) send them to
    TOTP setup instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if needs_mfa(user):
            withhold_staff_powers(user)
            if request.path.startswith(MFA_PROTECTED_PREFIXES):
                messages.warning(
                    request,
                    _("Staff accounts must set up two-step verification before continuing."),
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)


class PrivateResponsesMiddleware:
    """``Cache-Control: private, no-store`` on every response that may hold personal or
    staff data (:func:`keep_out_of_caches`), redirects and errors included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        keep_out_of_caches(request, response)
        return response


def keep_out_of_caches(request, response):
    """No shared cache and no browser history may keep a page with personal or staff data:
    every response to a signed-in person (the request's user, or the one the request
    signed in), and every response to a visitor whose session holds something (an
    anonymous complainant's access to their complaint, a filing draft). Private files
    (``portal.files.serve_private_file``) say so themselves; a public visitor without a
    session keeps the pages' own caching."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    signed_in = bool(user is not None and user.is_authenticated)
    has_session = session is not None and not session.is_empty()
    if signed_in or has_session:
        # Whatever the view said (a published photo is "public, max-age=3600"): no cache
        # may keep what a signed-in person was shown.
        response["Cache-Control"] = "private, no-store"


class ClientIPMiddleware:
    """Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, the client's address is the one the
    outermost trusted proxy saw: rewrite REMOTE_ADDR from X-Forwarded-For so that rate
    limits and access logs see the citizen, not the proxy. Addresses the client itself
    wrote into the header (further left) are never trusted."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.count = settings.TRUSTED_PROXY_COUNT

    def __call__(self, request):
        if self.count:
            hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            hops = [h for h in hops if h]
            if len(hops) >= self.count:
                candidate = hops[-self.count]
                with contextlib.suppress(ValueError):  # a malformed hop: keep the peer
                    request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(candidate))
        return self.get_response(request)


class DomainErrorMiddleware:
    """The one place that turns the portal's domain errors into responses (portal.errors):
    "not allowed" and "not in your scope" become 404, never 403, so nobody learns that an
    object exists; an invalid input or transition that no form caught becomes a message on
    the page the user came from. Views with a form catch ``InvalidInput`` themselves and
    render the form again with what was typed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotAllowed):
            raise Http404 from exception
        if isinstance(exception, InvalidInput):
            for text in messages_of(exception):
                messages.error(request, text)
            back = request.META.get("HTTP_REFERER", "")
            if not url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                back = request.path
            return redirect(back)
        return None


SESSION_LANGUAGE_KEY = "portal_language_saved"


def remember_language_on_login(sender, request, user, **kwargs):
    """Store the language a person signs in with (signal ``user_logged_in``)."""
    from django.utils import translation

    from .services import remember_language

    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language()
    remember_language(user, language)
    if hasattr(request, "session"):
        request.session[SESSION_LANGUAGE_KEY] = language


class RememberLanguageMiddleware:
    """Keep the language a signed-in person chose (``Profile.language``), so that e-mails to
    them are written in it: stored at sign-in, when they switch with the language selector
    (Django's ``set_language``), and once for a session that predates this. Following a
    link in the other language does not change it; a page costs no query for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if session is None or user is None or not user.is_authenticated:
            return response
        match = getattr(request, "resolver_match", None)
        if request.method == "POST" and match is not None and match.url_name == "set_language":
            language = request.POST.get("language")
        elif SESSION_LANGUAGE_KEY not in session:
            language = getattr(request, "LANGUAGE_CODE", None)
        else:
            return response
        from .services import remember_language

        if remember_language(user, language):
            session[SESSION_LANGUAGE_KEY] = language
        return response


# The API (portal.api) and allauth's sign-in for apps.
API_PREFIXES = ("/api/", "/_allauth/")


def is_api_path(path):
    return path.startswith(API_PREFIXES)


def language_of(request):
    """The API's language: the first supported one of ``Accept-Language``, else Vietnamese.
    Neither the path nor a cookie decides it, so the public cache keys on the same answer."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in translation.trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class ApiRequestMiddleware:
    """After Django's LocaleMiddleware (which gives unprefixed paths the default language)
    and the session sign-in: the API and the app sign-in speak the language of
    ``Accept-Language``, and know a person only by their ``X-Session-Token``. A browser's
    session cookie is ignored there, so no other site can make a signed-in browser act
    through the API (the API has no CSRF token to check)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_path(request.path_info):
            return self.get_response(request)
        language = language_of(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        if request.path_info.startswith("/api/"):
            request.user = AnonymousUser()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.setdefault("Content-Language", language)
        return response
