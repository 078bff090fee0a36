"""The shared public pages at national scale (issue #13): the home page, the business
suggestions, the complaint statistics and the page shell run as many queries at 3N rows as
at N, each measured on a cache miss (the shared cache of anonymous pages emptied first)."""

import pytest
from django.urls import reverse

from complaints.models import Complaint
from portal.models import Province
from tests.complaints.factories import make_complaint
from tests.consumer_warnings.factories import WarningFactory
from tests.factories import BusinessFactory
from tests.query_counts import assert_constant, page_queries, unbounded_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def add_everything(reference_data):
    """``add(n)``: n warnings, n businesses and n complaints in two provinces."""
    provinces = list(Province.objects.filter(code__in=["01", "79"]))

    def add(n):
        for i in range(n):
            province = provinces[i % 2]
            WarningFactory()
            business = BusinessFactory(province=province, name=f"Công ty Ánh Dương {i}")
            make_complaint(province=province, business=business)

    return add


def test_home_queries_do_not_grow(client, add_everything):
    assert_constant(client, reverse("home"), {}, add_everything)


def test_business_suggestions_queries_do_not_grow(client, add_everything):
    url = reverse("portal:business_suggest")
    many = assert_constant(client, url, {"q": "anh duong"}, add_everything)
    assert not unbounded_counts(many), many
    assert client.get(url, {"q": "anh duong"}).json()["results"]


def test_statistics_queries_do_not_grow(client, add_everything):
    assert_constant(client, reverse("complaints:stats"), {}, add_everything)
    assert Complaint.objects.count() == 9


def test_the_shell_costs_no_query_for_an_anonymous_visitor(client, add_everything):
    """The base template and its context (navigation, language, account menu) read nothing
    from the database for a visitor without a session: a page whose view reads nothing
    runs no query at all."""
    add_everything(2)
    assert page_queries(client, reverse("complaints:track")) == []


def test_the_navigation_follows_the_language_and_the_role(client, province_officer):
    """The navigation's links are resolved once per language and set of roles: each
    language still gets its own links, and an officer still sees the reports."""
    from django.utils import translation

    from portal.navigation import main_nav
    from portal.roles import get_actor

    track = reverse("complaints:track")
    vietnamese = client.get(track).content.decode()
    english = client.get("/en" + track).content.decode()
    assert 'href="/canh-bao/"' in vietnamese and 'href="/en/canh-bao/"' not in vietnamese
    assert 'href="/en/canh-bao/"' in english
    with translation.override("en"):
        anonymous = [item["name"] for item in main_nav(get_actor(None))]
        officer = [item["name"] for item in main_nav(get_actor(province_officer))]
    assert "reports:index" in officer and "reports:index" not in anonymous
