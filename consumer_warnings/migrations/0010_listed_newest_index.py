"""The public list's order (``published_at DESC NULLS LAST, id DESC``) over the published
warnings only, on PostgreSQL: a page walks this index and stops instead of sorting every
published warning (201 ms → 0.07 ms at 100,000). SQLite cannot index ``NULLS LAST``;
nothing there."""

from django.db import migrations

INDEX = "cw_listed_newest"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON consumer_warnings_consumerwarning "
        "(published_at DESC NULLS LAST, id DESC) WHERE status = 'published'"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("consumer_warnings", "0009_warning_fulltext_index")]

    operations = [migrations.RunPython(create_index, drop_index)]
