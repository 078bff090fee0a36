"""What the complaints part publishes cannot mislead: open overdue steps count as late, and
no hidden count can be worked out from a published total or share."""

import datetime
import random

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from complaints import selectors, services
from complaints.models import ComplaintStep, Party, Status
from complaints.selectors import HIDDEN, SMALL, protect, publish
from tests.complaints.factories import make_complaint

# --- Timeliness -------------------------------------------------------------------------------


def _forwarded(business, officer):
    complaint = make_complaint(business=business)
    services.forward(complaint, actor=officer)
    return complaint


@pytest.mark.django_db
def test_business_with_an_overdue_open_step_is_not_100_percent_on_time(
    client, business, business_member, province_officer
):
    for _ in range(2):
        services.acknowledge(_forwarded(business, province_officer), actor=business_member)
    # The third is never answered: its acknowledgement was due long ago (as for Sao Việt).
    silent = _forwarded(business, province_officer)
    ComplaintStep.objects.filter(complaint=silent, completed_at__isnull=True).update(
        due_on=timezone.localdate() - datetime.timedelta(days=20)
    )
    page = client.get(reverse("businesses:detail", args=[business.tax_code])).content.decode()
    assert "100" not in page.split('id="business-timeliness">')[1].split("</dd>")[0]
    assert selectors.business_timeliness(business)["on_time_share"] == 66.7
    stats = selectors._compute_statistics(timezone.localdate().year)
    row = next(r for r in stats["by_business"] if r["tax_code"] == business.tax_code)
    # Acknowledged on time twice, one open overdue; the two open negotiations are not due.
    assert (row["steps"], row["late"], row["on_time_share"]) == (3, 1, 66.7)


@pytest.mark.django_db
def test_a_step_not_yet_due_is_not_counted(business, business_member, province_officer):
    for _ in range(3):
        _forwarded(business, province_officer)
    assert selectors.business_timeliness(business) == {
        "steps": 0,
        "late": 0,
        "on_time_share": None,
    }
    later = timezone.localdate() + datetime.timedelta(days=60)
    assert selectors.business_timeliness(business, as_of=later)["on_time_share"] == 0.0


@pytest.mark.django_db
def test_province_timeliness_counts_open_overdue_forwarding_as_late(hanoi, province_officer):
    for _ in range(3):
        services.forward(make_complaint(province=hanoi), actor=province_officer)
    make_complaint(province=hanoi)  # its forwarding step is open and overdue
    ComplaintStep.objects.filter(party=Party.AGENCY, completed_at__isnull=True).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    stats = selectors._compute_statistics(timezone.localdate().year)
    row = next(r for r in stats["by_province"] if r["name"] == hanoi.display_name)
    assert row["on_time_share"] == 75.0


# --- Suppression ------------------------------------------------------------------------------


def _possible_values(marks, hidden_total):
    """Every value each hidden cell can take given what a reader sees: "<3" is 1 or 2, "…"
    is 3 or more, and the hidden cells add up to the total minus the shown ones."""
    cells = [i for i, m in enumerate(marks) if m in (SMALL, HIDDEN)]
    options = {i: set() for i in cells}

    def walk(k, left, chosen):
        if k == len(cells):
            if left == 0:
                for i, v in zip(cells, chosen, strict=True):
                    options[i].add(v)
            return
        low, high = (1, 2) if marks[cells[k]] == SMALL else (3, left)
        for v in range(low, min(high, left) + 1):
            walk(k + 1, left - v, [*chosen, v])

    walk(0, hidden_total, [])
    return options


def _assert_no_cell_recoverable(counts, marks):
    for value, mark in zip(counts, marks, strict=True):
        assert mark == value or mark in (SMALL, HIDDEN)
        assert mark != SMALL or 0 < value < 3
    hidden_total = sum(counts) - sum(m for m in marks if isinstance(m, int))
    for cell, values in _possible_values(marks, hidden_total).items():
        assert counts[cell] in values
        assert len(values) >= 2, (counts, marks, cell)


def test_no_suppressed_cell_can_be_derived_from_a_published_total():
    rng = random.Random(12)
    withheld = 0
    for _ in range(3000):
        counts = [rng.choice((0, 0, 1, 2, 3, 4, 5, 9)) for _ in range(rng.randint(1, 7))]
        marks, safe = protect(counts)
        if safe:
            _assert_no_cell_recoverable(counts, marks)
        else:
            # Honest only if even hiding every non-zero cell leaves one recoverable: the
            # caller then withholds the total.
            withheld += 1
            everything = [SMALL if 0 < v < 3 else HIDDEN if v else 0 for v in counts]
            hidden_total = sum(counts)
            assert any(
                len(values) < 2 for values in _possible_values(everything, hidden_total).values()
            )
    assert withheld  # the generator does reach the case where the total is withheld


def test_the_headline_share_never_gives_back_a_hidden_count():
    # "14,3% of 14": 2 resolved out of 14 must not be published as a share.
    raw = _raw({Status.RESOLVED: 2, Status.SUBMITTED: 12}, {1: 14})
    data = publish(2026, raw, [(1, "Hà Nội")], [])
    assert data["total"] == 14
    assert data["resolved_share"] is None
    status = {row["status"]: row["count"] for row in data["by_status"]}
    assert status[Status.RESOLVED] == SMALL


def _raw(by_status, by_province, resolved_by_province=None, by_sector=None):
    from collections import Counter

    total = sum(by_status.values())
    return {
        "by_month": Counter({11: total}),
        "by_status": Counter(by_status),
        "by_sector": Counter(by_sector or {None: total}),
        "by_province": Counter(by_province),
        "resolved_by_province": Counter(resolved_by_province or {}),
        "province_steps": {},
        "businesses": [],
    }


def test_published_statistics_over_generated_data():
    """Every table of the page and the CSV adds up to the published total; each share is
    published only when the counts it is made of are."""
    rng = random.Random(2306)
    statuses = [value for value, _label in Status.choices]
    provinces = [(pk, f"P{pk}") for pk in range(1, 6)]
    sectors = [(pk, f"S{pk}") for pk in range(1, 4)]
    for _ in range(400):
        rows = [
            (rng.choice(statuses), rng.randint(1, 5), rng.choice((1, 2, 3, None)))
            for _ in range(rng.randint(0, 25))
        ]
        from collections import Counter

        raw = {
            "by_month": Counter(rng.randint(1, 12) for _ in rows),
            "by_status": Counter(s for s, _p, _c in rows),
            "by_sector": Counter(c for _s, _p, c in rows),
            "by_province": Counter(p for _s, p, _c in rows),
            "resolved_by_province": Counter(p for s, p, _c in rows if s == Status.RESOLVED),
            "province_steps": {},
            "businesses": [],
        }
        data = publish(2026, raw, provinces, sectors)
        tables = {
            "by_month": [raw["by_month"].get(m, 0) for m in range(1, 13)],
            "by_status": [raw["by_status"].get(s, 0) for s in statuses],
            "by_province": [raw["by_province"].get(pk, 0) for pk, _n in provinces],
        }
        if data["total_shown"]:
            assert data["total"] == len(rows)
            for name, counts in tables.items():
                _assert_no_cell_recoverable(counts, [row["count"] for row in data[name]])
            sector_counts = [row["count"] for row in data["by_sector"]]
            assert len(sector_counts) == 3 + bool(raw["by_sector"].get(None))
        status = {row["status"]: row["count"] for row in data["by_status"]}
        if data["resolved_share"] is not None:
            resolved = raw["by_status"][Status.RESOLVED]
            assert status[Status.RESOLVED] == resolved and data["total"] == len(rows)
            resolved_column = [raw["resolved_by_province"].get(pk, 0) for pk, _n in provinces]
            marks = [row["resolved"] for row in data["by_province"]]
            if any(m in (SMALL, HIDDEN) for m in marks):
                _assert_no_cell_recoverable(resolved_column, marks)
        if data["answered_share"] is not None:
            for s in (Status.RESOLVED, Status.UNRESOLVED, Status.BUSINESS_DECLINED):
                assert isinstance(status[s], int)


@pytest.mark.django_db
def test_statistics_page_and_csv_show_the_protected_cells(client, hanoi, hcm):
    cache.clear()
    for _ in range(4):
        make_complaint(province=hanoi)
    make_complaint(province=hcm)
    page = client.get(reverse("complaints:stats")).content.decode()
    assert 'id="stat-total">5<' in page
    # HCM's 1 is "<3"; Hà Nội's 4 would give it back (5 − 4): it is hidden too.
    assert "&lt;3" in page and HIDDEN in page
    body = client.get(reverse("complaints:stats_csv")).getvalue().decode("utf-8-sig")
    assert f"{hanoi.display_name},{HIDDEN}," in body
    assert f",{hcm.display_name},<3," in body


@pytest.mark.django_db
def test_reports_count_an_open_overdue_step_as_late(hanoi, province_officer):
    from reports import charts
    from reports import figures as report_figures

    for _ in range(3):
        services.forward(make_complaint(province=hanoi), actor=province_officer)
    make_complaint(province=hanoi)  # never forwarded: its step is open and overdue
    ComplaintStep.objects.filter(party=Party.AGENCY, completed_at__isnull=True).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    raw = selectors.report_figures(start=start, end=today, province=hanoi)
    # Three forwardings on time, one overdue; the businesses' steps are not due yet.
    assert (raw["steps_on_time"], raw["steps_late"]) == (3, 1)
    assert raw["by_month"] == {f"{today:%Y-%m}": 4}
    by_province = selectors.report_figures_by_province(start=start, end=today)
    assert by_province[hanoi.pk]["steps_late"] == 1
    collected = report_figures.collect(start=start, end=today, province_id=hanoi.pk)
    assert report_figures.on_time_share(collected) == 75.0
    chart = charts.timeliness(collected)
    assert "75" in chart["note"]
