"""A trigram index on the folded search column on PostgreSQL, so that the public search
(``LIKE '%…%'`` per term) stays fast with 100,000 warnings. Nothing on other databases."""

from django.db import migrations

INDEX = "cw_warning_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON consumer_warnings_consumerwarning "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("consumer_warnings", "0002_subscription_consent_text"),
        # Creates the pg_trgm extension on PostgreSQL.
        ("portal", "0002_groups_and_trigram"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
