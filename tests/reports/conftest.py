"""Fixtures of the reports tests: the action plan, and stand-ins for the parts whose
``report_figures`` selectors the reports read (installed in ``sys.modules`` so that the
adapter's lazy import finds them exactly as it would find the real ones)."""

import sys
import types

import pytest
from django.core.management import call_command

from reports import services
from reports.models import Plan


@pytest.fixture
def plan(reference_data):
    call_command("seed_reports", verbosity=0)
    return Plan.objects.get()


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


@pytest.fixture
def fake_parts(monkeypatch):
    """Install every part's selectors as fakes; returns {part: FakeFigures}."""
    fakes = {}
    for part, keys in PART_KEYS.items():
        fake = FakeFigures(keys)
        module = types.ModuleType(f"{part}.selectors")
        module.report_figures = fake.report_figures
        module.report_figures_by_province = fake.report_figures_by_province
        monkeypatch.setitem(sys.modules, f"{part}.selectors", module)
        fakes[part] = fake
    return fakes


@pytest.fixture
def no_parts(monkeypatch):
    """Every part missing its selectors (the state before the other parts are built)."""
    for part in PART_KEYS:
        module = types.ModuleType(f"{part}.selectors")
        monkeypatch.setitem(sys.modules, f"{part}.selectors", module)
