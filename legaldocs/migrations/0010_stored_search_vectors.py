"""PostgreSQL: the library's full-text vectors stored beside the folded columns, as
generated columns (``title_vector``, ``search_vector``) with GIN indexes, replacing the
expression indexes of 0004 and 0009. A stored vector keeps word positions, so a phrase
(``<->``) is checked from it instead of re-parsing each matching row's full text, and the
title tier no longer computes ``to_tsvector`` per title. PostgreSQL keeps them current by
itself; the model does not declare them (``portal.search.StoredVector`` reads them).
Adding them rewrites the table once. Nothing on SQLite."""

from django.db import migrations

TABLE = "legaldocs_document"
# (generated column, the folded column it is computed from, its GIN index, the index it
# replaces)
VECTORS = [
    (
        "title_vector",
        "title_search",
        "legaldocs_document_title_vector",
        "legaldocs_document_title_fulltext",
    ),
    (
        "search_vector",
        "search_text",
        "legaldocs_document_search_vector",
        "legaldocs_document_fulltext",
    ),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, source, index, old_index in VECTORS:
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {column} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {source})) STORED"
        )
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {TABLE} USING gin ({column})")
        schema_editor.execute(f"DROP INDEX IF EXISTS {old_index}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, source, _index, old_index in VECTORS:
        # The expression Django writes for SearchVector(source, config="simple").
        expression = f"to_tsvector('simple'::regconfig, COALESCE({source}, ''::text))"
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {old_index} ON {TABLE} USING gin (({expression}))"
        )
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {column}")


class Migration(migrations.Migration):
    dependencies = [("legaldocs", "0009_title_fulltext_index")]

    operations = [migrations.RunPython(forwards, backwards)]
