"""A message is sent once because the job claims it with ``portal.jobs.once`` (a JobRun
row that commits with the Delivery and the send), so the Delivery's own unique constraints
said the same thing twice. The messages sent before the per-message claims get their claim
here, so a rerun of their week or warning does not send them again."""

from django.db import migrations

ALERT_MESSAGE = "consumer_warnings.alert"
DIGEST_MESSAGE = "consumer_warnings.digest.message"


def claim_sent_messages(apps, schema_editor):
    Delivery = apps.get_model("consumer_warnings", "Delivery")
    JobRun = apps.get_model("portal", "JobRun")
    claimed = set(
        JobRun.objects.filter(name__in=(ALERT_MESSAGE, DIGEST_MESSAGE)).values_list("name", "key")
    )
    claims = []
    for kind, subscription_id, warning_id, period, sent_at in Delivery.objects.values_list(
        "kind", "subscription_id", "warning_id", "period", "sent_at"
    ).iterator():
        if kind == "alert":
            name, key = ALERT_MESSAGE, f"{warning_id}:{subscription_id}"
        else:
            name, key = DIGEST_MESSAGE, f"{period}:{subscription_id}"
        if (name, key) not in claimed:
            claimed.add((name, key))
            claims.append(
                JobRun(name=name, key=key, started_at=sent_at, finished_at=sent_at, attempts=1)
            )
    JobRun.objects.bulk_create(claims, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("consumer_warnings", "0004_warning_imported"),
        ("portal", "0006_jobrun_lease"),
    ]

    operations = [
        migrations.RunPython(claim_sent_messages, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="delivery", name="cw_delivery_one_alert"),
        migrations.RemoveConstraint(model_name="delivery", name="cw_delivery_one_digest"),
    ]
