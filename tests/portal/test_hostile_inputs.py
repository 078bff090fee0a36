"""Every input of tests/hostile_inputs.txt, sent as every GET parameter and every POST field
of the public and staff pages below, never gives a server error.

The fields are read from the pages themselves (their forms, and for the back office the
filter links of each list), so a field added later is covered too; each page must show at
least one field, so a page that stopped rendering its form fails the test instead of
passing with nothing sent. Inputs holding NUL or a lone surrogate only broke PostgreSQL:
they run there (``@pytest.mark.postgres``); tests/portal/test_inputs.py shows on every
database that the middleware refuses them."""

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django.urls import reverse

from portal.inputs import has_unstorable
from selfassess import services as selfassess_services
from tests.complaints.factories import make_complaint
from tests.complaints.helpers import STEP_URL, fill_until_files
from tests.conftest import ON_POSTGRES, login
from tests.selfassess.conftest import fill_all
from tests.selfassess.factories import criterion, make_set

pytestmark = pytest.mark.django_db

# SQLite (tests only) cannot bind an integer beyond 64 bits in a ``pk__in`` lookup (the
# complaint list's "selected" boxes with a 32-digit number); PostgreSQL compares it and
# finds nothing, which the PostgreSQL run of this test checks.
SQLITE_INTEGER_LIMIT = "Python int too large to convert to SQLite INTEGER"
# Fields that choose what a form does (the others only make sense with a valid choice).
CHOOSERS = {"action", "decision", "criterion"}
CORPUS = Path(__file__).resolve().parent.parent / "hostile_inputs.txt"


def load_corpus(path=CORPUS):
    """The hostile inputs: one a line, backslash escapes decoded, ``*N text`` repeated."""
    inputs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        times = 1
        if line.startswith("*") and " " in line:
            count, line = line[1:].split(" ", 1)
            times = int(count)
        text = line.encode("latin-1", "backslashreplace").decode("unicode_escape")
        inputs.append(text * times)
    return inputs


SAFE = [text for text in load_corpus() if not has_unstorable(text)]
UNSTORABLE = [text for text in load_corpus() if has_unstorable(text)]
# The inputs that gave 500 on PostgreSQL only; on SQLite the middleware is tested in
# tests/portal/test_inputs.py.
CORPUS_PARTS = [
    pytest.param(SAFE, False, id="portable"),
    pytest.param(UNSTORABLE, True, id="nul", marks=pytest.mark.postgres),
]


def test_the_corpus_holds_what_the_issue_names():
    corpus = load_corpus()
    for needle in (
        "\x00",
        "\ud800",
        "\u202e",
        "\u200b",
        "<script>",
        "DROP TABLE",
        "😀",
        "\u0301",
        "\r\n",
        "\u2028",
    ):
        assert any(needle in text for text in corpus), needle
    assert max(len(text) for text in corpus) >= 5000
    assert sum(has_unstorable(text) for text in corpus) >= 5


class FormFields(HTMLParser):
    """The forms of a page: method, action and their fields with their default values."""

    SKIP = {"csrfmiddlewaretoken", "language", "next"}

    def __init__(self):
        super().__init__()
        self.forms, self.links, self._select = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attrs.get("method") or "get").lower(),
                    "action": attrs.get("action") or "",
                    "fields": {},
                }
            )
            return
        if tag == "a" and (attrs.get("href") or "").startswith("?"):
            self.links.append(attrs["href"])
            return
        if not self.forms or tag not in ("input", "select", "textarea", "option", "button"):
            return
        fields = self.forms[-1]["fields"]
        name = attrs.get("name")
        if tag == "option" and self._select:
            if self._select not in fields or "selected" in attrs:
                fields[self._select] = attrs.get("value", "")
            return
        if not name or name in self.SKIP or attrs.get("type") in ("file", "submit", "image"):
            return
        if tag == "select":
            self._select = name
            fields.setdefault(name, "")
        elif attrs.get("type") in ("checkbox", "radio"):
            if name not in fields or "checked" in attrs:
                fields[name] = attrs.get("value", "on")
        else:
            fields.setdefault(name, attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def read_forms(response):
    parser = FormFields()
    parser.feed(response.content.decode())
    return parser


def forms_of(client, url, method=None, extra_get=()):
    """The forms of the page at ``url`` as (method, action, fields), and ``extra_get``
    parameters (of an address without a form) as one more GET form."""
    page = client.get(url)
    assert page.status_code == 200, url
    targets = []
    for form in read_forms(page).forms:
        if method and form["method"] != method:
            continue
        action = form["action"] or url
        if action.startswith("?"):
            action = url + action
        if form["fields"]:
            targets.append((form["method"], action, form["fields"]))
    if extra_get:
        targets.append(("get", url, dict.fromkeys(extra_get, "")))
    assert targets, url
    return targets


def sweep(client, targets, inputs, one_field_at_a_time):
    """Send every input as every field of every target; returns the number of requests.

    One field at a time (the others at their defaults) for the inputs a middleware refuses
    at once; for the others, whose requests reach the views, a cyclic design: request k
    gives field j the input (j + k) mod n, so every field still gets every input, in n
    requests per form instead of n × fields (plus n for a field in ``CHOOSERS``)."""
    sent, failures = 0, []
    for method, url, fields, prepare in targets:
        names = list(fields)
        if prepare:
            prepare()
        if one_field_at_a_time:
            batches = [{**fields, name: text} for text in inputs for name in names]
        else:
            # The field that chooses the action keeps its value while the others vary, so
            # that each action's own fields are reached; it gets the inputs on its own.
            free = [name for name in names if name not in CHOOSERS]
            batches = [
                {**fields, **{name: inputs[(j + k) % len(inputs)] for j, name in enumerate(free)}}
                for k in range(len(inputs))
            ]
            batches += [
                {**fields, name: text} for name in names if name in CHOOSERS for text in inputs
            ]
        for data in batches:
            try:
                status = send(client, method, url, data).status_code
            except Exception as error:  # noqa: BLE001 - the test client re-raises a view's error
                status = f"{type(error).__name__}: {error}"
            sent += 1
            if not ON_POSTGRES and SQLITE_INTEGER_LIMIT in str(status):
                continue
            if not isinstance(status, int) or status >= 500:
                failures.append((method, url, {k: v[:40] for k, v in data.items()}, status))
    assert not failures, failures[:5]
    return sent


def send(client, method, url, data):
    """One request; a lone surrogate (which no browser can encode in a form or URL) goes
    as JSON for a POST, as the invalid UTF-8 a client would send for a GET."""
    if not any(has_surrogate(value) for value in data.values()):
        return client.get(url, data) if method == "get" else client.post(url, data)
    if method != "get":
        return client.post(url, json.dumps(data), content_type="application/json")
    return client.get(f"{url}?{encoded(data)}")


def has_surrogate(text):
    return any("\ud800" <= char <= "\udfff" for char in text)


def encoded(data):
    return "&".join(f"{quote_bytes(key)}={quote_bytes(value)}" for key, value in data.items())


def quote_bytes(text):
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def filter_params(client, url):
    """The query parameters of the back office list's filter links (and its search)."""
    parsed = read_forms(client.get(url))
    names = {"q"}
    for link in parsed.links:
        names.update(key for key, _value in parse_qsl(urlsplit(link).query))
    return sorted(names)


@pytest.fixture
def assessments(reference_data, business, other_business, business_member, other_business_member):
    """A draft to fill (``business``) and a submitted one to review (``other_business``)."""
    criteria_set = make_set()
    draft = selfassess_services.start_assessment(
        user=business_member, business=business, criteria_set=criteria_set
    )
    other = selfassess_services.start_assessment(
        user=other_business_member, business=other_business, criteria_set=criteria_set
    )
    fill_all(other, other_business_member)
    submitted = selfassess_services.submit(assessment=other, user=other_business_member)
    return draft, submitted


def public_targets(client):
    """(method, url, fields, prepare) of the public pages: the filing steps (each filled up
    to there first), tracking, the business suggestions, the legal library, the warnings
    list, feed, export and subscription, the public list of self-assessed businesses."""
    targets = []
    for slug in ("nguoi-gui", "doanh-nghiep", "noi-dung", "yeu-cau"):
        fill_until_files(client)
        for method, url, fields in forms_of(client, STEP_URL.format(slug), method="post"):
            targets.append((method, url, fields, lambda: fill_until_files(client)))
    for url, extra in (
        (reverse("complaints:track"), ()),
        (reverse("legaldocs:index"), ()),
        (reverse("consumer_warnings:index"), ()),
        (reverse("consumer_warnings:subscribe"), ()),
        (reverse("businesses:index"), ()),
        ("/api/doanh-nghiep/goi-y/", ("q",)),
        (reverse("consumer_warnings:feed_atom"), ("q", "kind", "province", "sector", "hazard")),
        (reverse("consumer_warnings:export_json"), ("q", "kind", "province", "page")),
    ):
        targets += [(*target, None) for target in forms_of(client, url, extra_get=extra)]
    return targets


def staff_targets(client, assessments, business_member, officer, complaint):
    """The self-assessment fill page and autosave (business member); the review page, the
    complaint list and complaint actions, and the back office lists' filters (officer)."""
    draft, submitted = assessments
    a1 = criterion(draft.criteria_set, "A1")
    login(client, business_member)
    member = lambda: login(client, business_member)  # noqa: E731
    staff = lambda: login(client, officer)  # noqa: E731
    fill = reverse("selfassess:fill", args=[draft.pk, a1.group_id])
    targets = [(*target, member) for target in forms_of(client, fill, method="post")]
    autosave = {"criterion": str(a1.pk), "value": "yes", "note": "Ghi chú"}
    targets.append(("post", reverse("selfassess:autosave", args=[draft.pk]), autosave, member))
    login(client, officer)
    for url, method in (
        (reverse("selfassess:review", args=[submitted.pk]), None),
        (reverse("complaints:staff_list"), None),
        (reverse("complaints:staff_detail", args=[complaint.code]), "post"),
    ):
        targets += [(*target, staff) for target in forms_of(client, url, method=method)]
    for url in (
        "/quan-tri/complaints/complaint/",
        "/quan-tri/consumer_warnings/consumerwarning/",
        "/quan-tri/legaldocs/document/",
        "/quan-tri/selfassess/assessment/",
        "/quan-tri/portal/business/",
    ):
        params = filter_params(client, url)
        assert len(params) > 1, url
        targets.append(("get", url, dict.fromkeys(params, ""), staff))
    return targets


@pytest.mark.parametrize(("inputs", "one_field_at_a_time"), CORPUS_PARTS)
def test_public_pages_never_give_a_server_error(
    client, reference_data, business, inputs, one_field_at_a_time
):
    targets = public_targets(client)
    assert len(targets) >= 12
    sent = sweep(client, targets, inputs, one_field_at_a_time)
    for text in inputs:
        for prefix in ("/doanh-nghiep/", "/khieu-nai/tra-cuu/", "/van-ban/", "/canh-bao/"):
            path = f"{prefix}{quote_bytes(text[:300])}/"
            assert client.get(path).status_code < 500, path
    assert sent >= len(inputs) * len(targets)


@pytest.mark.parametrize(("inputs", "one_field_at_a_time"), CORPUS_PARTS)
def test_business_and_staff_pages_never_give_a_server_error(
    client, assessments, business_member, ministry_officer, hanoi, inputs, one_field_at_a_time
):
    complaint = make_complaint(province=hanoi)
    targets = staff_targets(client, assessments, business_member, ministry_officer, complaint)
    assert len(targets) >= 10
    sent = sweep(client, targets, inputs, one_field_at_a_time)
    assert sent >= len(inputs) * len(targets)
