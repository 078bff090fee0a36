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
    assert "gin_trgm_ops" in indexes["legaldocs_document_search_trgm"]
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


def test_text_search_uses_the_trigram_index(library):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM legaldocs_document WHERE search_text LIKE %s",
            ["%bao ve quyen%"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "legaldocs_document_search_trgm" in plan
