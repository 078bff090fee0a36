import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints import selectors, services
from tests.complaints.factories import make_complaint

pytestmark = pytest.mark.django_db

STATS = "/khieu-nai/thong-ke/"


def test_statistics_page_and_suppression(client, hanoi, hcm, province_officer):
    for _ in range(4):
        make_complaint(province=hanoi)
    resolved = make_complaint(province=hcm, complainant_name="Người Rất Riêng Tư")
    page = client.get(STATS).content.decode()
    assert "Người Rất Riêng Tư" not in page
    assert "hoa@example.vn" not in page
    assert 'id="stat-total">5<' in page
    assert "&lt;3" in page  # HCM has 1
    data = selectors.public_statistics(timezone.localdate(resolved.received_at).year)
    row = next(r for r in data["by_province"] if r["name"] == hanoi.name)
    # 4 would give HCM's 1 back from the total of 5: hidden as well (secondary suppression).
    assert row["count"] == selectors.HIDDEN
    assert selectors.suppress(1) == "<3" and selectors.suppress(0) == 0
    assert selectors.suppress(3) == 3


def test_statistics_csv(client, hanoi):
    for _ in range(3):
        make_complaint(province=hanoi)
    make_complaint(province=hanoi, complainant_name="Riêng Tư")
    response = client.get(STATS + "csv/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.getvalue().decode("utf-8-sig")
    assert hanoi.name in body and "Riêng Tư" not in body and "@" not in body


def test_bad_year_falls_back(client, reference_data):
    for bad in ("abc", "1900", "", "2026'--"):
        assert client.get(STATS, {"nam": bad}).status_code == 200


def test_timeliness_tables(business, business_member, province_officer):
    for _ in range(3):
        complaint = make_complaint(business=business)
        services.forward(complaint, actor=province_officer)
        services.acknowledge(complaint, actor=business_member)
    data = selectors._compute_statistics(timezone.localdate(complaint.received_at).year)
    assert data["by_business"][0]["tax_code"] == business.tax_code
    assert data["by_business"][0]["on_time_share"] == 100.0
    hanoi_row = next(r for r in data["by_province"] if r["name"] == business.province.name)
    assert hanoi_row["on_time_share"] == 100.0


def test_statistics_query_count_is_constant(client, hanoi, hcm):
    from django.core.cache import cache

    for _ in range(3):
        make_complaint(province=hanoi)
    with CaptureQueriesContext(connection) as small:
        client.get(STATS)
    cache.clear()
    for _ in range(6):
        make_complaint(province=hcm)
    with CaptureQueriesContext(connection) as large:
        client.get(STATS)
    assert len(large.captured_queries) == len(small.captured_queries)
    # And a cached page costs no aggregate at all.
    with CaptureQueriesContext(connection) as cached:
        client.get(STATS)
    assert len(cached.captured_queries) < len(large.captured_queries)


def test_published_count_hides_small_counts_and_groups_thousands():
    from complaints.templatetags.complaints_tags import published_count

    assert published_count(0) == "0"
    assert published_count(2) == "<3"
    assert published_count(3) == "3"
    assert published_count(12345) == "12.345"


def test_statistics_csv_keeps_a_zero_share(client, reference_data, monkeypatch):
    data = selectors._compute_statistics(2025)
    data["by_province"][0].update(steps=4, on_time_share=0.0)
    monkeypatch.setattr(selectors, "public_statistics", lambda year: data)
    body = client.get(STATS + "csv/").getvalue().decode("utf-8-sig")
    assert f"{data['by_province'][0]['name']},0,0.0" in body


def test_a_year_too_small_to_protect_publishes_no_table(client, hanoi):
    from django.core.cache import cache

    # Two complaints in one month: the month's "<3" would be the total itself.
    for _ in range(2):
        make_complaint(province=hanoi)
    cache.clear()
    page = client.get(STATS).content.decode()
    assert 'id="stat-withheld"' in page and 'id="stat-total">&lt;3<' in page
    year = timezone.localdate().year
    assert f"<td>{timezone.localdate():%m}/{year}</td>" not in page  # no month table
    row = next(
        r for r in selectors.public_statistics(year)["by_province"] if r["name"] == hanoi.name
    )
    assert (row["count"], row["resolved"]) == (None, None)
    home = client.get("/").content.decode()
    assert f"Số khiếu nại tiếp nhận trong năm {year} còn quá ít" in home
    assert f"Năm {year} đã tiếp nhận" not in home
