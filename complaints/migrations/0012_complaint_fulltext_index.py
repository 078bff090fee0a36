"""PostgreSQL full-text index on the words of the folded search column, for the staff complaint
lists: the ``simple`` configuration, on ``portal.search.WORDS_VECTOR_SQL`` (the words one
space apart, so "19/2023/qh15" is three tokens), the very expression
``portal.search.matching`` queries. An expression index stays current by itself. Nothing on
other databases."""

from django.db import migrations

INDEX = "complaint_fulltext"
# Must stay portal.search.WORDS_VECTOR_SQL for search_text.
EXPRESSION = "to_tsvector('simple'::regconfig, regexp_replace(search_text, '[^0-9a-z]+', ' ', 'g'))"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON complaints_complaint USING gin (({EXPRESSION}))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0011_data_requests_about_personal_data")]

    operations = [migrations.RunPython(create_index, drop_index)]
