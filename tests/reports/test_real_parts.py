"""Real rows of the other parts show up in the unit reports, through their own
``report_figures`` selectors (no fakes here)."""

import datetime
from zoneinfo import ZoneInfo

import time_machine

from portal.models import Agency
from reports import figures, services
from reports.models import UnitReport

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def report_of(reporting_year, province):
    return UnitReport.objects.get(
        reporting_year=reporting_year,
        agency__kind=Agency.Kind.PROVINCIAL_DEPARTMENT,
        agency__province=province,
    )


def test_every_part_now_provides_its_figures():
    for section in figures.sections():
        assert callable(section.figures_function()), section.name
        if not section.nationwide_only:
            assert callable(section.by_province_function()), section.name


@time_machine.travel(datetime.datetime(2026, 11, 22, 10, tzinfo=TZ), tick=True)
def test_a_real_complaint_counts_in_its_province_report(plan, hanoi, hcm):
    from tests.complaints.factories import make_complaint

    make_complaint(province=hanoi)
    make_complaint(province=hanoi)
    make_complaint(province=hcm)
    # Complaints are filed "today" (22/11/2026): inside the window of reporting year 2027.
    reporting_year = services.ensure_year(2027)
    services.open_year(reporting_year)
    hanoi_figures = report_of(reporting_year, hanoi).figures["sections"]["complaints"]
    assert hanoi_figures["available"] is True
    assert hanoi_figures["figures"]["received"] == 2
    assert (
        report_of(reporting_year, hcm).figures["sections"]["complaints"]["figures"]["received"] == 1
    )
    # The nationwide count appears once, in the national report, not in a ministry unit's.
    ubctqg = UnitReport.objects.get(reporting_year=reporting_year, agency__code="ubctqg")
    assert ubctqg.figures == {}
    snapshot = services.build_national_snapshot(reporting_year)
    assert snapshot["totals"]["sections"]["complaints"]["figures"]["received"] == 3
    # and not in the previous year's window
    previous = services.ensure_year(2026)
    services.open_year(previous)
    assert report_of(previous, hanoi).figures["sections"]["complaints"]["figures"]["received"] == 0


def test_a_real_warning_counts_in_its_province_report(plan, hanoi, hcm):
    from tests.consumer_warnings.factories import WarningFactory

    WarningFactory(owner_province=hanoi, published_at=datetime.datetime(2026, 3, 2, 10, tzinfo=TZ))
    reporting_year = services.ensure_year(2026)
    services.open_year(reporting_year)
    assert (
        report_of(reporting_year, hanoi).figures["sections"]["consumer_warnings"]["figures"][
            "issued"
        ]
        == 1
    )
    assert (
        report_of(reporting_year, hcm).figures["sections"]["consumer_warnings"]["figures"]["issued"]
        == 0
    )
