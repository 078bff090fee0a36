from datetime import date, timedelta

import pytest
from django.utils import timezone

from selfassess import selectors, services
from selfassess.models import Assessment

from .conftest import fill_all

pytestmark = pytest.mark.django_db


def _make(small_set, business, user, officer, decision=None, values=None):
    assessment = services.start_assessment(user=user, business=business, criteria_set=small_set)
    fill_all(assessment, user, values)
    services.submit(assessment=assessment, user=user)
    if decision:
        services.review(assessment=assessment, officer=officer, decision=decision, note="Lý do")
    return assessment


def test_report_figures_nationwide_and_by_province(
    small_set,
    business,
    business_member,
    other_business,
    other_business_member,
    ministry_officer,
    hanoi,
    hcm,
):
    _make(small_set, business, business_member, ministry_officer, "verify")
    _make(
        small_set,
        other_business,
        other_business_member,
        ministry_officer,
        "verify",
        {"A2": "plan", "B1": "no"},
    )
    today = timezone.localdate()
    figures = selectors.report_figures(start=today - timedelta(days=1), end=today)
    assert figures["submitted"] == 2 and figures["verified"] == 2
    assert figures["by_band"] == {"Hạng Vàng": 1, "Hạng Bạc": 1}
    assert figures["by_year"] == {2025: 2}
    assert sum(figures["score_distribution"].values()) == 2
    assert figures["score_distribution"]["80–100%"] == 1
    assert figures["score_distribution"]["60–80%"] == 1  # 60% falls in 60–80
    hanoi_only = selectors.report_figures(start=today, end=today, province=hanoi)
    assert (hanoi_only["submitted"], hanoi_only["verified"]) == (1, 1)
    by_province = selectors.report_figures_by_province(start=today, end=today)
    assert set(by_province) == {hanoi.pk, hcm.pk}
    assert by_province[hcm.pk]["by_band"] == {"Hạng Bạc": 1}
    empty = selectors.report_figures(start=date(2000, 1, 1), end=date(2000, 12, 31))
    assert empty == {
        "submitted": 0,
        "verified": 0,
        "by_band": {},
        "by_sector": {},
        "by_year": {},
        "score_distribution": {},
    }


def test_report_figures_use_a_constant_number_of_queries(
    small_set, business, business_member, ministry_officer, django_assert_num_queries
):
    _make(small_set, business, business_member, ministry_officer, "verify")
    today = timezone.localdate()
    with django_assert_num_queries(2):
        selectors.report_figures(start=today, end=today)
    with django_assert_num_queries(2):
        selectors.report_figures_by_province(start=today, end=today)


def test_rejected_and_practice_are_not_counted_as_verified(
    reference_data, business, business_member, ministry_officer, small_set
):
    _make(small_set, business, business_member, ministry_officer, "reject")
    today = timezone.localdate()
    figures = selectors.report_figures(start=today, end=today)
    assert (figures["submitted"], figures["verified"]) == (1, 0)
    assert Assessment.objects.public().count() == 0


def test_home_block(small_set, business, business_member, ministry_officer):
    assert selectors.home_block()["public_count"] == 0
    _make(small_set, business, business_member, ministry_officer, "verify")
    block = selectors.home_block()
    assert block == {"template": "selfassess/_home_block.html", "public_count": 1}


def test_public_band_filter_speaks_the_page_language(
    small_set, business, business_member, ministry_officer
):
    from django.utils import translation

    assessment = _make(small_set, business, business_member, ministry_officer, "verify")
    assessment.refresh_from_db()
    assessment.band.label_en = "Gold"
    assessment.band.save()
    with translation.override("en"):
        assert (assessment.band.code, "Gold") in selectors.public_filter_choices()["bands"]
    with translation.override("vi"):
        bands = selectors.public_filter_choices()["bands"]
        assert (assessment.band.code, assessment.band.label) in bands
