"""Fixtures of the reports tests: the action plan, and stand-ins for the parts whose
report sections (``portal.contributions``) the reports read (patched at the adapter's one
entry point)."""

import datetime

import pytest
from django.core.management import call_command

from reports import services
from reports.models import NationalReport, Plan


@pytest.fixture
def plan(reference_data):
    call_command("seed_reports", verbosity=0)
    return Plan.objects.get()


# The parts a national report must carry to be published (Nghị định 30/2020/NĐ-CP).
DOCUMENT_PARTS = {
    "number": "15/BC-UBCTQG",
    "issued_on": datetime.date(2026, 12, 10),
    "signer_name": "Nguyễn Văn An",
    "signer_title": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
    "narrative": "Năm 2026 công tác bảo vệ quyền lợi người tiêu dùng có nhiều chuyển biến.",
}


def complete_national(reporting_year, **parts):
    """Give the year's national report (made if needed) every part publishing needs."""
    national, _created = NationalReport.objects.get_or_create(reporting_year=reporting_year)
    NationalReport.objects.filter(pk=national.pk).update(**{**DOCUMENT_PARTS, **parts})
    national.refresh_from_db()
    return national


@pytest.fixture
def year_2026(plan):
    return services.ensure_year(2026)


class FakeFigures:
    """Counts per province id for one part; ``report_figures`` answers from them."""

    def __init__(self, keys):
        self.keys = keys
        self.rows = {}
        self.calls = []

    def set(self, province_id, **values):
        self.rows[province_id] = values

    def _for(self, province_id):
        values = self.rows.get(province_id, {})
        return {k: values.get(k, {} if k.startswith("by_") else 0) for k in self.keys}

    def report_figures(self, *, start, end, province=None):
        self.calls.append(("one", start, end, province))
        if province is None:
            total = {}
            for pid in self.rows:
                for key, value in self._for(pid).items():
                    if isinstance(value, dict):
                        bucket = total.setdefault(key, {})
                        for label, count in value.items():
                            bucket[label] = bucket.get(label, 0) + count
                    else:
                        total[key] = total.get(key, 0) + value
            return total or self._for(None)
        province_id = getattr(province, "pk", province)
        return self._for(province_id)

    def report_figures_by_province(self, *, start, end):
        self.calls.append(("all", start, end))
        return {pid: self._for(pid) for pid in self.rows}


PART_KEYS = {
    "complaints": (
        "received",
        "by_status",
        "by_sector",
        "by_channel",
        "handled",
        "handled_on_time",
    ),
    "selfassess": ("submitted", "verified", "by_band"),
    "consumer_warnings": ("issued", "recalls", "by_kind"),
    "legaldocs": ("added", "by_type"),
}


class FakeSection:
    """A part's ``ReportSection`` whose functions are a ``FakeFigures``'."""

    def __init__(self, section, fake):
        self.name, self.keys = section.name, section.keys
        self.nationwide_only = section.nationwide_only
        self.fake = fake

    def figures_function(self):
        return self.fake.report_figures

    def by_province_function(self):
        return None if self.nationwide_only else self.fake.report_figures_by_province


@pytest.fixture
def fake_parts(monkeypatch):
    """Every part's figures replaced by fakes; returns {part: FakeFigures}. The adapter's
    one entry point (``reports.figures.sections``) is patched, so the real parts (used by
    their own pages) stay."""
    from portal import contributions
    from reports import figures

    fakes = {part: FakeFigures(keys) for part, keys in PART_KEYS.items()}
    fake_sections = [
        FakeSection(section, fakes[section.name])
        for section in contributions.report_sections()
        if section.name in fakes
    ]
    monkeypatch.setattr(figures, "sections", lambda: fake_sections)
    return fakes


@pytest.fixture
def no_parts(monkeypatch):
    """No part installed that gives figures: the reports have no section."""
    from reports import figures

    monkeypatch.setattr(figures, "sections", lambda: [])


@pytest.fixture
def opened_year(year_2026, fake_parts, hanoi, hcm):
    """2026 opened with Hà Nội's figures set; returns the year."""
    fake_parts["complaints"].set(
        hanoi.pk,
        received=1234,
        handled=10,
        handled_on_time=8,
        by_status={"Đã giải quyết": 8, "Đang xử lý": 2},
        by_channel={"web": 1000, "hotline": 234},
    )
    fake_parts["consumer_warnings"].set(hanoi.pk, issued=3, recalls=1)
    fake_parts["complaints"].set(hcm.pk, received=50)
    services.open_year(year_2026)
    year_2026.refresh_from_db()
    return year_2026


@pytest.fixture
def hanoi_report(opened_year, hanoi):
    from reports.models import UnitReport

    return UnitReport.objects.get(
        reporting_year=opened_year, agency__kind="provincial_department", agency__province=hanoi
    )


@pytest.fixture
def hcm_report(opened_year, hcm):
    from reports.models import UnitReport

    return UnitReport.objects.get(
        reporting_year=opened_year, agency__kind="provincial_department", agency__province=hcm
    )
