from django.db import migrations

INDEX = "portal_business_search_trgm"


def create(apps, schema_editor):
    # The portable search is `search_text LIKE '%term%'`; on PostgreSQL a trigram GIN index
    # serves exactly that query. SQLite has no such index and scans, which is fine there.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON portal_business "
            "USING gin (search_text gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_groups_and_trigram")]

    operations = [migrations.RunPython(create, drop)]
