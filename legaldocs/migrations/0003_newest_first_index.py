"""An index in the library's default order (newest first, unknown years and dates last) so
that a page of a common search walks it and stops after one page. PostgreSQL only: SQLite
does not accept NULLS LAST in an index, and needs no such index at its scale."""

from django.db import migrations

NAME = "legaldocs_document_newest_first"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON legaldocs_document "
        "(year DESC NULLS LAST, issue_date DESC NULLS LAST, id DESC)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("legaldocs", "0002_trigram_indexes")]

    operations = [migrations.RunPython(create_index, drop_index)]
