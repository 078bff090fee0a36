import datetime

from django.utils import translation

from legaldocs import selectors
from portal.models import Province


def test_report_figures(library):
    today = datetime.date.today()
    with translation.override("vi"):
        figures = selectors.report_figures(start=today, end=today)
    assert figures["added"] == len(library)
    assert figures["by_type"]["Luật"] == 4
    assert sum(figures["by_type"].values()) == figures["added"]
    assert (
        selectors.report_figures(start=datetime.date(2000, 1, 1), end=datetime.date(2000, 12, 31))[
            "added"
        ]
        == 0
    )
    year_2024 = selectors.report_figures(
        start=datetime.date(2024, 1, 1), end=datetime.date(2024, 12, 31)
    )
    assert year_2024["issued"] == 2  # 55/2024/NĐ-CP and 07/2024/QĐ-TTg


def test_report_figures_by_province(library, provinces, django_assert_max_num_queries):
    today = datetime.date.today()
    with django_assert_max_num_queries(4):
        by_province = selectors.report_figures_by_province(start=today, end=today)
    assert set(by_province) == set(Province.objects.current().values_list("pk", flat=True))
    # National documents are not repeated in every province (test_corrections).
    assert all(v["added"] < len(library) for v in by_province.values())
