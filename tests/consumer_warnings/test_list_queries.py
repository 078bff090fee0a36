"""The warnings list and a warning's page at national scale: a fixed number of queries at N
and 3N warnings, with or without a search and filters, and no count of every warning."""

import pytest
from django.db import connection
from django.urls import reverse

from consumer_warnings.models import ConsumerWarning
from consumer_warnings.selectors import listed_warnings
from portal.models import Province, Sector
from tests.query_counts import assert_constant, page_queries, unbounded_counts

from .factories import WarningFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("consumer_warnings:index")


@pytest.fixture
def add_warnings(reference_data):
    """``add(n)``: n published warnings of two kinds and sectors, each naming provinces."""
    provinces = list(Province.objects.current().order_by("code")[:3])
    sectors = list(Sector.objects.order_by("pk")[:2])
    made = []

    def add(n):
        for _i in range(n):
            i = len(made)
            warning = WarningFactory(
                kind=ConsumerWarning.Kind.RECALL if i % 2 else ConsumerWarning.Kind.UNSAFE_PRODUCT,
                sector=sectors[i % 2],
            )
            warning.provinces.set(provinces[: 1 + i % 3])
            made.append(warning)
        return made

    return add


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "am sieu toc"},
        {"kind": "recall"},
        {"q": "am sieu toc", "province": "01", "hazard": "electric"},
        {"q": "khong co tu nay"},  # nothing found: the closest warnings on PostgreSQL
    ],
    ids=["all", "search", "filter", "search-and-filters", "no-match"],
)
def test_list_queries_do_not_grow(client, add_warnings, params):
    many = assert_constant(client, INDEX, params, add_warnings)
    assert not unbounded_counts(many), many


def test_staff_list_queries_do_not_grow(client, add_warnings, province_officer):
    from tests.conftest import login

    login(client, province_officer)
    many = assert_constant(client, reverse("consumer_warnings:manage"), {}, add_warnings)
    assert not unbounded_counts(many), many


def test_warning_page_queries_do_not_grow(client, add_warnings):
    first = add_warnings(1)[0]
    url = first.get_absolute_url()
    page_queries(client, url)
    few = page_queries(client, url)
    first.provinces.set(Province.objects.current()[:9])
    add_warnings(6)
    assert len(page_queries(client, url)) == len(few)


def test_a_long_list_says_more_than_a_thousand(client, reference_data):
    """Past the cap the heading says "hơn 1.000" and the list counts no further."""
    sector = Sector.objects.order_by("pk").first()
    ConsumerWarning.objects.bulk_create(
        WarningFactory.build(sector=sector, title=f"Cảnh báo thử {i}", slug=f"canh-bao-thu-{i}")
        for i in range(1001)
    )
    response = client.get(INDEX)
    assert response.context["page"].paginator.capped
    assert "Hơn 1.000 cảnh báo" in response.content.decode()
    assert "More than 1.000 warnings" in client.get("/en" + INDEX).content.decode()
    # Below the cap the count is exact.
    WarningFactory.create_batch(2, kind=ConsumerWarning.Kind.RECALL, sector=sector)
    response = client.get(INDEX, {"kind": "recall"})
    assert not response.context["page"].paginator.capped
    assert "2 cảnh báo" in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_the_list_page_walks_its_index_instead_of_sorting(add_warnings):
    """The public list's first page reads the partial index in the list's own order, so it
    stops after a page instead of sorting every published warning."""
    add_warnings(30)
    page = listed_warnings()[:20]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = page.explain()
        finally:
            cursor.execute("SET enable_seqscan = on")
    assert "cw_listed_newest" in plan, plan
    assert "Sort" not in plan.split("cw_listed_newest")[0], plan
