"""Migration operations for what only PostgreSQL has (full-text and trigram indexes, stored
generated columns, triggers): the portable path on SQLite needs none of them, so each runs
its SQL on PostgreSQL and does nothing elsewhere. One operation instead of a pair of
``RunPython`` functions checking the database in every migration."""

from django.db import migrations

from .search import WORDS_VECTOR_SQL


class RunSQLOnPostgres(migrations.RunSQL):
    """``RunSQL`` that runs (forwards and backwards) on PostgreSQL only."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def words_vector(column="search_text"):
    """The ``tsvector`` of a folded column's words, as ``portal.search`` queries it."""
    return WORDS_VECTOR_SQL.format(column=column)


def gin_index(table, index, expression):
    """A GIN index on ``expression`` (dropped on the way back)."""
    return RunSQLOnPostgres(
        sql=f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({expression})",
        reverse_sql=f"DROP INDEX IF EXISTS {index}",
    )


def stored_words_vector(table, index, replaces, column="search_vector"):
    """The words of ``search_text`` stored as a generated column with its GIN index, in
    place of the expression index ``replaces``. A stored vector is read, never parsed, keeps
    word positions for phrases and has its own statistics; ``portal.search.matching`` reads
    it when the model names it in ``search_vectors``. Adding it rewrites the table once, and
    the rewritten column is analyzed so the planner knows how common each word is."""
    expression = words_vector()
    return RunSQLOnPostgres(
        sql=[
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED",
            f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({column})",
            f"DROP INDEX IF EXISTS {replaces}",
            f"ANALYZE {table} ({column})",
        ],
        reverse_sql=[
            f"CREATE INDEX IF NOT EXISTS {replaces} ON {table} USING gin (({expression}))",
            f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}",
        ],
    )
