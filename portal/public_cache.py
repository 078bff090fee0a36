"""A shared cache of public pages for anonymous visitors (issue #13).

:class:`PublicPageCacheMiddleware` sits before sessions, templates and views: a GET or HEAD
with no session, no message cookie and no ``Authorization`` header, for a page registered
in :data:`PAGES`, is answered from the cache "default" (Redis in production), keyed by the
versions of the parts the page shows, the language, the address and the sorted query string.

A page is stored only when nothing personal can be in it: a 200 that sets no cookie (a CSRF
token sets one), says nothing private, and was made for a visitor who is still anonymous
with an empty session.

Each part has a version in the cache. :func:`bump` gives the parts new versions when a row
the pages show changes (receivers connected by :func:`invalidate_on_change`, and explicit
calls beside the services' queryset updates), once at once and again after commit, so no
page read before the commit survives it; then a Celery task renders the hot pages again
(:func:`rebuild`) so that no visitor pays the rebuild.
"""

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

logger = logging.getLogger(__name__)

WARNINGS, LEGALDOCS, SELFASSESS, COMPLAINT_STATS, NARRATIVES, PORTAL = (
    "warnings",
    "legaldocs",
    "selfassess",
    "complaints-stats",
    "narratives",
    "portal",
)
PARTS = (WARNINGS, LEGALDOCS, SELFASSESS, COMPLAINT_STATS, NARRATIVES, PORTAL)

# Pages live until a version changes; the ceiling is for what changes with time alone
# (dates shown as "in force", a complaint's step turning late).
PAGE_SECONDS = 6 * 3600
# Complaints change with every filing: their figures may be five minutes old, as before.
STATS_SECONDS = 300

CACHE_CONTROL = "public, max-age=0, must-revalidate"
# Set in the environ by :func:`rebuild` (no client can send it): render and store again.
REFRESH = "portal.public_cache.refresh"
# Request cookies that may change what a page shows: a session, messages waiting to be shown.
PERSONAL_COOKIES = lambda: (settings.SESSION_COOKIE_NAME, "messages")  # noqa: E731
PENDING_KEY = "public-page:rebuild-pending"


@dataclass(frozen=True)
class Page:
    parts: tuple
    seconds: int = PAGE_SECONDS
    # The API's reads: the language comes from Accept-Language, not from the path.
    negotiated: bool = False


# URL names whose anonymous pages may be shared, with the parts each one shows. Pages with a
# form posted with a CSRF token, or anything personal, are never listed here.
PAGES = {
    "home": Page(PARTS, STATS_SECONDS),
    "legaldocs:index": Page((LEGALDOCS,)),
    "legaldocs:detail": Page((LEGALDOCS,)),
    "legaldocs:json": Page((LEGALDOCS,)),
    "legaldocs:feed": Page((LEGALDOCS,)),
    "consumer_warnings:feed_atom": Page((WARNINGS, PORTAL)),
    "consumer_warnings:feed_rss": Page((WARNINGS, PORTAL)),
    "consumer_warnings:index": Page((WARNINGS, PORTAL)),
    "consumer_warnings:detail": Page((WARNINGS, PORTAL)),
    "businesses:index": Page((SELFASSESS, PORTAL)),
    # A business's whole record (selfassess.record): its warnings, complaint steps and
    # narratives too; the steps turn late with time alone, so it lives as the statistics.
    "businesses:detail": Page(
        (SELFASSESS, PORTAL, WARNINGS, COMPLAINT_STATS, NARRATIVES), STATS_SECONDS
    ),
    "complaints:stats": Page((COMPLAINT_STATS, PORTAL), STATS_SECONDS),
    "narratives:index": Page((NARRATIVES, PORTAL)),
    "narratives:detail": Page((NARRATIVES, PORTAL)),
}
# Rendered again in the background after a bump, in every language: the busiest pages.
HOT_PAGES = (
    "home",
    "consumer_warnings:index",
    "legaldocs:index",
    "businesses:index",
    "complaints:stats",
)


# --- Versions ---------------------------------------------------------------------------


def _version_key(part):
    return f"public-page:version:{part}"


def versions(parts):
    """The current version of each part, made on first use. A version lost from the cache
    comes back as a new token, so no old page can match it."""
    keys = [_version_key(part) for part in parts]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex[:12], None)
            found[key] = cache.get(key)
    return tuple(found[key] for key in keys)


def bump(*parts):
    """The pages showing ``parts`` are out of date: new versions now (nothing stale is served
    while the change commits) and again after commit (a page rendered meanwhile read the old
    rows), then a background rebuild."""
    parts = [part for part in parts if part in PARTS]
    _new_versions(parts)
    transaction.on_commit(lambda: _after_commit(parts))


def _new_versions(parts):
    try:
        cache.set_many({_version_key(part): uuid.uuid4().hex[:12] for part in parts}, None)
    except Exception:  # noqa: BLE001 - a cache outage must not undo the change
        logger.exception("public cache: could not bump %s", parts)


def _after_commit(parts):
    _new_versions(parts)
    from .celery import app

    # Eager tasks would make the person who published wait for the rebuild: only a worker.
    if not settings.PUBLIC_CACHE_REBUILD or app.conf.task_always_eager:
        return
    try:
        # One rebuild queued at a time; the task clears this when it starts, so a bump
        # during a rebuild queues the next one.
        queue = cache.add(PENDING_KEY, 1, 600)
    except Exception:  # noqa: BLE001
        logger.exception("public cache: could not queue a rebuild")
        return
    if queue:
        from .jobs import enqueue
        from .tasks import rebuild_public_pages

        enqueue(rebuild_public_pages)


def invalidate_on_change(part, *models, at_most_every=None):
    """Bump ``part`` whenever a row of ``models`` is saved or deleted, or its many-to-many
    links change (called from the parts' ``AppConfig.ready``); with ``at_most_every``
    (seconds), once in that time at most, for rows that change all the time."""

    def receiver(sender, **kwargs):
        if at_most_every and not cache.add(f"public-page:throttle:{part}", 1, at_most_every):
            return
        bump(part)

    for model in models:
        uid = f"public-cache:{part}:{model._meta.label}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}:save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}:delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                receiver,
                sender=field.remote_field.through,
                weak=False,
                dispatch_uid=f"{uid}:{field.name}",
            )


def block_key(dotted, language):
    """The home blocks' own cache key: with the version of the block's part, so that a
    block changes with its data and the background rebuild renders it again."""
    part = BLOCK_PARTS.get(dotted.split(".", 1)[0])
    version = versions((part,))[0] if part else ""
    return f"home-block:{dotted}:{language}:{version}"


BLOCK_PARTS = {
    "consumer_warnings": WARNINGS,
    "legaldocs": LEGALDOCS,
    "selfassess": SELFASSESS,
    "complaints": COMPLAINT_STATS,
}


# --- The middleware ---------------------------------------------------------------------


def _page_of(request):
    """The registered page ``request`` asks for, and its language, or (None, None)."""
    path = request.path_info
    language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    try:
        # The language prefix of i18n_patterns matches only the active language.
        with translation.override(language):
            match = resolve(path)
    except Resolver404:
        return None, None
    page = PAGES.get(match.view_name)
    if page is not None and page.negotiated:
        from .middleware import language_of

        language = language_of(request)
    return page, language


def _anonymous(request):
    cookies = request.COOKIES
    meta = request.META
    return (
        "HTTP_AUTHORIZATION" not in meta
        and "HTTP_X_SESSION_TOKEN" not in meta
        and not any(name in cookies for name in PERSONAL_COOKIES())
    )


def _page_key(request, page, language):
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"public-page:{'.'.join(versions(page.parts))}:{language}:{digest}"


def _storable(request, response):
    """Nothing personal may be shared: no cookie set, nothing private, no CSRF token in the
    page, no user and an empty session."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = response.get("Cache-Control", "")
    if "private" in control or "no-store" in control or "no-cache" in control:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is not None and user.is_authenticated:
        return False
    return session is None or (session.is_empty() and not session.modified)


def _entry(response):
    body = response.content
    headers = [
        (name, value)
        for name, value in response.items()
        if name.lower() not in ("set-cookie", "cache-control", "etag", "last-modified")
    ]
    return {
        "body": body,
        "headers": headers,
        "etag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
        "modified": int(time.time()),
    }


def _validators(response, entry):
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["modified"])
    response["Cache-Control"] = CACHE_CONTROL


def _from_entry(request, entry):
    response = HttpResponse(b"" if request.method == "HEAD" else entry["body"])
    for name, value in entry["headers"]:
        response[name] = value
    response["Content-Length"] = str(len(entry["body"]))
    _validators(response, entry)
    response["X-Public-Cache"] = "hit"
    return get_conditional_response(
        request, etag=entry["etag"], last_modified=entry["modified"], response=response
    )


class PublicPageCacheMiddleware:
    """Answers anonymous visitors from the shared cache; see the module's text."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or not _anonymous(request):
            return self.get_response(request)
        page, language = _page_of(request)
        if page is None:
            return self.get_response(request)
        try:
            key = _page_key(request, page, language)
            entry = None if request.META.get(REFRESH) else cache.get(key)
        except DisallowedHost:
            # Not a cache failure: the host checks further in answer it (400), quietly.
            return self.get_response(request)
        except Exception:  # noqa: BLE001 - without the cache the page is rendered
            logger.exception("public cache: read failed")
            return self.get_response(request)
        if entry is not None:
            return _from_entry(request, entry)
        response = self.get_response(request)
        if request.method == "GET" and _storable(request, response):
            entry = _entry(response)
            try:
                cache.set(key, entry, page.seconds)
            except Exception:  # noqa: BLE001
                logger.exception("public cache: write failed")
            _validators(response, entry)
            response["X-Public-Cache"] = "miss"
            return get_conditional_response(
                request, etag=entry["etag"], last_modified=entry["modified"], response=response
            )
        return response


# --- Background rebuild -------------------------------------------------------------------


def hot_paths():
    """Each hot page in each language."""
    paths = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            paths += [reverse(name) for name in HOT_PAGES]
    return paths


def rebuild(paths=None):
    """Render ``paths`` (the hot pages) as an anonymous visitor of ``SITE_URL`` through the
    full middleware stack and store them; the data caches the pages read (home blocks,
    complaint statistics) are filled on the way. Returns {path: status}."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    site = urlsplit(settings.SITE_URL)
    handler = WSGIHandler()
    factory = RequestFactory()
    done = {}
    for path in paths or hot_paths():
        request = factory.get(
            path,
            secure=site.scheme == "https",
            HTTP_HOST=site.netloc,
            # Behind the proxy in production, this header says the request came over HTTPS.
            HTTP_X_FORWARDED_PROTO=site.scheme,
            **{REFRESH: True},
        )
        response = handler.get_response(request)
        # Not closed: closing sends request_finished, which would close the task's database
        # connection between pages (the pages are plain, non-streaming responses).
        done[path] = response.status_code
    return done
