"""Search runs on the full-text index now (portal.search); the trigram index of the old
``LIKE '%…%'`` search only slowed every write of the table. Trigram stays where "did you
mean" uses it (legal documents' titles, warnings). Nothing on other databases."""

from django.db import migrations

INDEX = "portal_business_search_trgm"


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON portal_business USING gin (search_text gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0012_business_fulltext_index")]

    operations = [migrations.RunPython(drop_index, create_index)]
