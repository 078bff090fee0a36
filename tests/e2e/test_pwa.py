"""The installable, offline-capable portal (portal/pwa.py) in Chromium on a phone: the
manifest and the service worker meet the install criteria, a warning read once stays
readable offline, an unread page falls back to the offline page, and no complaint tracking
or account page is in any cache."""

import pytest
from playwright.sync_api import expect

from consumer_warnings.models import ConsumerWarning
from tests.complaints.factories import make_complaint
from tests.consumer_warnings.factories import WarningFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
# Generous for a loaded two-core machine: installing fetches the offline pages and styles.
WORKER_TIMEOUT = 45_000

# Every URL held by any cache of this origin.
CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) { urls.push(new URL(request.url).pathname); }
  }
  return urls;
}"""


@pytest.fixture
def phone(browser, live_server, reference_data):
    context = browser.new_context(locale="vi-VN", base_url=live_server.url, **PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield context, page
    context.close()


# Polls a state inside the page until it holds or the time is up. Not page.wait_for_function:
# its polling evaluates strings inside the page, which the portal's CSP (no 'unsafe-eval')
# refuses; page.evaluate itself is not subject to the page's CSP.
POLL = """async ([arg, timeout]) => {
  const check = %s;
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await check(arg)) { return true; }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}"""


def _wait_for(page, check, arg=None, timeout=WORKER_TIMEOUT):
    assert page.evaluate(POLL % check, [arg, timeout]), check


def _wait_until_cached(page, path):
    _wait_for(page, "async (path) => Boolean(await caches.match(path, { ignoreVary: true }))", path)


def test_a_warning_read_once_stays_readable_offline_and_nothing_personal_is_cached(phone):
    context, page = phone
    warning = WarningFactory(title="Thu hồi nồi cơm điện Ngoại Tuyến lô 2026")
    later = WarningFactory(title="Cảnh báo đọc sau khi tra cứu khiếu nại")
    assert warning.status == later.status == ConsumerWarning.Status.PUBLISHED
    complaint = make_complaint()

    page.goto("/")
    # Install criteria: a manifest that parses, with its icons, and an active worker.
    manifest = page.evaluate(
        """async () => {
          const link = document.querySelector('link[rel="manifest"]');
          const manifest = await (await fetch(link.href)).json();
          const icons = await Promise.all(manifest.icons.map(async (icon) => {
            const response = await fetch(new URL(icon.src, link.href));
            const type = response.headers.get("content-type");
            return [icon.sizes, icon.purpose, response.status, type];
          }));
          return { manifest, icons };
        }"""
    )
    assert manifest["manifest"]["display"] == "standalone"
    assert manifest["manifest"]["start_url"] == "/"
    assert ["512x512", "maskable", 200, "image/png"] in manifest["icons"]
    assert ["192x192", "any", 200, "image/png"] in manifest["icons"]
    _wait_for(
        page,
        """async () => {
          const registration = await navigator.serviceWorker.getRegistration("/");
          return Boolean(registration && registration.active
                         && registration.active.state === "activated");
        }""",
    )
    page.reload()
    _wait_for(page, "() => Boolean(navigator.serviceWorker.controller)")
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")

    # Read a warning while online: the worker keeps it.
    path = warning.get_absolute_url()
    page.goto(path)
    expect(page.locator("h1")).to_have_text(warning.title)
    _wait_until_cached(page, path)

    context.set_offline(True)
    page.reload()
    expect(page.locator("h1")).to_have_text(warning.title)
    # A public page never opened: the offline page, in the path's language.
    page.goto("/van-ban/")
    expect(page.locator("#offline-page h1")).to_contain_text("Bạn đang ngoại tuyến")
    page.goto("/en/canh-bao/")
    expect(page.locator("#offline-page h1")).to_contain_text("You are offline")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    context.set_offline(False)

    # Track a complaint through its secret link: the session now holds access to it, so
    # the portal marks every answer private and the worker keeps none of them.
    page.goto(f"/khieu-nai/theo-doi/{complaint.token}/")
    expect(page.locator("main")).to_contain_text(complaint.code)
    tracking = page.evaluate("location.pathname")
    assert tracking.startswith("/khieu-nai/tra-cuu/")
    page.goto("/tai-khoan/login/")
    expect(page.locator("input[name=login]")).to_be_visible()
    page.goto(later.get_absolute_url())
    expect(page.locator("h1")).to_have_text(later.title)
    # The worker stores a page before it answers with it: the caches are settled now.

    urls = page.evaluate(CACHED_URLS)
    assert path in urls
    assert "/offline/" in urls and "/en/offline/" in urls
    assert tracking not in urls
    assert not [url for url in urls if url.startswith(("/khieu-nai/", "/tai-khoan/"))]
    assert later.get_absolute_url() not in urls
    assert page.evaluate("async (url) => !(await caches.match(url))", tracking)


CACHE_NAMES = "async () => (await caches.keys()).sort()"


def test_an_update_of_the_site_replaces_the_old_caches(phone, monkeypatch):
    from portal import pwa

    context, page = phone
    warning = WarningFactory()
    page.goto(warning.get_absolute_url())
    _wait_for(page, "() => Boolean(navigator.serviceWorker.controller)")
    page.reload()
    _wait_until_cached(page, warning.get_absolute_url())
    old = pwa.version()
    assert page.evaluate(CACHE_NAMES) == [
        f"dnvntd-offline-{old}",
        f"dnvntd-pages-{old}",
        f"dnvntd-static-{old}",
    ]

    # A deployment with other static files: the live server now serves another worker.
    monkeypatch.setattr(pwa, "version", lambda: "0123456789abcdef")
    page.evaluate("async () => (await navigator.serviceWorker.getRegistration('/')).update()")
    _wait_for(
        page,
        """async () => {
          const names = await caches.keys();
          return names.length > 0 && names.every((name) => name.endsWith("-0123456789abcdef"));
        }""",
    )
    assert page.evaluate(CACHE_NAMES) == [
        "dnvntd-offline-0123456789abcdef",
        "dnvntd-static-0123456789abcdef",
    ]
    # The new worker keeps the next page read, in its own cache.
    page.reload()
    expect(page.locator("h1")).to_have_text(warning.title)
    _wait_until_cached(page, warning.get_absolute_url())
    assert "dnvntd-pages-0123456789abcdef" in page.evaluate(CACHE_NAMES)
