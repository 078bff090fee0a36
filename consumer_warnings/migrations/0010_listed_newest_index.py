"""The public list's order (``published_at DESC NULLS LAST, id DESC``) over the published
warnings only, on PostgreSQL: a page walks this index and stops instead of sorting every
published warning (201 ms → 0.07 ms at 100,000). SQLite cannot index ``NULLS LAST``;
nothing there."""

from django.db import migrations

from portal.pg_migrations import RunSQLOnPostgres

INDEX = "cw_listed_newest"


class Migration(migrations.Migration):
    dependencies = [("consumer_warnings", "0009_warning_fulltext_index")]

    operations = [
        RunSQLOnPostgres(
            sql=f"CREATE INDEX IF NOT EXISTS {INDEX} ON consumer_warnings_consumerwarning "
            "(published_at DESC NULLS LAST, id DESC) WHERE status = 'published'",
            reverse_sql=f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]
