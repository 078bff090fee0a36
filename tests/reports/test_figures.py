"""The adapter to the other parts' ``report_figures`` selectors."""

import datetime

import pytest

from reports import figures

START, END = datetime.date(2025, 11, 1), datetime.date(2026, 10, 31)


def test_a_missing_module_or_function_is_not_available():
    assert figures._selector("no_such_part.selectors", "report_figures") is None
    assert figures._selector("reports.services", "no_such_function") is None
    assert figures._selector("reports.services", "open_year") is not None


def test_missing_parts_are_marked_and_the_figures_still_render(no_parts, hanoi):
    result = figures.collect(start=START, end=END, province_id=hanoi.pk)
    assert result["has_data"] is False
    assert set(result["missing_sections"]) == set(figures.SECTION_NAMES)
    sections = figures.display_sections(result)
    assert [s["available"] for s in sections] == [False] * 4
    national, per_province = figures.collect_all(start=START, end=END, province_ids=[hanoi.pk])
    assert per_province[hanoi.pk]["missing_sections"] == national["missing_sections"]


def test_a_part_with_figures_and_the_others_missing(monkeypatch, hanoi, hcm):
    calls = []

    def report_figures(*, start, end, province=None):
        calls.append(province)
        return {
            "received": 5 if province else 9,
            "by_status": {"Mới": 5},
            "handled": 4,
            "handled_on_time": 3,
        }

    def by_province(*, start, end):
        calls.append("all")
        return {hanoi.pk: {"received": 5, "handled": 2, "handled_on_time": 1}}

    available = {
        ("complaints.selectors", "report_figures"): report_figures,
        ("complaints.selectors", "report_figures_by_province"): by_province,
    }
    monkeypatch.setattr(figures, "_selector", lambda m, f: available.get((m, f)))

    one = figures.collect(start=START, end=END, province_id=hanoi.pk)
    assert calls == [hanoi]  # the province is passed as a Province
    assert one["sections"]["complaints"] == {
        "available": True,
        "figures": {
            "received": 5,
            "handled": 4,
            "handled_on_time": 3,
            "by_status": {"Mới": 5},
            "by_sector": {},
            "by_channel": {},
        },
    }
    assert one["missing_sections"] == ["selfassess", "consumer_warnings", "legaldocs"]
    assert figures.on_time_share(one) == 75.0

    calls.clear()
    national, per_province = figures.collect_all(
        start=START, end=END, province_ids=[hanoi.pk, hcm.pk]
    )
    assert calls == [None, "all"]  # one call per part, whatever the number of units
    assert national["sections"]["complaints"]["figures"]["received"] == 9
    assert per_province[hanoi.pk]["sections"]["complaints"]["figures"]["received"] == 5
    # a province with no rows gets zeros, not an error
    assert per_province[hcm.pk]["sections"]["complaints"]["figures"]["received"] == 0
    assert per_province[hcm.pk]["has_data"] is False


@pytest.mark.parametrize("bad", [None, "x", -0])
def test_normalise_turns_odd_values_into_counts(bad):
    assert figures.normalise(
        {"received": bad, "by_status": {1: "3"}}, ("received", "by_status")
    ) == {
        "received": 0,
        "by_status": {"1": 3},
    }


def test_on_time_share_without_handled_complaints_is_none():
    assert figures.on_time_share({"sections": {}}) is None
