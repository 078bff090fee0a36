"""The warnings list and a warning's page at national scale: a fixed number of queries at N
and 3N warnings, with or without a search and filters, and no count of every warning."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from consumer_warnings.models import ConsumerWarning
from consumer_warnings.selectors import closest_words, listed_warnings
from portal.models import Province, Sector
from tests.conftest import postgres_only
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


def _forced_index_plan(sql):
    """The plan of ``sql`` when PostgreSQL may neither read the whole table nor walk an
    index in the list's order: only an index that finds the rows serves it."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        try:
            cursor.execute("EXPLAIN " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_indexscan")


@postgres_only
@pytest.mark.parametrize("query", ["am sieu toc", "am sieu", "giat", "noi com dien"])
def test_the_search_page_reads_the_stored_vector(client, add_warnings, query):
    """Every full-text statement of a search page reads the stored vector (migration 0011)
    through its GIN index: none parses a warning's text (``to_tsvector``)."""
    add_warnings(4)
    statements = page_queries(client, INDEX, {"q": query})
    searching = [sql for sql in statements if "@@" in sql]
    assert searching, statements
    # On a few rows the planner may find the published ones through the status indexes
    # instead; without them (dropped inside the test's transaction) only the vector's is left.
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX cw_listed_newest, cw_status_published")
    for sql in searching:
        assert "to_tsvector" not in sql, sql
        assert "search_vector" in sql, sql
        assert "cw_warning_search_vector" in _forced_index_plan(sql), sql


@postgres_only
def test_the_full_text_index_is_on_the_stored_vector(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'consumer_warnings_consumerwarning'"
        )
        indexes = dict(cursor.fetchall())
        cursor.execute(
            "SELECT is_generated FROM information_schema.columns WHERE table_name = "
            "'consumer_warnings_consumerwarning' AND column_name = 'search_vector'"
        )
        assert cursor.fetchone() == ("ALWAYS",)
    assert indexes["cw_warning_search_vector"].endswith("USING gin (search_vector)")
    assert "cw_warning_fulltext" not in indexes  # the expression index of 0009


def _titles(response):
    return [w.title for w in response.context["page"].object_list]


@postgres_only
def test_a_search_finding_nothing_corrects_its_words_from_the_warnings_words(
    client, reference_data
):
    """The "did you mean" replaces each typed word by the closest word the warnings use
    (migration 0012, kept current on insert and update) and searches again through the
    stored vector; it never compares the query with every warning's text."""
    from .factories import WarningFactory

    charger = WarningFactory(title="Sạc dự phòng Bùng Nổ bị phồng pin")
    helmet = WarningFactory(title="Mũ bảo hiểm kém chất lượng")
    assert closest_words(["sac", "du", "phongg", "xanh"]) == ["sac", "du", "phong", "xanh"]
    helmet.title = "Mũ bảo hiểm Xanh Lơ kém chất lượng"
    helmet.save()
    assert closest_words(["xanhh"]) == ["xanh"]

    statements = page_queries(client, INDEX, {"q": "xanhh lo"})
    cache.clear()  # the page itself, not the anonymous visitors' cached copy
    response = client.get(INDEX, {"q": "xanhh lo"})
    assert _titles(response) == [helmet.title]
    assert response.context["similar"]
    cache.clear()
    assert _titles(client.get(INDEX, {"q": "sac du phongg"})) == [charger.title]
    for sql in statements:
        assert "similarity" not in sql.replace("similarity(w.word", ""), sql
        assert "%>" not in sql, sql

    # Words the warnings use, only not in this order: nothing to correct, nothing shown.
    statements = page_queries(client, INDEX, {"q": "lo xanh"})
    cache.clear()
    response = client.get(INDEX, {"q": "lo xanh"})
    assert response.context["page"].paginator.count == 0
    assert not response.context["similar"]
    corrected = next(i for i, sql in enumerate(statements) if "cw_search_word" in sql)
    assert not [sql for sql in statements[corrected:] if "@@" in sql], statements
