"""The shared cache of public pages for anonymous visitors (portal.public_cache, issue #13)."""

from importlib import import_module
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from consumer_warnings import services as warning_services
from consumer_warnings.models import ConsumerWarning
from portal import public_cache
from tests.conftest import login
from tests.consumer_warnings.factories import WarningFactory

pytestmark = pytest.mark.django_db

WARNINGS = "/canh-bao/"


def _rendered(response):
    """Whether the view ran: a page from the cache renders no template."""
    return bool(response.templates)


def test_second_visit_is_answered_from_the_cache_without_query_session_or_view(
    client, reference_data, django_assert_num_queries
):
    WarningFactory(title="Ấm điện Mẫu Một rò điện")
    first = client.get(WARNINGS)
    assert first.status_code == 200
    assert first["X-Public-Cache"] == "miss"
    assert _rendered(first)
    assert not first.cookies

    with django_assert_num_queries(0):
        second = client.get(WARNINGS)
    assert second.status_code == 200
    assert second["X-Public-Cache"] == "hit"
    assert not _rendered(second)
    assert not second.cookies
    assert "Set-Cookie" not in second
    assert second.content == first.content
    assert "Ấm điện Mẫu Một rò điện" in second.content.decode()
    assert second["Cache-Control"] == public_cache.CACHE_CONTROL
    assert second["ETag"] == first["ETag"]
    assert second["Last-Modified"]
    # The shell's language switch is a link for visitors: no CSRF token in a shared page.
    assert b"csrfmiddlewaretoken" not in second.content


def test_a_hit_never_reaches_sessions_or_the_view(client, reference_data):
    client.get(WARNINGS)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with (
        mock.patch.object(store, "load") as load,
        mock.patch("consumer_warnings.selectors.listed_warnings") as selector,
    ):
        response = client.get(WARNINGS)
    assert response["X-Public-Cache"] == "hit"
    load.assert_not_called()
    selector.assert_not_called()


def test_conditional_get_answers_304_from_the_cache(client, reference_data):
    etag = client.get(WARNINGS)["ETag"]
    response = client.get(WARNINGS, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert client.get(WARNINGS, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_published_warning_appears_on_the_cached_list_at_once(
    client, reference_data, ministry_officer, run_on_commit
):
    draft = WarningFactory(status="draft", title="Nồi chiên Mẫu Hai cháy nổ")
    before = client.get(WARNINGS)
    assert client.get(WARNINGS)["X-Public-Cache"] == "hit"
    assert "Nồi chiên Mẫu Hai" not in before.content.decode()

    with run_on_commit():
        warning_services.publish(draft, user=ministry_officer)

    after = client.get(WARNINGS)
    assert after["X-Public-Cache"] == "miss"
    assert "Nồi chiên Mẫu Hai cháy nổ" in after.content.decode()


def test_withdrawn_warning_leaves_the_cached_detail_page(
    client, reference_data, ministry_officer, run_on_commit
):
    warning = WarningFactory(title="Bình nước Mẫu Ba")
    url = warning.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Public-Cache"] == "hit"
    with run_on_commit():
        warning_services.withdraw(warning, user=ministry_officer, reason="Nhầm sản phẩm")
    page = client.get(url)
    assert page["X-Public-Cache"] == "miss"
    assert "Nhầm sản phẩm" in page.content.decode()


def test_language_and_query_string_make_the_key(client, reference_data):
    vi = client.get(WARNINGS)
    en = client.get("/en" + WARNINGS)
    assert en["X-Public-Cache"] == "miss"
    assert b'lang="en"' in en.content and b'lang="vi"' in vi.content
    assert client.get("/en" + WARNINGS)["X-Public-Cache"] == "hit"

    client.get(WARNINGS + "?page=1&q=am")
    assert client.get(WARNINGS + "?q=am&page=1")["X-Public-Cache"] == "hit"
    assert client.get(WARNINGS + "?q=noi")["X-Public-Cache"] == "miss"


def test_session_cookie_or_authorization_bypasses_the_cache(client, reference_data):
    client.get(WARNINGS)
    assert client.get(WARNINGS)["X-Public-Cache"] == "hit"

    with_session = Client()
    with_session.cookies[settings.SESSION_COOKIE_NAME] = "some-session"
    response = with_session.get(WARNINGS)
    assert "X-Public-Cache" not in response
    assert _rendered(response)

    response = Client().get(WARNINGS, HTTP_AUTHORIZATION="Bearer x")
    assert "X-Public-Cache" not in response


def test_a_signed_in_users_page_is_never_stored_nor_served_from_the_cache(
    client, reference_data, consumer
):
    login(client, consumer)
    mine = client.get(WARNINGS)
    assert "X-Public-Cache" not in mine
    assert "private" in mine["Cache-Control"]
    assert consumer.email in mine.content.decode()

    # Nothing was stored: the next visitor renders the page, without the e-mail.
    visitor = Client().get(WARNINGS)
    assert visitor["X-Public-Cache"] == "miss"
    assert consumer.email not in visitor.content.decode()

    # And a stored page is not served to the signed-in user.
    assert "X-Public-Cache" not in client.get(WARNINGS)


def test_a_page_that_sets_a_cookie_is_not_stored(client, reference_data, monkeypatch):
    # The tracking form holds a CSRF token, so it sets the CSRF cookie: even registered by
    # mistake, it must not be shared.
    monkeypatch.setitem(public_cache.PAGES, "complaints:track", public_cache.Page(()))
    url = reverse("complaints:track")
    first = client.get(url)
    assert first.status_code == 200 and first.cookies
    second = Client().get(url)
    assert "X-Public-Cache" not in second
    assert _rendered(second)


def test_pages_not_registered_are_not_cached(client, reference_data):
    url = reverse("portal:privacy")
    client.get(url)
    assert "X-Public-Cache" not in client.get(url)


def test_saving_a_public_row_bumps_only_its_part(reference_data, run_on_commit):
    before = public_cache.versions(public_cache.PARTS)
    with run_on_commit():
        WarningFactory()
    after = dict(zip(public_cache.PARTS, public_cache.versions(public_cache.PARTS), strict=True))
    changed = {
        part for part, old in zip(public_cache.PARTS, before, strict=True) if after[part] != old
    }
    assert changed == {public_cache.WARNINGS}


def test_a_bump_queues_one_background_rebuild_after_commit(reference_data, settings, run_on_commit):
    from portal.celery import app
    from portal.tasks import rebuild_public_pages

    settings.PUBLIC_CACHE_REBUILD = True
    # A worker takes the task (eager tasks would make the publisher wait: not queued).
    app.conf.task_always_eager = False
    with mock.patch.object(rebuild_public_pages, "delay") as delay:
        with run_on_commit():
            WarningFactory()
            WarningFactory()
        assert delay.call_count == 1
        # Queued once until the task starts.
        with run_on_commit():
            WarningFactory()
        assert delay.call_count == 1


def test_the_rebuild_renders_the_hot_pages_so_no_visitor_pays(client, reference_data, settings):
    from portal.tasks import rebuild_public_pages

    settings.SITE_URL = "http://testserver"
    cache.add(public_cache.PENDING_KEY, 1)
    done = rebuild_public_pages()

    assert set(done.values()) == {200}
    assert "/" in done and "/en/" in done and reverse("complaints:stats") in done
    assert cache.get(public_cache.PENDING_KEY) is None
    for path in ("/", "/en/", WARNINGS, reverse("complaints:stats")):
        assert client.get(path)["X-Public-Cache"] == "hit", path
    # The data caches the pages read were filled on the way.
    from complaints.selectors import available_years
    from portal.contributions import home_blocks

    for language in ("vi", "en"):
        assert cache.get(f"complaints:stats:{available_years()[0]}:{language}") is not None
        for dotted, _function in home_blocks():
            assert cache.get(public_cache.block_key(dotted, language)) is not None, dotted


def test_a_rebuild_replaces_a_cached_page(client, reference_data, settings):
    settings.SITE_URL = "http://testserver"
    warning = WarningFactory()
    client.get(WARNINGS)
    # A change that slipped past every signal: the refresh still stores what the rows say.
    ConsumerWarning.objects.filter(pk=warning.pk).update(title="Quạt Mẫu Bốn")
    assert "Quạt Mẫu Bốn" not in client.get(WARNINGS).content.decode()
    public_cache.rebuild([WARNINGS])
    page = client.get(WARNINGS)
    assert page["X-Public-Cache"] == "hit"
    assert "Quạt Mẫu Bốn" in page.content.decode()


def test_every_registered_page_is_shared_with_the_next_visitor(client, reference_data):
    import datetime

    from legaldocs.models import Document, IssuingBody
    from legaldocs.services import save_document
    from selfassess.models import Assessment
    from tests.factories import BusinessFactory
    from tests.selfassess.factories import make_set

    body = IssuingBody.objects.create(name="Chính phủ", name_en="Government", slug="chinh-phu")
    document = save_document(
        Document(
            doc_type="nghi-dinh",
            number="1/2022/NĐ-CP",
            title="Nghị định thử",
            issuing_body=body,
            issue_date=datetime.date(2022, 1, 1),
            effective_date=datetime.date(2022, 3, 1),
        )
    )
    business = BusinessFactory()
    Assessment.objects.create(
        business=business, criteria_set=make_set(), status="verified", is_public=True
    )
    warning = WarningFactory()
    urls = [
        "/",
        "/en/",
        reverse("legaldocs:index"),
        document.get_absolute_url(),
        document.get_absolute_url() + "json/",
        reverse("legaldocs:feed"),
        WARNINGS,
        reverse("consumer_warnings:feed_atom"),
        reverse("consumer_warnings:feed_rss") + "?kind=recall",
        warning.get_absolute_url(),
        reverse("businesses:index"),
        reverse("businesses:detail", args=[business.tax_code]),
        reverse("complaints:stats"),
    ]
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200, url
        assert first["X-Public-Cache"] == "miss", url
        assert not first.cookies, url
        assert client.get(url)["X-Public-Cache"] == "hit", url


def test_a_result_made_public_by_a_queryset_update_leaves_the_cache(client, reference_data):
    from selfassess import services as selfassess_services
    from selfassess.models import Assessment
    from tests.factories import BusinessFactory
    from tests.selfassess.factories import make_set

    business = BusinessFactory(name="Công ty Mẫu Năm")
    assessment = Assessment.objects.create(
        business=business, criteria_set=make_set(), status="verified", decided_at=None
    )
    url = reverse("businesses:index")
    client.get(url)
    assert client.get(url)["X-Public-Cache"] == "hit"
    assert "Công ty Mẫu Năm" not in client.get(url).content.decode()

    # refresh_public publishes with queryset updates, which send no signal.
    Assessment.objects.filter(pk=assessment.pk).update(decided_at=assessment.created_at)
    selfassess_services.refresh_public(business.pk)
    page = client.get(url)
    assert page["X-Public-Cache"] == "miss"
    assert "Công ty Mẫu Năm" in page.content.decode()


def test_an_unknown_host_is_refused_without_a_cache_error(client, reference_data, caplog):
    with caplog.at_level("ERROR", logger="portal.public_cache"):
        response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert not [r for r in caplog.records if r.name == "portal.public_cache"]
