"""A trigram index on the folded search column on PostgreSQL, so that the staff search
(``LIKE '%…%'`` per term) stays fast with a million complaints. Nothing on other databases."""

from django.db import migrations

INDEX = "complaint_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON complaints_complaint "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_statistics_indexes"),
        # Creates the pg_trgm extension on PostgreSQL.
        ("portal", "0002_groups_and_trigram"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
