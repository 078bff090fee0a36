"""The one adapter between the reports and the other parts' ``report_figures`` selectors
(docs/parts-contract.md, "Figures for the annual reports").

Each part is imported lazily: a part that is not built yet (no module, or no function)
becomes a section marked ``available: False`` so that every report still renders and says
so. Everything returned is plain JSON (string keys, integer counts) so that it can be frozen
in a snapshot and rendered identically later.
"""

import importlib

from django.utils.translation import pgettext_lazy

# (section, selectors module, figure keys in display order)
SOURCES = (
    (
        "complaints",
        "complaints.selectors",
        ("received", "handled", "handled_on_time", "by_status", "by_sector", "by_channel"),
    ),
    ("selfassess", "selfassess.selectors", ("submitted", "verified", "by_band")),
    ("consumer_warnings", "consumer_warnings.selectors", ("issued", "recalls", "by_kind")),
    ("legaldocs", "legaldocs.selectors", ("added", "by_type")),
)
SECTION_NAMES = [name for name, _module, _keys in SOURCES]
# Parts whose figures do not depend on the province: shown once, nationwide.
NATIONWIDE_ONLY = {"legaldocs"}

# Labels have their own context so that another part's catalogue, translating the same
# English words differently, never changes the reports' wording.
SECTION_LABELS = {
    "complaints": pgettext_lazy("report figure", "Consumer complaints"),
    "selfassess": pgettext_lazy("report figure", "Business self-assessments"),
    "consumer_warnings": pgettext_lazy("report figure", "Warnings and recalls"),
    "legaldocs": pgettext_lazy("report figure", "Legal documents added to the library"),
}
FIGURE_LABELS = {
    "received": pgettext_lazy("report figure", "Complaints received"),
    "handled": pgettext_lazy("report figure", "Complaints handled"),
    "handled_on_time": pgettext_lazy("report figure", "Handled on time"),
    "on_time_share": pgettext_lazy("report figure", "Share handled on time"),
    "by_status": pgettext_lazy("report figure", "By status"),
    "by_sector": pgettext_lazy("report figure", "By sector"),
    "by_channel": pgettext_lazy("report figure", "By channel"),
    "submitted": pgettext_lazy("report figure", "Self-assessments submitted"),
    "verified": pgettext_lazy("report figure", "Self-assessments verified"),
    "by_band": pgettext_lazy("report figure", "By score band"),
    "issued": pgettext_lazy("report figure", "Warnings issued"),
    "recalls": pgettext_lazy("report figure", "Recalls"),
    "by_kind": pgettext_lazy("report figure", "By kind"),
    "added": pgettext_lazy("report figure", "Documents added"),
    "by_type": pgettext_lazy("report figure", "By type"),
}
# The scalar figures shown in the per-province table of the national report.
PROVINCE_COLUMNS = (
    ("complaints", "received"),
    ("complaints", "handled_on_time"),
    ("selfassess", "submitted"),
    ("selfassess", "verified"),
    ("consumer_warnings", "issued"),
    ("consumer_warnings", "recalls"),
)


def _selector(module_name, function_name):
    try:
        module = importlib.import_module(module_name)
        return getattr(module, function_name)
    except (ImportError, AttributeError):
        return None


def _count(value):
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def normalise(raw, keys):
    """Plain JSON for one part's figures: scalars as ints, breakdowns as {str: int}."""
    raw = raw or {}
    result = {}
    for key in keys:
        value = raw.get(key)
        if isinstance(value, dict):
            result[key] = {str(label): _count(count) for label, count in value.items()}
        elif key.startswith("by_"):
            result[key] = {}
        else:
            result[key] = _count(value)
    return result


def _unavailable():
    return {"available": False, "figures": {}}


def _has_data(sections):
    for section in sections.values():
        for value in section.get("figures", {}).values():
            if isinstance(value, dict):
                if any(value.values()):
                    return True
            elif value:
                return True
    return False


def _wrap(sections):
    return {
        "sections": sections,
        "has_data": _has_data(sections),
        "missing_sections": [name for name, s in sections.items() if not s["available"]],
    }


def collect(*, start, end, province_id=None):
    """Figures of every part for one scope (``province_id`` None = nationwide)."""
    sections = {}
    province = None
    if province_id is not None:
        from portal.models import Province

        province = Province.objects.get(pk=province_id)
    for name, module_name, keys in SOURCES:
        function = _selector(module_name, "report_figures")
        if function is None:
            sections[name] = _unavailable()
            continue
        scope = None if name in NATIONWIDE_ONLY else province
        raw = function(start=start, end=end, province=scope)
        sections[name] = {"available": True, "figures": normalise(raw, keys)}
    return _wrap(sections)


def collect_all(*, start, end, province_ids):
    """Nationwide figures and the figures of every province in ``province_ids``, with one
    call per part (each part aggregates in the database with a constant number of queries).
    Returns ``(nationwide, {province_id: figures})``."""
    national_sections = {}
    per_province = {pid: {} for pid in province_ids}
    for name, module_name, keys in SOURCES:
        nationwide = _selector(module_name, "report_figures")
        by_province = _selector(module_name, "report_figures_by_province")
        if nationwide is None:
            national_sections[name] = _unavailable()
            for pid in province_ids:
                per_province[pid][name] = _unavailable()
            continue
        raw = nationwide(start=start, end=end, province=None)
        national = {"available": True, "figures": normalise(raw, keys)}
        national_sections[name] = national
        if name in NATIONWIDE_ONLY:
            for pid in province_ids:
                per_province[pid][name] = national
            continue
        if by_province is None:
            for pid in province_ids:
                per_province[pid][name] = _unavailable()
            continue
        rows = by_province(start=start, end=end) or {}
        for pid in province_ids:
            raw = rows.get(pid) or rows.get(str(pid)) or {}
            per_province[pid][name] = {"available": True, "figures": normalise(raw, keys)}
    return _wrap(national_sections), {pid: _wrap(s) for pid, s in per_province.items()}


def on_time_share(figures):
    """Percentage of handled complaints handled on time, or None when nothing was handled."""
    complaints = figures.get("sections", {}).get("complaints", {})
    values = complaints.get("figures", {})
    handled = values.get("handled") or 0
    if not handled:
        return None
    return round(100 * (values.get("handled_on_time") or 0) / handled, 1)


def scalar(figures, section, key):
    data = figures.get("sections", {}).get(section, {})
    if not data.get("available"):
        return None
    return data.get("figures", {}).get(key, 0)


def display_sections(figures):
    """Rows for templates, CSV and PDF: one entry per section with labelled figures."""
    sections = figures.get("sections", {})
    result = []
    for name, _module, keys in SOURCES:
        data = sections.get(name) or _unavailable()
        scalars, breakdowns = [], []
        if data.get("available"):
            values = data.get("figures", {})
            for key in keys:
                value = values.get(key, 0)
                label = FIGURE_LABELS.get(key, key)
                if isinstance(value, dict):
                    breakdowns.append({"key": key, "label": label, "items": sorted(value.items())})
                else:
                    scalars.append({"key": key, "label": label, "value": value})
            if name == "complaints":
                share = on_time_share(figures)
                scalars.append(
                    {
                        "key": "on_time_share",
                        "label": FIGURE_LABELS["on_time_share"],
                        "value": share,
                        "percent": True,
                    }
                )
        result.append(
            {
                "name": name,
                "label": SECTION_LABELS[name],
                "available": bool(data.get("available")),
                "scalars": scalars,
                "breakdowns": breakdowns,
            }
        )
    return result
