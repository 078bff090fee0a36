"""PostgreSQL: the words the warnings use (``cw_search_word``, one row a word, with a
trigram index), for the "did you mean" of a search that finds nothing
(``selectors.similar_warnings``). Comparing the query with every warning's whole text by
trigrams reads most warnings when the query's letters are common; comparing it with the
distinct words reads a few short rows, and the corrected words then go through the stored
vector's index (migration 0011). A statement-level trigger adds the words of inserted and
updated warnings (in word order, so concurrent writers wait on each other in one order);
a word is never removed, a stale one only corrects a query towards no match. Nothing on
SQLite."""

from django.db import migrations

TABLE = "consumer_warnings_consumerwarning"
WORDS = "cw_search_word"

FUNCTION = f"""
CREATE OR REPLACE FUNCTION cw_add_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {WORDS} (word)
    SELECT DISTINCT word FROM changed, unnest(tsvector_to_array(changed.search_vector)) AS word
    ORDER BY word
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(f"CREATE TABLE IF NOT EXISTS {WORDS} (word text PRIMARY KEY)")
    run(f"CREATE INDEX IF NOT EXISTS {WORDS}_trgm ON {WORDS} USING gin (word gin_trgm_ops)")
    run(FUNCTION)
    # A trigger with transition tables handles one event: one for each.
    for event in ("INSERT", "UPDATE"):
        run(
            f"CREATE OR REPLACE TRIGGER cw_search_words_{event.lower()} AFTER {event} ON {TABLE} "
            "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
            "EXECUTE FUNCTION cw_add_search_words()"
        )
    run(
        f"INSERT INTO {WORDS} (word) SELECT DISTINCT word FROM {TABLE}, "
        "unnest(tsvector_to_array(search_vector)) AS word ON CONFLICT DO NOTHING"
    )
    run(f"ANALYZE {WORDS}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for event in ("insert", "update"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS cw_search_words_{event} ON {TABLE}")
    schema_editor.execute("DROP FUNCTION IF EXISTS cw_add_search_words()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {WORDS}")


class Migration(migrations.Migration):
    dependencies = [("consumer_warnings", "0011_stored_search_vector")]

    operations = [migrations.RunPython(forwards, backwards)]
