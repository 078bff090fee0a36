"""PostgreSQL: the words of the folded search column stored as a generated column
(``search_vector``, ``portal.search.WORDS_VECTOR_SQL`` of ``search_text``) with a GIN index,
replacing the expression index of 0009. With the expression, a search page walking the
list's order (``cw_listed_newest``) parsed each warning's text until a page was found (a
rare phrase: every warning), and a phrase's index recheck parsed each candidate again; the
stored vector is read, never parsed, and has its own statistics, so the planner sees how
rare a phrase is. The model names it in ``ConsumerWarning.search_vectors`` (read by
``portal.search.matching``); PostgreSQL keeps it current by itself. Adding it rewrites the
table once. Nothing on SQLite."""

from django.db import migrations

TABLE = "consumer_warnings_consumerwarning"
COLUMN = "search_vector"
INDEX = "cw_warning_search_vector"
OLD_INDEX = "cw_warning_fulltext"
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
    # without them the planner guesses how many warnings a search finds.
    schema_editor.execute(f"ANALYZE {TABLE} ({COLUMN})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON {TABLE} USING gin (({EXPRESSION}))"
    )
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {COLUMN}")


class Migration(migrations.Migration):
    dependencies = [("consumer_warnings", "0010_listed_newest_index")]

    operations = [migrations.RunPython(forwards, backwards)]
