"""PostgreSQL full-text index on the folded search column (``simple`` configuration: no
stemming, the text is already folded). It replaces the trigram index on the long
``search_text`` column: word search goes through this index, and typo tolerance through
the trigram index on the short ``title_search`` column, which stays. Nothing on SQLite."""

from django.db import migrations

NAME = "legaldocs_document_fulltext"
OLD_TRIGRAM = "legaldocs_document_search_trgm"
# Must be the very expression Django writes for SearchVector("search_text", config="simple").
EXPRESSION = "to_tsvector('simple'::regconfig, COALESCE(search_text, ''::text))"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON legaldocs_document USING gin (({EXPRESSION}))"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_TRIGRAM}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_TRIGRAM} ON legaldocs_document "
        "USING gin (search_text gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("legaldocs", "0003_newest_first_index")]

    operations = [migrations.RunPython(forwards, backwards)]
