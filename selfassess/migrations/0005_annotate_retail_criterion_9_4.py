"""Criterion 9.4 of the retail set cites the 2010 consumer-protection law: say that it
expired on 01/7/2024. The set is frozen once it has assessments, so the seed leaves it
alone; the note changes no answer or score, so existing databases are corrected here."""

from django.db import migrations

OLD = "Luật Bảo vệ quyền lợi người tiêu dùng năm 2010 (nêu trong nguồn)"
NEW = (
    "Luật Bảo vệ quyền lợi người tiêu dùng năm 2010 (nêu trong nguồn) – Luật số 59/2010/QH12 "
    "đã hết hiệu lực từ ngày 01/7/2024, được thay thế bởi Luật Bảo vệ quyền lợi người tiêu "
    "dùng số 19/2023/QH15"
)


def annotate(apps, schema_editor):
    Criterion = apps.get_model("selfassess", "Criterion")
    Criterion.objects.filter(
        criteria_set__code="dnvntd-ban-le", code="9.4", legal_basis=OLD
    ).update(legal_basis=NEW)


def restore(apps, schema_editor):
    Criterion = apps.get_model("selfassess", "Criterion")
    Criterion.objects.filter(
        criteria_set__code="dnvntd-ban-le", code="9.4", legal_basis=NEW
    ).update(legal_basis=OLD)


class Migration(migrations.Migration):
    dependencies = [("selfassess", "0004_actors_blank_in_forms")]

    operations = [migrations.RunPython(annotate, restore)]
