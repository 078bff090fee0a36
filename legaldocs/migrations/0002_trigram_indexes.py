"""Trigram indexes for the library search on PostgreSQL (typo tolerance and fast
``LIKE '%…%'`` on the folded columns). SQLite has no such index: the same queries run
there without it, so this migration does nothing on other databases."""

from django.db import migrations

INDEXES = {
    "legaldocs_document_search_trgm": "search_text gin_trgm_ops",
    "legaldocs_document_title_trgm": "title_search gin_trgm_ops",
}
PATTERN_INDEX = "legaldocs_document_number_pattern"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON legaldocs_document USING gin ({column})"
        )
    # Prefix matches on the number ("19/2023" → "19/2023/qh15") whatever the collation.
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {PATTERN_INDEX} "
        "ON legaldocs_document (number_normalized varchar_pattern_ops)"
    )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*INDEXES, PATTERN_INDEX]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("legaldocs", "0001_initial"),
        # Creates the pg_trgm extension on PostgreSQL.
        ("portal", "0002_groups_and_trigram"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
