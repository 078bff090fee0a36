"""Filing under load (issue #13): the year's counter is locked only at the very end of a
filing, later steps do not validate the earlier ones again, and the benchmark's walk."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import filing as bench_filing
from complaints.models import CodeCounter, Complaint
from portal.models import Province, Sector
from tests.complaints.helpers import STEP_URL, fill_until_files

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 10, 5, 0, tzinfo=datetime.UTC)  # noon in Hà Nội


def _send(client):
    return client.post(STEP_URL.format("xac-nhan"), {"consent_processing": "on", "go": "send"})


def _prepared(client):
    fill_until_files(client)
    assert client.post(STEP_URL.format("tep"), {"go": "next"}).status_code == 302


def test_counter_is_the_last_thing_taken_before_the_commit(client, reference_data):
    _prepared(client)
    with time_machine.travel(NOON, tick=False):
        CodeCounter.objects.create(year=2026, last=7)  # the year's row exists, as all year
        with CaptureQueriesContext(connection) as ctx:
            response = _send(client)
    assert response.status_code == 302
    statements = [q["sql"] for q in ctx.captured_queries]
    taken = [i for i, sql in enumerate(statements) if "complaints_codecounter" in sql]
    assert len(taken) == 1 and statements[taken[0]].startswith("UPDATE")
    # After it, until the commit, only the two UPDATEs writing the code: no INSERT, no read
    # and no other work keeps the year's row locked.
    after = []
    for sql in statements[taken[0] + 1 :]:
        if sql.upper().startswith(("COMMIT", "RELEASE SAVEPOINT")):
            break
        after.append(sql)
    assert [sql.split(" SET ")[0] for sql in after] == [
        'UPDATE "complaints_complaint"',
        'UPDATE "complaints_historicalcomplaint"',
    ]
    assert Complaint.objects.get().code == "KN-2026-000008"


def test_codes_follow_each_other_and_history_keeps_the_code(client, reference_data):
    with time_machine.travel(NOON, tick=False):
        CodeCounter.objects.create(year=2026, last=41)
        _prepared(client)
        assert _send(client).status_code == 302
        client.cookies.clear()
        _prepared(client)
        assert _send(client).status_code == 302
    codes = list(Complaint.objects.order_by("pk").values_list("code", flat=True))
    assert codes == ["KN-2026-000042", "KN-2026-000043"]
    for complaint in Complaint.objects.all():
        # One history row, with the final code and the first step (no placeholder left).
        assert [(h.code, h.current_step) for h in complaint.history.all()] == [
            (complaint.code, "forward")
        ]
        assert complaint.step_due == complaint.steps.get().due_on
        assert complaint.code.lower() in complaint.search_text


def test_a_refused_filing_takes_no_number(reference_data):
    from complaints import services
    from portal.errors import InvalidInput

    data = {
        "complainant_name": "An",
        "complainant_email": "an@example.vn",
        "business_name": "Cửa hàng",
        "province": Province.objects.get(code="01"),
        "sector": Sector.objects.get(code="ban-le"),
        "description": "Hàng lỗi.",
        "request": "Đổi hàng.",
        "consent_processing": False,
    }
    with time_machine.travel(NOON, tick=False):
        with pytest.raises(InvalidInput):
            services.file_complaint(data=data)
        complaint, _token = services.file_complaint(data={**data, "consent_processing": True})
    assert complaint.code == "KN-2026-000001"
    assert not Complaint.objects.filter(code__startswith="~").exists()


def test_later_steps_do_not_validate_the_earlier_ones_again(client, reference_data):
    data = fill_until_files(client)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(STEP_URL.format("yeu-cau"), {**data["yeu-cau"], "go": "next"})
    assert response.status_code == 302
    # The province and sector of the earlier steps are not looked up again.
    assert not [q for q in ctx.captured_queries if "portal_province" in q["sql"]]
    assert not [q for q in ctx.captured_queries if "portal_sector" in q["sql"]]


def test_a_step_no_longer_valid_is_asked_again_before_filing(client, reference_data):
    _prepared(client)
    Province.objects.filter(code="01").update(is_active=False)
    # What saving a province does (portal.apps): the cached province directory is dropped.
    from portal import provinces

    provinces.forget()
    response = _send(client)
    assert response.status_code == 302
    assert response["Location"].endswith(STEP_URL.format("doanh-nghiep"))
    assert not Complaint.objects.exists()
    # And the steps after it wait for it again.
    response = client.get(STEP_URL.format("xac-nhan"))
    assert response["Location"].endswith(STEP_URL.format("doanh-nghiep"))


def test_a_step_posted_invalid_is_no_longer_counted_as_done(client, reference_data):
    _prepared(client)
    response = client.post(STEP_URL.format("nguoi-gui"), {"complainant_name": ""})
    assert response.status_code == 200
    response = client.get(STEP_URL.format("xac-nhan"))
    assert response["Location"].endswith(STEP_URL.format("nguoi-gui"))


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["KN-2026-000007", "KN-2026-000005", "KN-2026-000006"], True),
        (["KN-2026-000005", "KN-2026-000007"], False),
        (["KN-2026-000005", "KN-2026-000005"], False),
        (["KN-2025-000009", "KN-2026-000001", "KN-2026-000002"], True),
    ],
)
def test_codes_consecutive(codes, expected):
    assert bench_filing.codes_consecutive(codes) is expected


@pytest.mark.django_db(transaction=True)
def test_measure_walks_the_real_form(live_server, settings, reference_data):
    settings.COMPLAINTS_FILING_RATE = (100_000, 60)
    province = Province.objects.get(code="01").pk
    sector = Sector.objects.get(code="ban-le").pk
    # SQLite's shared in-memory test database refuses parallel writers: one client there.
    concurrency = 1 if connection.vendor == "sqlite" else 4
    result = bench_filing.measure(live_server.url, 6, concurrency, province, sector)
    assert (result["ok"], result["lost"], result["duplicates"]) == (6, 0, 0), result["errors"]
    assert result["consecutive"] is True
    assert set(result["steps"]) == set(bench_filing.LABELS)
    assert all(cut["p50"] > 0 for cut in result["steps"].values())
    assert result["filing"]["p95"] >= result["filing"]["p50"] > 0
    shown = set(Complaint.objects.values_list("code", flat=True))
    assert len(shown) == 6
