"""What the complaints part publishes cannot mislead: open overdue steps count as late, and
no hidden count can be worked out from a published total or share."""

import datetime
import random
from collections import Counter

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from complaints import records, selectors, services
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
    assert records.timeliness(business)["on_time_share"] == 66.7
    stats = selectors._compute_statistics(timezone.localdate().year)
    row = next(r for r in stats["by_business"] if r["tax_code"] == business.tax_code)
    # Acknowledged on time twice, one open overdue; the two open negotiations are not due.
    assert (row["steps"], row["late"], row["on_time_share"]) == (3, 1, 66.7)


@pytest.mark.django_db
def test_a_step_not_yet_due_is_not_counted(business, business_member, province_officer):
    for _ in range(3):
        _forwarded(business, province_officer)
    counted = records.timeliness(business)
    assert (counted["steps"], counted["late"], counted["on_time_share"]) == (0, 0, None)
    later = timezone.localdate() + datetime.timedelta(days=60)
    assert records.timeliness(business, as_of=later)["on_time_share"] == 0.0


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


def _vectors(marks, total):
    """Every list of values of the hidden cells of a table adding up to ``total``."""
    cells = [m for m in marks if m in (SMALL, HIDDEN)]
    left = total - sum(m for m in marks if isinstance(m, int))
    found = []

    def walk(k, left, chosen):
        if k == len(cells):
            if left == 0:
                found.append(tuple(chosen))
            return
        low, high = (1, 2) if cells[k] == SMALL else (3, left)
        for v in range(low, min(high, left) + 1):
            walk(k + 1, left - v, [*chosen, v])

    if left >= 0:
        walk(0, left, [])
    return found


def _fill(marks, hidden):
    values = iter(hidden)
    return tuple(next(values) if m in (SMALL, HIDDEN) else m for m in marks)


def _reader(data, statuses, largest):
    """What a reader can tell of every hidden cell from the whole page: each table adds up
    to the same total (published or not), the resolved column to the resolved count, each
    province's resolved count is at most its count. Returns, per (table, cell), the set of
    values some complete solution gives it (totals tried up to ``largest``)."""
    tables = {
        name: [row["count"] for row in data[name]]
        for name in ("by_month", "by_status", "by_sector", "by_province")
    }
    column = [row["resolved"] for row in data["by_province"]]
    if column and column[0] is None:
        column = None
    resolved_at = statuses.index(Status.RESOLVED)
    total = data["total"]
    if isinstance(total, int):
        totals = [total]
    else:
        totals = range(1, 3) if total == SMALL else range(3, largest + 1)
    seen = {}

    def record(name, marks, vector):
        for i, (m, v) in enumerate(zip(marks, vector, strict=True)):
            if m in (SMALL, HIDDEN):
                seen.setdefault((name, i), set()).add(v)

    for t in totals:
        options = {name: [_fill(m, h) for h in _vectors(m, t)] for name, m in tables.items()}
        if not all(options.values()):
            continue  # some table cannot add up to this total
        pairs = []  # (province counts, resolved column) that fit together
        if column is None:
            pairs = [(p, None) for p in options["by_province"]]
            status_ok = options["by_status"]
        else:
            resolved_values = {s[resolved_at] for s in options["by_status"]}
            fitting = set()
            for r_total in resolved_values:
                for r in (_fill(column, h) for h in _vectors(column, r_total)):
                    for p in options["by_province"]:
                        if all(a <= b for a, b in zip(r, p, strict=True)):
                            pairs.append((p, r))
                            fitting.add(r_total)
            status_ok = [s for s in options["by_status"] if s[resolved_at] in fitting]
        if not pairs or not status_ok:
            continue
        for name in ("by_month", "by_sector"):
            for vector in options[name]:
                record(name, tables[name], vector)
        for vector in status_ok:
            record("by_status", tables["by_status"], vector)
        for p, r in pairs:
            record("by_province", tables["by_province"], p)
            if r is not None:
                record("resolved", column, r)
    return seen


def _assert_reader_learns_no_cell(data, real, statuses):
    values = _reader(data, statuses, largest=real["total"] + 8)
    for (name, i), possible in values.items():
        assert real[name][i] in possible, (name, i)
        assert len(possible) >= 2, (name, i, possible, data)
    hidden = sum(
        1
        for name in ("by_month", "by_status", "by_sector", "by_province")
        for row in data[name]
        if row["count"] in (SMALL, HIDDEN)
    )
    hidden += sum(1 for row in data["by_province"] if row["resolved"] in (SMALL, HIDDEN))
    assert len(values) == hidden  # every hidden cell has at least its true value


def _generated(rng, statuses, provinces, sectors):

    rows = [
        (rng.choice(statuses), rng.choice(provinces)[0], rng.choice([*sectors, (None, "")])[0])
        for _ in range(rng.randint(0, 14))
    ]
    return rows, _raw_from_rows(rows, [rng.randint(1, 4) for _ in rows])


def _raw_from_rows(rows, months):
    """What publish() takes, for ``rows`` of (status, province, sector) received in ``months``."""
    from collections import Counter

    return {
        "by_month": Counter(months),
        "by_status": Counter(s for s, _p, _c in rows),
        "by_sector": Counter(c for _s, _p, c in rows),
        "by_province": Counter(p for _s, p, _c in rows),
        "resolved_by_province": Counter(p for s, p, _c in rows if s == Status.RESOLVED),
        "province_steps": {},
        "businesses": [],
    }


def _real(raw, statuses, provinces, sector_ids):
    return {
        "total": sum(raw["by_status"].values()),
        "by_month": [raw["by_month"].get(m, 0) for m in range(1, 13)],
        "by_status": [raw["by_status"].get(s, 0) for s in statuses],
        "by_sector": [raw["by_sector"].get(pk, 0) for pk in sector_ids],
        "by_province": [raw["by_province"].get(pk, 0) for pk, _n in provinces],
        "resolved": [raw["resolved_by_province"].get(pk, 0) for pk, _n in provinces],
    }


def test_no_hidden_cell_can_be_worked_out_by_combining_the_tables():
    """The reviewer's attack, over generated years: the sum of any fully shown table is a
    total even when the headline is withheld; all tables share it; the resolved column adds
    up to the resolved count and stays within each province's count. No hidden cell may
    come out with a single possible value."""
    rng = random.Random(1207)
    statuses = [value for value, _label in Status.choices]
    # Few statuses, months and provinces, so that every solution can be listed.
    used = [Status.SUBMITTED, Status.FORWARDED, Status.RESOLVED, Status.UNRESOLVED]
    provinces = [(pk, f"P{pk}") for pk in range(1, 5)]
    sectors = [(pk, f"S{pk}") for pk in range(1, 3)]
    outcomes = Counter()
    for _ in range(600):
        rows, raw = _generated(rng, used, provinces, sectors)
        data = publish(2026, raw, provinces, sectors)
        sector_ids = [1, 2, *([None] if raw["by_sector"].get(None) else [])]
        real = _real(raw, statuses, provinces, sector_ids)
        if not data["total_shown"]:
            outcomes["withheld"] += 1
            # Nothing but the total in its published form.
            assert data["total"] == (SMALL if len(rows) < 3 else HIDDEN)
            assert not any(data[name] for name in ("by_month", "by_status", "by_sector"))
            assert data["resolved_share"] is None
            assert {(row["count"], row["resolved"]) for row in data["by_province"]} == {
                (None, None)
            }
            continue
        assert data["total"] == len(rows)
        resolved_marks = [row["resolved"] for row in data["by_province"]]
        if resolved_marks[0] is None:
            outcomes["no resolved column"] += 1
        elif any(m in (SMALL, HIDDEN) for m in resolved_marks):
            outcomes["resolved cells hidden"] += 1
        for row in data["by_province"]:
            # A hidden count never sits next to a shown non-zero resolved count.
            if row["count"] in (SMALL, HIDDEN) and row["resolved"] is not None:
                assert not isinstance(row["resolved"], int) or row["resolved"] == 0
        _assert_reader_learns_no_cell(data, real, statuses)
    # The generator reaches every branch.
    assert outcomes["withheld"] and outcomes["resolved cells hidden"]
    assert outcomes["no resolved column"]


def test_a_withheld_total_is_not_given_back_by_another_table():
    # Provinces {A: 1, B: 3}: "<3" and 3 would give A = 1 from a month table showing 4.
    raw = _raw({Status.SUBMITTED: 4}, {1: 1, 2: 3})
    data = publish(2026, raw, [(1, "A"), (2, "B")], [])
    assert (data["total"], data["total_shown"]) == (HIDDEN, False)
    assert data["by_month"] == data["by_status"] == data["by_sector"] == []
    assert [row["count"] for row in data["by_province"]] == [None, None]


def test_a_shown_resolved_count_does_not_bound_a_hidden_province_count():
    # A 1, B 4 (all resolved), C 5: B's "…" next to a shown 4 would force B = 4, A = 1.
    statuses = [value for value, _label in Status.choices]
    provinces = [(1, "A"), (2, "B"), (3, "C")]
    raw = _raw({Status.RESOLVED: 4, Status.SUBMITTED: 6}, {1: 1, 2: 4, 3: 5}, {2: 4})
    data = publish(2026, raw, provinces, [])
    rows = {row["name"]: row for row in data["by_province"]}
    assert rows["A"]["count"] == SMALL
    for row in rows.values():
        if row["count"] in (SMALL, HIDDEN):
            assert row["resolved"] in (SMALL, HIDDEN, 0, None)
    real = _real(raw, statuses, provinces, [None])
    _assert_reader_learns_no_cell(data, real, statuses)


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
        raw = _raw_from_rows(rows, [rng.randint(1, 12) for _ in rows])
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


# --- What the officer reads out ---------------------------------------------------------------


@pytest.mark.django_db
def test_staff_entry_shows_the_consent_text_that_is_stored(client, province_officer, hanoi, issues):
    import html

    from complaints.models import CONSENT_VERSION, Complaint
    from tests.conftest import login

    issue = issues.first()
    login(client, province_officer)
    page = client.get(reverse("complaints:staff_new")).content.decode()
    read_out = html.unescape(page.split('<q id="consent-text">')[1].split("</q>")[0])
    assert f'href="{reverse("portal:privacy")}"' in page.split('id="consent-text"')[1]
    response = client.post(
        reverse("complaints:staff_new"),
        {
            "channel": "hotline",
            "complainant_name": "Lê Văn Tám",
            "complainant_phone": "0243 825 1234",
            "business_name": "Nhà mạng Tây Đô",
            "province": hanoi.pk,
            "sector": issue.sector_id,
            "issue": issue.pk,
            "description": "Bị trừ tiền dịch vụ không đăng ký.",
            "request": "Hoàn tiền.",
            "consent_processing": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    complaint = Complaint.objects.get()
    assert (complaint.consent_version, complaint.consent_text) == (CONSENT_VERSION, read_out)
    assert CONSENT_VERSION == "2026-11"
