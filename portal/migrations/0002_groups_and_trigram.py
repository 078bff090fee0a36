from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

GROUPS = ("Cán bộ Bộ Công Thương", "Cán bộ Sở Công Thương")


def create_groups(apps, schema_editor):
    group = apps.get_model("auth", "Group")
    for name in GROUPS:
        group.objects.get_or_create(name=name)


def drop_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        # Only acts on PostgreSQL; the trigram indexes of the search pages need it.
        TrigramExtension(),
        migrations.RunPython(create_groups, drop_groups),
    ]
