"""Search runs on the full-text index now (portal.search); the trigram index of the old
``LIKE '%…%'`` search only slowed every write of the table. Trigram stays where "did you
mean" uses it (legal documents' titles, warnings). Nothing on other databases."""

from django.db import migrations

from portal.pg_migrations import RunSQLOnPostgres


class Migration(migrations.Migration):
    dependencies = [("portal", "0012_business_fulltext_index")]

    operations = [
        RunSQLOnPostgres(
            sql="DROP INDEX IF EXISTS portal_business_search_trgm",
            reverse_sql="CREATE INDEX IF NOT EXISTS portal_business_search_trgm ON portal_business "
            "USING gin (search_text gin_trgm_ops)",
        )
    ]
