"""PostgreSQL full-text index on the folded title, so that the library's title tier (the
matches ranked first) is found through full text, whose statistics know how common each
word is, instead of a trigram scan of every title holding a common word. The trigram index
on the title stays for typo tolerance. Nothing on SQLite."""

from django.db import migrations

NAME = "legaldocs_document_title_fulltext"
# Must be the very expression Django writes for SearchVector("title_search", config="simple")
# (``portal.search.fulltext_condition`` with ``words_only``).
EXPRESSION = "to_tsvector('simple'::regconfig, COALESCE(title_search, ''::text))"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON legaldocs_document USING gin (({EXPRESSION}))"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("legaldocs", "0008_issuing_body_province")]

    operations = [migrations.RunPython(forwards, backwards)]
