"""The adapter to the other parts' ``report_figures`` selectors."""

import datetime
import sys

import pytest

from reports import figures

START, END = datetime.date(2025, 11, 1), datetime.date(2026, 10, 31)


def test_the_sections_are_the_installed_parts_report_sections():
    from portal import contributions

    assert figures.sections() == contributions.report_sections()
    assert [s.name for s in figures.sections()] == [
        "complaints",
        "selfassess",
        "consumer_warnings",
        "legaldocs",
    ]


def test_without_parts_there_are_no_sections_and_the_figures_still_render(no_parts, hanoi):
    result = figures.collect(start=START, end=END, province_id=hanoi.pk)
    assert result == {"sections": {}, "has_data": False, "missing_sections": []}
    assert figures.display_sections(result) == []
    national, per_province = figures.collect_all(start=START, end=END, province_ids=[hanoi.pk])
    assert per_province[hanoi.pk] == national


def test_a_section_frozen_by_a_part_that_is_gone_still_renders_with_its_name(no_parts):
    frozen = {"sections": {"oldpart": {"available": True, "figures": {"made": 3}}}}
    [section] = figures.display_sections(frozen)
    assert section["label"] == "oldpart"
    assert section["scalars"] == [{"key": "made", "label": "made", "value": 3}]


def test_one_section_with_figures(monkeypatch, hanoi, hcm):
    from portal.contributions import ReportSection

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

    monkeypatch.setattr(sys.modules[__name__], "FAKE_FIGURES", report_figures, raising=False)
    monkeypatch.setattr(sys.modules[__name__], "FAKE_BY_PROVINCE", by_province, raising=False)
    section = ReportSection(
        name="complaints",
        keys=("received", "handled", "handled_on_time", "by_status", "by_sector", "by_channel"),
        figures=f"{__name__}.FAKE_FIGURES",
        figures_by_province=f"{__name__}.FAKE_BY_PROVINCE",
    )
    monkeypatch.setattr(figures, "sections", lambda: [section])

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
