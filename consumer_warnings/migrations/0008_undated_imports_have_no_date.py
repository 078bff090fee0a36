"""Imported notices whose source gives no date were stamped with the load time, so an old
recall showed as the newest. They now have no date (listed last, out of the feeds, saying
"ngày gốc không rõ"); the check constraint lets only imported notices go without one."""

from django.db import migrations, models

# The notices of consumer_warnings/data/warnings.json that give neither a date nor a
# recall start date (the seed's rule), as shipped when this migration was written.
UNDATED_SOURCES = (
    "https://thanhnien.vn/tai-chinh-kinh-doanh/tiep-tuc-canh-bao-lua-dao-mua-hang-qua-dien-thoai-986073.html",
    "https://www.vietnamplus.vn/bo-cong-thuong-thu-hoi-oto-ford-territory-2023-de-kiem-tra-gia-co-gia-do-tru-lai-post1064133.vnp",
    "https://chatluongvacuocsong.vn/thu-hoi-hon-3500-xe-o-to-mitsubishi-xpander-bi-loi-bom-xang-d85003.html",
    "http://www.vietnamplus.vn/honda-viet-nam-thu-hoi-hang-tram-xe-oto-civic-nhap-khau/443099.vnp",
)


def drop_load_time(apps, schema_editor):
    """Rows loaded before ``imported`` existed are found by their source; later imports by
    their missing original date. Their load time stays in ``created_at``."""
    warning_model = apps.get_model("consumer_warnings", "ConsumerWarning")
    undated = models.Q(source_url__in=UNDATED_SOURCES, issued_on__isnull=True) | models.Q(
        imported=True, issued_on__isnull=True
    )
    warning_model.objects.filter(undated).exclude(status="draft").update(
        imported=True, published_at=None
    )


def restore_load_time(apps, schema_editor):
    warning_model = apps.get_model("consumer_warnings", "ConsumerWarning")
    warning_model.objects.filter(imported=True, published_at__isnull=True).exclude(
        status="draft"
    ).update(published_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("consumer_warnings", "0007_delivery_verbose_names"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="consumerwarning",
            options={
                "ordering": [
                    models.OrderBy(models.F("published_at"), descending=True, nulls_last=True),
                    "-pk",
                ],
                "verbose_name": "warning",
                "verbose_name_plural": "warnings",
            },
        ),
        migrations.RemoveConstraint(
            model_name="consumerwarning",
            name="cw_published_has_date",
        ),
        migrations.AlterField(
            model_name="consumerwarning",
            name="imported",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Loaded from the reference data: listed by the notice's own date, or last and without a date when the source gives none.",
                verbose_name="imported from an earlier notice",
            ),
        ),
        migrations.RunPython(drop_load_time, restore_load_time),
        migrations.AddConstraint(
            model_name="consumerwarning",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status", "draft"),
                    ("published_at__isnull", False),
                    ("imported", True),
                    _connector="OR",
                ),
                name="cw_published_has_date",
            ),
        ),
    ]
