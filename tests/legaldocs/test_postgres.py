"""PostgreSQL only: trigram indexes and typo tolerance (DESIGN.md §6)."""

from django.db import connection

from legaldocs.selectors import search
from tests.conftest import postgres_only

pytestmark = postgres_only


def test_trigram_indexes_exist(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'legaldocs_document'"
        )
        indexes = dict(cursor.fetchall())
    # The full-text indexes are on the stored vectors (migration 0010), not expressions.
    assert indexes["legaldocs_document_search_vector"].endswith("USING gin (search_vector)")
    assert indexes["legaldocs_document_title_vector"].endswith("USING gin (title_vector)")
    assert "legaldocs_document_fulltext" not in indexes
    assert "legaldocs_document_title_fulltext" not in indexes
    assert "legaldocs_document_search_trgm" not in indexes
    assert "gin_trgm_ops" in indexes["legaldocs_document_title_trgm"]
    assert "varchar_pattern_ops" in indexes["legaldocs_document_number_pattern"]
    assert "NULLS LAST" in indexes["legaldocs_document_newest_first"]


def test_typo_falls_back_to_similar_titles(library):
    result = search("bao ve quyen loi nguoi tieu dungg")
    assert result.mode == "similar"
    numbers = [d.number for d in result.queryset]
    assert "19/2023/QH15" in numbers[:5]
    exact = search("bao ve quyen loi nguoi tieu dung")
    assert exact.mode == "text"


def test_a_typo_ranks_only_a_bounded_number_of_similar_titles(library, monkeypatch):
    from legaldocs import selectors

    typo = "bao ve quyen loi nguoi tieu dungg"
    found = search(typo).queryset.count()
    assert found > 2
    monkeypatch.setattr(selectors, "SIMILAR_CANDIDATES", 2)
    result = search(typo)
    assert result.mode == "similar" and result.queryset.count() == 2


def test_word_search_uses_the_full_text_index(library):
    result = search("hoa giai")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = result.queryset.rest.all()[:20].explain()
        cursor.execute("SET enable_seqscan = on")
    assert "legaldocs_document_search_vector" in plan or "legaldocs_document_newest_first" in plan
    rare = search("hoa giai").queryset.rest.all().order_by("title_search")[:20]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = rare.explain()
        cursor.execute("SET enable_seqscan = on")
    assert "legaldocs_document_search_vector" in plan


def test_full_text_finds_what_the_portable_path_finds(library):
    from legaldocs.models import Document
    from legaldocs.selectors import _full_text, parse_query, words_condition

    found = ["bao ve quyen loi", "dieu", "hoà giải", '"du lieu ca nhan"', "uy ban canh tranh"]
    for query in found + ["tieu du", "trọng tài", '"bao ve" nguoi tieu', "quy ban"]:
        parsed = parse_query(query)
        portable = Document.objects.filter(words_condition(parsed))
        words = set(portable.values_list("pk", flat=True))
        full_text = set(_full_text(Document.objects.all(), parsed).values_list("pk", flat=True))
        # Both match whole words ("uy" is not found in "quy"), the last typed one a prefix.
        assert full_text == words, query
        assert words or query not in found, query


def test_title_matches_use_the_title_full_text_index(library):
    """The title tier is found through the GIN index on the title's stored vector
    (migration 0010), never by reading every title."""
    result = search("bao ve quyen loi")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        plan = result.queryset._candidates.explain()
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")
    assert "legaldocs_document_title_vector" in plan
    assert "19/2023/QH15" in [d.number for d in result.queryset[:5]]


def test_title_full_text_finds_what_the_portable_path_finds(library):
    from legaldocs.models import Document
    from legaldocs.selectors import _in_title, parse_query, words_condition

    for query in ["bao ve quyen loi", "tieu du", '"bao ve" nguoi tieu', "hoa giai", "quy ban"]:
        parsed = parse_query(query)
        portable = Document.objects.filter(words_condition(parsed, column="title_search"))
        full_text = Document.objects.filter(_in_title(Document.objects.all(), parsed))
        assert set(full_text) == set(portable), query


def test_page_searches_through_the_stored_vectors(client, library):
    """Every full-text statement of the library page reads the stored vectors (migration
    0010) through their GIN indexes: none parses text per row (``to_tsvector``)."""
    from django.urls import reverse

    from tests.query_counts import page_queries

    for query in ["hoa giai", "bao ve quyen loi nguoi tieu dung", "tieu du"]:
        statements = page_queries(client, reverse("legaldocs:index"), {"q": query})
        searching = [sql for sql in statements if "@@" in sql]
        assert searching, query
        for sql in searching:
            assert "to_tsvector" not in sql, sql
            with connection.cursor() as cursor:
                cursor.execute("SET enable_seqscan = off")
                cursor.execute("SET enable_indexscan = off")
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                cursor.execute("RESET enable_seqscan")
                cursor.execute("RESET enable_indexscan")
            assert (
                "legaldocs_document_search_vector" in plan
                or "legaldocs_document_title_vector" in plan
            ), plan
