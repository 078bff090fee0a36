"""Record the type and size of the report annexes uploaded before the shared attachment
model (0002 added the columns empty)."""

from django.db import migrations


def fill(apps, schema_editor):
    from portal.files import sniff

    attachments = apps.get_model("reports", "ProgressAttachment")
    for row in attachments.objects.filter(size=0).exclude(file=""):
        try:
            with row.file.open("rb") as handle:
                row.size = row.file.size
                row.content_type = sniff(handle) or ""
        except OSError:
            continue  # the file is gone: nothing to record
        row.save(update_fields=["size", "content_type"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_plan_years_in_order")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
