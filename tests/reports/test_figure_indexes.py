"""The complaint figures read only their covering indexes on PostgreSQL (issue #13): the
complaints received in the window, those handled in it and the steps started in it are each
an index-only scan, never a read of the table (whose rows are wide: names, texts, hashes)."""

import datetime

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints import selectors
from complaints.models import Complaint, Status
from tests.complaints.factories import make_complaint
from tests.conftest import postgres_only

COVERS = ("complaint_received_cover", "complaint_handled_cover", "step_started_cover")


def _plans(**scope):
    today = timezone.localdate()
    window = {"start": today - datetime.timedelta(days=30), "end": today}
    with CaptureQueriesContext(connection) as captured:
        if scope:
            selectors.report_figures(**window, **scope)
        else:
            selectors.report_figures_by_province(**window)
    plans = []
    with transaction.atomic(), connection.cursor() as cursor:
        # A few test rows would be read faster from the table: ask for the index path, which
        # exists only if the index holds every column the query reads. On empty tables every
        # index costs the same, so the others (the province's, …) are dropped for the
        # question, in a transaction rolled back below.
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename IN "
            "('complaints_complaint', 'complaints_complaintstep') AND indexname <> ALL(%s) "
            "AND indexdef NOT LIKE 'CREATE UNIQUE%%'",
            [list(COVERS)],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for query in captured.captured_queries:
            if "COUNT" not in query["sql"].upper():
                continue
            cursor.execute("EXPLAIN " + query["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
        transaction.set_rollback(True)
    return plans


@postgres_only
def test_complaint_figures_are_index_only_scans(provinces):
    codes = sorted(provinces)
    for code in codes[:2]:
        complaint = make_complaint(province=provinces[code])
    Complaint.objects.filter(pk=complaint.pk).update(
        status=Status.RESOLVED, handled_at=timezone.now()
    )
    for scope in ({}, {"province": provinces[codes[0]]}):
        plans = _plans(**scope)
        assert len(plans) == len(COVERS), plans
        for plan, index in zip(plans, COVERS, strict=True):
            assert f"Index Only Scan using {index}" in plan, plan
