"""The public results /doanh-nghiep/ and a business's public page at national scale: a
fixed number of queries at N and 3N results, no count of every result, and filter choices
read once from small aggregates."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import Business, Province, Sector
from selfassess.models import Assessment, CriteriaSet
from tests.factories import BusinessFactory
from tests.query_counts import assert_constant, page_queries, unbounded_counts

from .factories import make_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def add_results(reference_data):
    """``add(n)``: n businesses in several provinces and sectors, each with a public
    verified result of one of two sets, banded or not."""
    sets = [make_set(), make_set(code="bo-hai", title="Bộ thứ hai", year=2026)]
    provinces = list(Province.objects.current()[:4])
    sectors = list(Sector.objects.all()[:3])
    made = []

    def add(n):
        for _i in range(n):
            i = len(made)
            cset = sets[i % 2]
            business = BusinessFactory(
                province=provinces[i % len(provinces)], sector=sectors[i % len(sectors)]
            )
            band = cset.bands.order_by("pk")[i % 3] if i % 4 else None
            made.append(
                Assessment.objects.create(
                    business=business,
                    criteria_set=cset,
                    status="verified",
                    band=band,
                    is_public=True,
                )
            )
        return made

    return add


INDEX = "/doanh-nghiep/"


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "dai phat"}, {"set": "bo-thu", "year": "2025"}, {"province": "__first__"}],
    ids=["all", "search", "set-year", "province"],
)
def test_public_results_queries_do_not_grow(client, add_results, params):
    if params.get("province") == "__first__":
        params = {"province": Province.objects.current().first().pk}
    many = assert_constant(client, INDEX, params, add_results)
    assert not unbounded_counts(many), many


def test_filter_choices_are_read_once(client, add_results):
    add_results(6)
    statements = page_queries(client, INDEX)
    for table in ("portal_province", "portal_sector"):
        reads = [sql for sql in statements if f'FROM "{table}"' in sql]
        assert len(reads) == 1, reads  # no COUNT for the drop-down's length, no second read
    form = client.get("/en" + INDEX).context["form"]
    hanoi = Province.objects.get(code="01")
    assert (hanoi.pk, hanoi.name_en or hanoi.name) in form.fields["province"].choices


def test_a_new_search_reads_no_filter_choices(client, add_results):
    """An anonymous visitor's new search misses the page cache but not the drop-downs':
    they are shared for a minute, in each language."""
    add_results(3)
    client.get(INDEX)
    with CaptureQueriesContext(connection) as search:
        response = client.get(INDEX, {"q": "dai phat"})
    tables = ("selfassess_criteriaset", "selfassess_band", "portal_province", "portal_sector")
    read = [sql for sql in (q["sql"] for q in search.captured_queries) if "FROM" in sql]
    assert not [sql for sql in read if any(f'FROM "{t}"' in sql for t in tables)], read
    assert len(response.context["page"].object_list) == 3
    english = client.get("/en" + INDEX, {"q": "dai phat"}).context["form"]
    hanoi = Province.objects.get(code="01")
    assert (hanoi.pk, hanoi.name_en or hanoi.name) in english.fields["province"].choices


def test_province_and_sector_filters_narrow_the_list(client, add_results):
    made = add_results(4)
    first = made[0].business
    page = client.get(INDEX, {"province": first.province_id}).context["page"]
    assert {a.business.province_id for a in page.object_list} == {first.province_id}
    assert len(page.object_list) == 1
    page = client.get(INDEX, {"sector": first.sector_id}).context["page"]
    assert {a.business.sector_id for a in page.object_list} == {first.sector_id}
    # A province with no result is a valid choice: an empty list, not an ignored filter.
    empty = Province.objects.current().exclude(pk__in=[a.business.province_id for a in made])[0]
    response = client.get(INDEX, {"province": empty.pk})
    assert not response.context["page"].object_list
    assert not response.context["form"].errors


def test_a_long_list_says_more_than_a_thousand(client, reference_data):
    """Past the cap the page says "hơn 1.000" and counts no further."""
    cset = make_set()
    province = Province.objects.current().first()
    businesses = BusinessFactory.build_batch(1001, province=province, sector=None)
    Business.objects.bulk_create(businesses)
    Assessment.objects.bulk_create(
        Assessment(business=b, criteria_set=cset, status="verified", is_public=True)
        for b in Business.objects.filter(province=province)
    )
    body = client.get(INDEX).content.decode()
    assert "Hơn 1.000 doanh nghiệp" in body
    assert "More than 1.000 businesses" in client.get("/en" + INDEX).content.decode()


def test_business_page_queries_do_not_grow(client, add_results):
    """A business's public page: its history is read with its sets and bands at once."""
    business = add_results(1)[0].business
    url = reverse("businesses:detail", args=[business.tax_code])
    sets = list(CriteriaSet.objects.order_by("pk"))

    def add(n):
        for i in range(n):
            Assessment.objects.create(
                business=business,
                criteria_set=sets[i % 2],
                status="verified",
                band=sets[i % 2].bands.first(),
            )

    # Not a list: its figures are counts over one business's rows, not over a table.
    assert_constant(client, url, {}, add)
