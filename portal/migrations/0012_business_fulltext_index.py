"""PostgreSQL full-text index on the words of the folded search column, for business
suggestions and business lists: the ``simple`` configuration, on
``portal.search.WORDS_VECTOR_SQL`` (the words one space apart, so "19/2023/qh15" is three
tokens), the very expression ``portal.search.matching`` queries. An expression index stays
current by itself. Nothing on other databases."""

from django.db import migrations

INDEX = "portal_business_fulltext"
# Must stay portal.search.WORDS_VECTOR_SQL for search_text.
EXPRESSION = "to_tsvector('simple'::regconfig, regexp_replace(search_text, '[^0-9a-z]+', ' ', 'g'))"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON portal_business USING gin (({EXPRESSION}))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("portal", "0011_announced_days")]

    operations = [migrations.RunPython(create_index, drop_index)]
