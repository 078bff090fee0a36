"""Store the rendered full text: render the stored full text of the documents already in the library into ``body_html``
(new documents fill it when saved)."""

from django.db import migrations, models

from portal.markup import render_document


def fill_body_html(apps, schema_editor):
    Document = apps.get_model("legaldocs", "Document")
    batch = []
    for document in Document.objects.exclude(body="").only("pk", "body").iterator(
        chunk_size=500
    ):
        document.body_html = render_document(document.body)
        batch.append(document)
        if len(batch) >= 500:
            Document.objects.bulk_update(batch, ["body_html"])
            batch = []
    if batch:
        Document.objects.bulk_update(batch, ["body_html"])


class Migration(migrations.Migration):
    dependencies = [("legaldocs", "0006_attachment_on_portal_base")]

    operations = [
        migrations.AddField(
            model_name="document",
            name="body_html",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_body_html, migrations.RunPython.noop),
    ]
