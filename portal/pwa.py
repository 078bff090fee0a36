"""The installable, offline-capable portal (issue #14): the service worker at ``/sw.js`` and
the offline page it falls back to.

The worker (``templates/pwa/sw.js``) keeps static files (cache first) and the public pages a
person has read (network first), so that a warning or a legal document opened once stays
readable offline. What it may keep is decided here, once, and written into the worker:
:func:`may_cache` is the same rule in Python, for the tests and for anyone reading the code.
Nothing personal is ever kept: only GET, only this origin, only paths under
:data:`PUBLIC_PREFIXES` (or a home page) and not under :data:`PRIVATE_PREFIXES`, and only a
plain 200 whose ``Cache-Control`` says neither ``private`` nor ``no-store`` (the portal says
that to every signed-in or session-holding visitor, portal.middleware.keep_out_of_caches).

Its caches are named with :func:`version`, a digest of the worker's source, the offline page
and the static files: a deployment that changes any of them installs a new worker, which
deletes the old caches when it takes over.
"""

import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

SW_TEMPLATE = "pwa/sw.js"
OFFLINE_TEMPLATE = "pwa/offline.html"
CACHE_PREFIX = "dnvntd-"
# Pages kept at most; the oldest go first. Static files are bounded by the site itself.
MAX_PAGES = 80

# Paths in the default language; each other language has the same under "/<code>".
# Home pages are kept as exact paths ("/" is a prefix of everything).
PUBLIC_PREFIXES = (
    "/canh-bao/",  # warnings and recalls
    "/van-ban/",  # legal library
    "/doanh-nghiep/",  # public assessment results and business pages
    "/khieu-nai/thong-ke/",  # complaint statistics
    "/tuong-thuat/",  # published narratives
)
# Checked first: personal, staff, form or token pages, even inside a public section.
PRIVATE_PREFIXES = (
    "/khieu-nai/gui/",
    "/khieu-nai/tra-cuu/",
    "/khieu-nai/theo-doi/",
    "/khieu-nai/cua-toi/",
    "/khieu-nai/quan-ly/",
    "/khieu-nai/doanh-nghiep/",
    "/canh-bao/quan-ly/",
    "/canh-bao/tin-hieu/",  # the authority's signals
    "/tuong-thuat/quan-ly/",  # narratives under review
    "/canh-bao/dang-ky/",
    "/canh-bao/huy-dang-ky/",
    "/tai-khoan/",
    "/tu-danh-gia/",
    "/bao-cao/",
    "/quan-tri/",
)
# Outside the language patterns.
PRIVATE_ROOTS = ("/api/", "/_allauth/", "/i18n/")
# Static files the offline page needs, fetched at install.
PRECACHED_STATIC = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "css/portal.css",
    "icons/icon-192.png",
    "manifest.webmanifest",
    "js/pwa.js",
)


def _language_prefixes():
    return [""] + [
        f"/{code}" for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
    ]


def rules():
    """What the worker may keep, in every language."""
    languages = _language_prefixes()
    return {
        "homes": [f"{lang}/" for lang in languages],
        "public": [lang + prefix for lang in languages for prefix in PUBLIC_PREFIXES],
        "private": list(PRIVATE_ROOTS)
        + [lang + prefix for lang in languages for prefix in PRIVATE_PREFIXES],
        "static": settings.STATIC_URL,
    }


def may_cache(path):
    """Whether the worker may keep a GET of ``path`` (the worker's ``mayCache``)."""
    allowed = rules()
    if any(path.startswith(prefix) for prefix in allowed["private"]):
        return False
    return path in allowed["homes"] or any(path.startswith(p) for p in allowed["public"])


def offline_pages():
    """The offline page of each language, by language code."""
    pages = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            pages[code] = reverse("offline")
    return pages


def _static_fingerprint(digest):
    """Feed the static files into ``digest``: the collected manifest when the hashed storage
    has one (its names change with the contents), else every file's name and contents."""
    manifest_name = getattr(staticfiles_storage, "manifest_name", None)
    if manifest_name:
        try:
            with staticfiles_storage.open(manifest_name) as manifest:
                digest.update(manifest.read())
            return
        except (FileNotFoundError, OSError):
            pass  # not collected (tests, development): read the sources instead
    seen = set()
    for finder in finders.get_finders():
        for name, storage in sorted(finder.list([]), key=lambda item: item[0]):
            if name in seen:  # the first finder wins, as for collectstatic
                continue
            seen.add(name)
            digest.update(name.encode())
            with storage.open(name) as handle:
                digest.update(hashlib.sha256(handle.read()).digest())


def _template_source(name):
    return Path(get_template(name).origin.name).read_bytes()


@cache
def version():
    """A short digest of what the worker serves; computed once per process (a deployment
    starts new processes)."""
    digest = hashlib.sha256()
    for name in (SW_TEMPLATE, OFFLINE_TEMPLATE, "base.html"):
        digest.update(_template_source(name))
    _static_fingerprint(digest)
    return digest.hexdigest()[:16]


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    config = {
        "version": version(),
        "prefix": CACHE_PREFIX,
        "maxPages": MAX_PAGES,
        "offline": offline_pages(),
        "defaultLanguage": settings.LANGUAGE_CODE,
        "precache": [static(name) for name in PRECACHED_STATIC],
        **rules(),
    }
    source = render_to_string(SW_TEMPLATE, {"config": json.dumps(config, ensure_ascii=False)})
    response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    # Served from the root, the worker may control every page of the site.
    response["Service-Worker-Allowed"] = "/"
    return response


def offline(request):
    return render(request, OFFLINE_TEMPLATE)
