"""All units' report figures cost a fixed number of grouped queries (issue #13): the same
with more rows and more provinces, and never one row per complaint (``GROUP BY id``)."""

import datetime
import re
from decimal import Decimal

from django.utils import timezone

from complaints.models import Complaint, Status
from legaldocs.models import Document, IssuingBody
from legaldocs.services import save_document
from portal.models import Province
from reports import figures
from selfassess.models import Assessment
from tests.complaints.factories import make_complaint
from tests.consumer_warnings.factories import WarningFactory
from tests.factories import BusinessFactory
from tests.selfassess.factories import make_set

# Per part: complaints 4 (the sector labels, the complaints received grouped by province,
# status and sector, those handled by province, and the statutory steps: each an index-only
# scan of the window on PostgreSQL) and self-assessments 2, each asked by province only, the
# nationwide figures being the sum of the provinces'; warnings 2 (by owner, which add up to
# the nation, and by province named) and documents 1 (by issuing body's province and type).
ALL_UNITS_QUERIES = 9
# The nationwide figures alone: complaints 4, self-assessments 2, warnings 1, documents 2.
NATIONWIDE_QUERIES = 9
# A grouping on a table's primary key: one result row per complaint, warning, ….
GROUP_BY_PK = re.compile(r'GROUP BY[^;]*?"\w+"\."id"(?!\w)', re.IGNORECASE)


def _add_activity(provinces, rows, criteria_set):
    """``rows`` complaints (half of them handled), warnings, verified assessments and local
    documents in each province, all dated today."""
    now = timezone.now()
    band = criteria_set.bands.first()
    for province in provinces:
        business = BusinessFactory(province=province)
        body = IssuingBody.objects.create(
            slug=f"ubnd-{province.code}-{rows}", name=f"UBND {province.name}", province=province
        )
        for n in range(rows):
            complaint = make_complaint(province=province)
            if n % 2:
                Complaint.objects.filter(pk=complaint.pk).update(
                    status=Status.RESOLVED, handled_at=now
                )
            WarningFactory(owner_province=province, published_at=now)
            Assessment.objects.create(
                business=business,
                criteria_set=criteria_set,
                status=Assessment.Status.VERIFIED,
                first_submitted_at=now,
                decided_at=now,
                percent=Decimal(90),
                band=band,
            )
            save_document(
                Document(
                    doc_type="quyet-dinh",
                    number=f"{n + 1}/QĐ-UBND-{province.code}-{rows}",
                    title=f"Quyết định thử {n + 1} của {province.name}",
                    issuing_body=body,
                    issue_date=timezone.localdate(),
                    effective_date=timezone.localdate(),
                )
            )


def _collect_all_units(django_assert_num_queries):
    today = timezone.localdate()
    province_ids = list(Province.objects.current().values_list("pk", flat=True))
    with django_assert_num_queries(ALL_UNITS_QUERIES) as captured:
        national, by_province = figures.collect_all(
            start=today - datetime.timedelta(days=1), end=today, province_ids=province_ids
        )
    for query in captured.captured_queries:
        assert not GROUP_BY_PK.search(query["sql"]), query["sql"]
    return national, by_province


def received(result):
    return figures.scalar(result, "complaints", "received")


def test_all_units_figures_take_the_same_queries_whatever_the_rows_and_units(
    provinces, django_assert_num_queries
):
    assert len(provinces) == 34
    criteria_set = make_set()
    codes = sorted(provinces)
    _add_activity([provinces[c] for c in codes[:2]], 1, criteria_set)
    national, by_province = _collect_all_units(django_assert_num_queries)
    assert received(national) == 2
    assert figures.scalar(national, "consumer_warnings", "issued") == 2

    # Three times the rows, in three times the provinces: the same queries.
    _add_activity([provinces[c] for c in codes[:6]], 3, criteria_set)
    national, by_province = _collect_all_units(django_assert_num_queries)
    assert len(by_province) == 34
    assert received(national) == 2 + 6 * 3
    assert figures.scalar(national, "complaints", "handled") == 6
    assert figures.scalar(national, "selfassess", "verified") == 2 + 6 * 3
    assert figures.scalar(national, "legaldocs", "added") == 2 + 6 * 3
    first = provinces[codes[0]].pk
    assert received(by_province[first]) == 1 + 3
    assert figures.scalar(by_province[first], "complaints", "handled") == 1
    assert figures.scalar(by_province[first], "consumer_warnings", "issued") == 1 + 3
    assert received(by_province[provinces[codes[-1]].pk]) == 0
    # The nationwide complaint figures are the sum of the provinces'.
    assert sum(received(f) for f in by_province.values()) == received(national)


def test_nationwide_figures_alone_ask_no_province(reference_data, django_assert_num_queries):
    """The compilation of a year not locked needs the nationwide figures only."""
    today = timezone.localdate()
    with django_assert_num_queries(NATIONWIDE_QUERIES) as captured:
        national, by_province = figures.collect_all(start=today, end=today, province_ids=[])
    assert by_province == {} and national["has_data"] is False
    assert not any(GROUP_BY_PK.search(q["sql"]) for q in captured.captured_queries)


def test_all_units_figures_are_the_parts_own(provinces):
    """Every part's figures for all units are the part's own, nationwide and by province:
    complaints and self-assessments summed from their provinces (with several channels,
    months and statuses), warnings and documents nationwide and by province at once (with a
    warning of no owner, one naming another province and a document of a national body)."""
    from complaints import selectors as complaint_figures
    from complaints.models import Channel, month_key
    from selfassess import selectors as selfassess_figures

    codes = sorted(provinces)
    _add_activity([provinces[c] for c in codes[:3]], 2, make_set())
    now = timezone.now()
    earlier = now - datetime.timedelta(days=40)
    first = Complaint.objects.order_by("pk").first()
    Complaint.objects.filter(pk=first.pk).update(channel=Channel.HOTLINE)
    last = Complaint.objects.order_by("pk").last()
    Complaint.objects.filter(pk=last.pk).update(
        received_at=earlier, received_month=month_key(earlier), channel=Channel.POST
    )
    WarningFactory(owner_province=None, published_at=now)
    WarningFactory(owner_province=provinces[codes[0]], published_at=now).provinces.add(
        provinces[codes[1]], provinces[codes[0]]
    )
    national_body = IssuingBody.objects.create(slug="bo-cong-thuong", name="Bộ Công Thương")
    save_document(
        Document(
            doc_type="thong-tu",
            number="9/TT-BCT",
            title="Thông tư thử",
            issuing_body=national_body,
            issue_date=timezone.localdate(),
            effective_date=timezone.localdate(),
        )
    )
    end = timezone.localdate()
    start = end - datetime.timedelta(days=60)
    province_ids = list(Province.objects.current().values_list("pk", flat=True))

    national, by_province = figures.collect_all(start=start, end=end, province_ids=province_ids)

    sections = national["sections"]
    own = complaint_figures.report_figures(start=start, end=end)
    assert sections["complaints"]["figures"] == figures.normalise(own, figures.sections()[0].keys)
    assert sections["complaints"]["figures"]["received"] == 6
    assert sections["complaints"]["figures"]["handled"] == 3
    channels = sections["complaints"]["figures"]["by_channel"]
    assert sorted(channels.values()) == [1, 1, 4] and sum(channels.values()) == 6
    months = sections["complaints"]["figures"]["by_month"]
    assert sorted(months.values()) == [1, 5]
    assert sum(received(f) for f in by_province.values()) == 6
    own = selfassess_figures.report_figures(start=start, end=end)
    assert sections["selfassess"]["figures"] == figures.normalise(
        own, ("submitted", "verified", "by_band")
    )
    assert sections["selfassess"]["figures"]["verified"] == 6
    for section in figures.sections():
        name, keys = section.name, section.keys
        own = section.figures_function()(start=start, end=end, province=None)
        assert sections[name]["figures"] == figures.normalise(own, keys), name
        own_by_province = section.by_province_function()(start=start, end=end)
        for pid in province_ids:
            expected = figures.normalise(own_by_province.get(pid) or {}, keys)
            assert by_province[pid]["sections"][name]["figures"] == expected, (name, pid)
    assert sections["consumer_warnings"]["figures"]["issued"] == 6 + 2
    assert sections["legaldocs"]["figures"]["added"] == 6 + 1
    assert figures.scalar(by_province[provinces[codes[1]].pk], "consumer_warnings", "issued") == 3
