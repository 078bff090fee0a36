"""WCAG 2.1 A/AA in Chromium (issue #16): axe-core, vendored from the npm registry
(tests/e2e/a11y/axe.min.js, MPL-2.0), runs over every public page in Vietnamese and
English and the main pages of each role. Any violation not in the committed baseline
(tests/e2e/a11y/known_violations.json: page → rule → reason) fails, and so does a baseline
entry that no longer occurs: the baseline only shrinks."""

import json

import pytest

from tests.e2e.a11y.pages import (
    HERE,
    expected_status,
    load_baseline,
    public_pages,
    ratchet,
    role_pages,
)

pytestmark = pytest.mark.django_db(transaction=True)

AXE = HERE / "axe.min.js"
PHONE = {"home:vi", "home:en", "filing:vi", "warnings:vi", "library:vi"}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + n.failureSummary),
  }));
}"""


def axe_violations(page, path):
    response = page.goto(path)
    assert response.status == expected_status(path), path
    page.wait_for_load_state("load")
    # Signed in, each page is itself, not the sign-in form it would redirect to.
    assert "/login/" not in page.url or path.endswith("/login/"), (path, page.url)
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN, TAGS)


def check(context, pages, prefix, found, details):
    page = context.new_page()
    for name, path in pages:
        key = f"{prefix}:{name}"
        violations = axe_violations(page, path)
        found[key] = {v["id"] for v in violations}
        details.update({(key, v["id"]): v for v in violations})
    page.close()


def new_context(browser, live_server, **options):
    # bypass_csp: the portal's policy forbids inline scripts, and axe arrives as one.
    context = browser.new_context(
        locale="vi-VN", base_url=live_server.url, bypass_csp=True, **options
    )
    context.set_default_timeout(15_000)
    return context


def test_no_page_has_a_wcag_violation_outside_the_baseline(
    browser, live_server, e2e_login, checked_site
):
    data, users = checked_site
    found, details = {}, {}
    context = new_context(browser, live_server)
    try:
        check(context, public_pages(data), "public", found, details)
    finally:
        context.close()
    # On a phone the header folds into a menu button: the shell's other layout.
    context = new_context(browser, live_server, viewport={"width": 360, "height": 740})
    try:
        phone = [(name, path) for name, path in public_pages(data) if name in PHONE]
        check(context, phone, "phone", found, details)
    finally:
        context.close()
    for role, pages in role_pages(data).items():
        context = new_context(browser, live_server)
        try:
            e2e_login(context.new_page(), users[role])
            check(context, pages, role, found, details)
        finally:
            context.close()

    new, gone = ratchet(found, load_baseline("known_violations.json"))
    report = {key: [details[(key, rule)] for rule in rules] for key, rules in new.items()}
    assert not new, "New WCAG violations:\n" + json.dumps(report, ensure_ascii=False, indent=1)
    assert not gone, f"Fixed: remove from tests/e2e/a11y/known_violations.json: {gone}"


def test_axe_finds_a_violation_and_the_ratchet_catches_it(browser, live_server, reference_data):
    """The check itself: an image without alt text on the home page is reported, and a
    finding outside the baseline (or a baseline entry no longer found) is caught."""
    context = new_context(browser, live_server)
    try:
        page = context.new_page()
        page.goto("/")
        page.evaluate(
            "document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/x.png\">')"
        )
        page.add_script_tag(path=str(AXE))
        rules = {v["id"] for v in page.evaluate(RUN, TAGS)}
    finally:
        context.close()
    assert "image-alt" in rules
    assert ratchet({"p": {"image-alt"}}, {}) == ({"p": ["image-alt"]}, {})
    assert ratchet({}, {"p": {"list": "why"}}) == ({}, {"p": ["list"]})
    assert ratchet({"p": {"list"}}, {"p": {"list": "why"}}) == ({}, {})
