"""Recompute the folded search columns as words only (see ``legaldocs.models.folded_words``)
for documents saved before the change."""

from django.db import migrations


def recompute(apps, schema_editor):
    from legaldocs.models import search_columns

    document = apps.get_model("legaldocs", "Document")
    rows = document.objects.only("pk", "doc_type", "number", "title", "summary", "body").iterator(
        chunk_size=2000
    )
    batch = []
    for row in rows:
        row.title_search, row.search_text = search_columns(
            row.doc_type, row.number, row.title, row.summary, row.body
        )
        batch.append(row)
        if len(batch) == 2000:
            document.objects.bulk_update(batch, ["title_search", "search_text"])
            batch = []
    if batch:
        document.objects.bulk_update(batch, ["title_search", "search_text"])


class Migration(migrations.Migration):
    dependencies = [("legaldocs", "0004_fulltext_index")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
