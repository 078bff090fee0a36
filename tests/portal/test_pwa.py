"""The service worker and the offline page (portal/pwa.py); the worker itself runs in
Chromium in tests/e2e/test_pwa.py."""

import json
import re
import struct

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from portal import pwa

pytestmark = pytest.mark.django_db

CONFIG = re.compile(r"^const CONFIG = (?P<json>\{.*\});$", re.MULTILINE)

# Every route under a path the worker may keep: public pages and public files only. A new
# route there must be added here on purpose (and be public), or be listed as private in
# portal.pwa.PRIVATE_PREFIXES.
KEPT_ROUTES = {
    "home",
    "consumer_warnings:index",
    "consumer_warnings:feed_atom",
    "consumer_warnings:feed_rss",
    "consumer_warnings:export_json",
    "consumer_warnings:export_csv",
    "consumer_warnings:detail_json",
    "consumer_warnings:detail_short",
    "consumer_warnings:detail",
    "consumer_warnings:photo",
    "legaldocs:index",
    "legaldocs:short",
    "legaldocs:csv",
    "legaldocs:feed",
    "legaldocs:attachment",
    "legaldocs:detail",
    "legaldocs:json",
    "businesses:index",
    "businesses:export_csv",
    "businesses:detail",
    "complaints:stats",
    "complaints:stats_csv",
    "narratives:index",
    "narratives:detail",
}


def _worker(client=None):
    response = (client or Client()).get("/sw.js")
    assert response.status_code == 200
    source = response.content.decode()
    return response, source, json.loads(CONFIG.search(source).group("json"))


def _routes(resolver=None, prefix="/", namespace=""):
    """(literal path before the first parameter, full name) of every named route, in the
    default language."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        piece = getattr(pattern.pattern, "_route", None) or str(pattern.pattern)
        literal = re.split(r"[<(\[\\.*+?$]", piece.lstrip("^"), maxsplit=1)[0]
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if literal == piece.lstrip("^"):  # a fixed prefix: its routes can be walked
                yield from _routes(pattern, prefix + literal, inner)
            else:
                yield prefix + literal, f"{inner}<regex>"
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + literal, namespace + pattern.name


def test_worker_is_served_from_the_root_as_a_script_that_may_control_the_site():
    response, source, config = _worker()
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert reverse("service_worker") == "/sw.js"
    # CSP-safe: no eval of any kind, no inline handler strings.
    assert "eval(" not in source and "new Function" not in source
    assert config["version"] == pwa.version()
    assert config["offline"] == {"vi": "/offline/", "en": "/en/offline/"}
    assert config["static"] == settings.STATIC_URL
    # Caches are named by version, and activation drops every other cache of the portal.
    assert 'CONFIG.prefix + "static-" + CONFIG.version' in source
    assert "caches.delete(name)" in source
    assert "skipWaiting()" in source and "clients.claim()" in source


def test_what_the_worker_precaches_exists():
    _response, _source, config = _worker()
    client = Client()
    for url in config["offline"].values():
        assert client.get(url).status_code == 200
    for name in pwa.PRECACHED_STATIC:
        assert finders.find(name), name
    assert len(config["precache"]) == len(pwa.PRECACHED_STATIC)


def test_worker_holds_the_same_rules_as_may_cache():
    _response, _source, config = _worker()
    rules = pwa.rules()
    assert config["homes"] == rules["homes"] == ["/", "/en/"]
    assert config["public"] == rules["public"]
    assert config["private"] == rules["private"]


PRIVATE_PAGES = [
    ("complaints:track", ()),
    ("complaints:track_detail", ("KN-2026-000001",)),
    ("complaints:track_action", ("KN-2026-000001", "bo-sung")),
    ("complaints:track_attachment", ("KN-2026-000001", 3)),
    ("complaints:track_token", ("bi-mat",)),
    ("complaints:file", ()),
    ("complaints:file_step", ("nguoi-tieu-dung",)),
    ("complaints:mine", ()),
    ("complaints:staff_list", ()),
    ("complaints:business_inbox", ()),
    ("consumer_warnings:manage", ()),
    ("consumer_warnings:preview", (4,)),
    ("consumer_warnings:subscribe", ()),
    ("consumer_warnings:confirm", ("bi-mat",)),
    ("consumer_warnings:unsubscribe", ("bi-mat",)),
    ("reports:index", ()),
    ("reports:unit_report", (2,)),
    ("admin:index", ()),
    ("account_login", ()),
    ("account_signup", ()),
    ("account_reset_password", ()),
    ("portal:dashboard", ()),
    ("selfassess:index", ()),
]
PUBLIC_PAGES = [
    ("home", ()),
    ("consumer_warnings:index", ()),
    ("consumer_warnings:detail", (5, "thu-hoi-binh-nong-lanh")),
    ("consumer_warnings:photo", (5,)),
    ("legaldocs:index", ()),
    ("legaldocs:detail", ("luat", "2023", "luat-19-2023-qh15")),
    ("businesses:index", ()),
    ("businesses:detail", ("0101234567",)),
    ("complaints:stats", ()),
]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("name", "args"), PRIVATE_PAGES)
def test_worker_never_keeps_personal_staff_or_form_pages(name, args, language):
    with translation.override(language):
        path = reverse(name, args=args)
    assert not pwa.may_cache(path), path


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("name", "args"), PUBLIC_PAGES)
def test_worker_keeps_the_public_pages_a_person_reads(name, args, language):
    with translation.override(language):
        path = reverse(name, args=args)
    assert pwa.may_cache(path), path


def test_worker_never_keeps_the_api_the_app_sign_in_or_the_language_switch():
    for path in ("/api/v1/warnings/", "/api/v1/openapi.json", "/_allauth/app/v1/auth/session"):
        assert not pwa.may_cache(path)
    assert not pwa.may_cache(reverse("set_language"))
    assert not pwa.may_cache("/en/tai-khoan/login/")
    # Home pages are exact: "/" is not a prefix of everything.
    assert not pwa.may_cache("/chinh-sach-du-lieu-ca-nhan/")


def test_every_route_the_worker_may_keep_is_a_public_one():
    kept = {name for literal, name in _routes() if pwa.may_cache(literal)}
    assert kept == KEPT_ROUTES


def test_kept_routes_are_the_shared_public_pages_and_their_files():
    from portal.public_cache import PAGES

    # The API's reads (negotiated language) are never kept: an app has its own storage.
    pages = {name for name, page in PAGES.items() if not page.negotiated}
    assert pages and pages <= KEPT_ROUTES


@pytest.mark.parametrize(
    ("url", "language", "heading"),
    [("/offline/", "vi", "Bạn đang ngoại tuyến"), ("/en/offline/", "en", "You are offline")],
)
def test_offline_page_in_each_language(url, language, heading):
    response = Client().get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert heading in body
    assert '<meta name="robots" content="noindex">' in body
    # Its own scripts are external files: the CSP allows no inline script.
    assert "/static/js/pwa.js" in body
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)


def test_every_page_registers_the_worker_from_an_external_script():
    body = Client().get("/").content.decode()
    assert '<script src="/static/js/pwa.js"></script>' in body
    assert 'rel="manifest"' in body
    registration = (settings.BASE_DIR / "static" / "js" / "pwa.js").read_text()
    assert 'register("/sw.js", { scope: "/" })' in registration


def _png_size(path):
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_manifest_meets_the_install_criteria():
    path = settings.BASE_DIR / "static" / "manifest.webmanifest"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    assert manifest["name"] and manifest["short_name"]
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "vi"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    found = set()
    for icon in manifest["icons"]:
        width, height = _png_size(settings.BASE_DIR / "static" / icon["src"])
        assert icon["sizes"] == f"{width}x{height}"
        found.add((icon["sizes"], icon.get("purpose", "any")))
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= found


@pytest.fixture
def static_dir(tmp_path, settings):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "site.css").write_text("body { color: #a4161a; }")
    settings.STATICFILES_DIRS = [folder]
    pwa.version.cache_clear()
    yield folder
    pwa.version.cache_clear()


def _version_now():
    pwa.version.cache_clear()
    return pwa.version()


def test_version_changes_when_a_static_file_changes(static_dir):
    first = _version_now()
    assert _worker()[2]["version"] == first
    assert _version_now() == first  # stable while nothing changes
    # The same size, another colour: still a new version.
    (static_dir / "site.css").write_text("body { color: #b4161a; }")
    second = _version_now()
    assert second != first
    assert _worker()[2]["version"] == second
    (static_dir / "new.js").write_text("")
    assert _version_now() not in (first, second)


def test_version_follows_the_collected_manifest_when_there_is_one(tmp_path, settings):
    root = tmp_path / "collected"
    root.mkdir()
    settings.STATIC_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    manifest = root / "staticfiles.json"
    manifest.write_text('{"paths": {"css/portal.css": "css/portal.1111.css"}, "version": "1.1"}')
    first = _version_now()
    manifest.write_text('{"paths": {"css/portal.css": "css/portal.2222.css"}, "version": "1.1"}')
    assert _version_now() != first
    pwa.version.cache_clear()
