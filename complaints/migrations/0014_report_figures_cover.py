"""Covering indexes for the report figures (issue #13): the complaints received in a window,
those handled in it and the steps started in it are each counted by an index-only scan
instead of a read of the whole table. ``include`` is PostgreSQL's; other databases get the
plain index. The covering index on ``received_at`` replaces the plain one (same key), so a
filing writes one index more on complaints and one on steps."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("complaints", "0013_drop_trigram_index")]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                fields=["received_at"],
                include=("province", "status", "sector", "channel", "received_month"),
                name="complaint_received_cover",
            ),
        ),
        migrations.RemoveIndex(model_name="complaint", name="complaints__receive_7963e8_idx"),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        (
                            "referred",
                            "rejected",
                            "resolved",
                            "business_declined",
                            "unresolved",
                            "closed",
                        ),
                    )
                ),
                fields=["handled_at"],
                include=("province", "is_late"),
                name="complaint_handled_cover",
            ),
        ),
        migrations.AddIndex(
            model_name="complaintstep",
            index=models.Index(
                fields=["started_on"],
                include=("province", "on_time", "completed_at", "due_on"),
                name="step_started_cover",
            ),
        ),
    ]
