"""Blank the access log details that could hold a tracking token or a search term.

The log keeps the complaint's id and the action; a detail may only name what was read
("admin", "#<attachment id>", the personal fields shown). Any other detail (an address with
its query string, a token path segment, a search term) is blanked: the row stays as the
evidence of the access, without the secret or the personal data."""

import re

from django.db import migrations

SAFE_DETAIL = re.compile(r"(admin)?(: )?(#\d+)?(: )?[a-z_,]*")


def is_safe_detail(detail):
    return bool(SAFE_DETAIL.fullmatch(detail or ""))


def blank_unsafe_details(apps, schema_editor):
    AccessLog = apps.get_model("complaints", "AccessLog")
    unsafe = [
        pk
        for pk, detail in AccessLog.objects.exclude(detail="").values_list("pk", "detail").iterator()
        if not is_safe_detail(detail)
    ]
    for start in range(0, len(unsafe), 1000):
        AccessLog.objects.filter(pk__in=unsafe[start : start + 1000]).update(detail="")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0008_name_the_links_of_steps_events_and_logs"),
    ]

    operations = [migrations.RunPython(blank_unsafe_details, migrations.RunPython.noop)]
