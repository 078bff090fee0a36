"""PostgreSQL: the words of the businesses' folded search column stored as a generated
column (``search_vector``, ``portal.search.WORDS_VECTOR_SQL`` of ``search_text``) with a GIN
index, replacing the expression index of 0012, as the warnings did (consumer_warnings 0011):
business suggestions and the public results' search walked their order parsing each
business's text. The model names it in ``Business.search_vectors``. Nothing on SQLite."""

from django.db import migrations

TABLE = "portal_business"
COLUMN = "search_vector"
INDEX = "portal_business_search_vector"
OLD_INDEX = "portal_business_fulltext"
# Must stay portal.search.WORDS_VECTOR_SQL for search_text.
EXPRESSION = "to_tsvector('simple'::regconfig, regexp_replace(search_text, '[^0-9a-z]+', ' ', 'g'))"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({EXPRESSION}) STORED"
    )
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} USING gin ({COLUMN})")
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    # The rewrite leaves the new column without statistics until autovacuum gets to it;
    # without them the planner guesses how many businesses a search finds.
    schema_editor.execute(f"ANALYZE {TABLE} ({COLUMN})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON {TABLE} USING gin (({EXPRESSION}))"
    )
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {COLUMN}")


class Migration(migrations.Migration):
    dependencies = [("portal", "0013_drop_business_trigram_index")]

    operations = [migrations.RunPython(forwards, backwards)]
