"""The one adapter between the reports and the other parts' figures: each installed part
declares a ``ReportSection`` on its AppConfig (``portal.contributions``), which says which
figures it gives and the functions that compute them. A part that is not installed has no
section; an import error in one that is fails loudly.

Everything returned is plain JSON (string keys, integer counts) so that it can be frozen
in a snapshot and rendered identically later. A section frozen in an old snapshot whose part
is gone still renders, with its own keys and its name as label when it has none.
"""

from django.utils.translation import pgettext_lazy

from portal import contributions


def sections():
    """The installed parts' report sections, in their declared order."""
    return contributions.report_sections()


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
    "on_time_share": pgettext_lazy("report figure", "Share of handling steps on time"),
    "steps_on_time": pgettext_lazy("report figure", "Statutory steps on time"),
    "steps_late": pgettext_lazy("report figure", "Statutory steps late or overdue"),
    "by_month": pgettext_lazy("report figure", "By month"),
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
    result = {}
    province = None
    if province_id is not None:
        from portal.models import Province

        province = Province.objects.get(pk=province_id)
    for section in sections():
        scope = None if section.nationwide_only else province
        raw = section.figures_function()(start=start, end=end, province=scope)
        result[section.name] = _available(raw, section.keys)
    return _wrap(result)


def _available(raw, keys):
    return {"available": True, "figures": normalise(raw, keys)}


# By-province figures whose buckets, with the rows of no province under ``None``, add up to
# the nationwide figures: each complaint or assessment counts once, under its one province.
# Their nationwide figures are summed here instead of asked again. Not the warnings (one may
# concern several provinces) nor the documents (a province counts only its own bodies').
SUMMED_BY_PROVINCE = frozenset(
    {
        "complaints.selectors.report_figures_by_province",
        "selfassess.selectors.report_figures_by_province",
    }
)


def _warnings_all(start, end):
    """Warnings nationwide and by province in two grouped queries (the part's own functions
    take four): grouped by owner, a warning counts once, so the owners' counts (with the
    warnings of no owner) add up to the nation; a province also counts those naming it."""
    from django.db.models import Count, F

    from consumer_warnings.models import ConsumerWarning
    from consumer_warnings.selectors import _figures_from_counts, _issued_between

    issued = _issued_between(start, end)
    national, counts = {}, {}
    for row in issued.values("owner_province_id", "kind").annotate(n=Count("pk")).order_by():
        national[row["kind"]] = national.get(row["kind"], 0) + row["n"]
        if row["owner_province_id"] is not None:
            kinds = counts.setdefault(row["owner_province_id"], {})
            kinds[row["kind"]] = kinds.get(row["kind"], 0) + row["n"]
    named = (
        ConsumerWarning.provinces.through.objects.filter(consumerwarning__in=issued)
        .exclude(consumerwarning__owner_province_id=F("province_id"))
        .values("province_id", "consumerwarning__kind")
        .annotate(n=Count("consumerwarning_id"))
        .order_by()
    )
    for row in named:
        kinds = counts.setdefault(row["province_id"], {})
        kind = row["consumerwarning__kind"]
        kinds[kind] = kinds.get(kind, 0) + row["n"]
    by_province = {pk: _figures_from_counts(kinds) for pk, kinds in counts.items()}
    return _figures_from_counts(national), by_province


def _documents_all(start, end):
    """Documents added nationwide and by province in one grouped query (the part's own
    functions take five, with the ``issued`` count no report shows): a province counts what
    its own bodies issued, the nation every document."""
    from django.db.models import Count

    from legaldocs.models import Document, DocumentType
    from portal import periods

    labels = {value: str(label) for value, label in DocumentType.choices}
    added = periods.in_window(Document.objects.all(), "created_at", start, end)
    national, by_province = {"added": 0, "by_type": {}}, {}
    rows = added.values("issuing_body__province", "doc_type").annotate(n=Count("pk")).order_by()
    for row in rows:
        label = labels.get(row["doc_type"], row["doc_type"])
        targets = [national]
        if row["issuing_body__province"] is not None:
            empty = {"added": 0, "by_type": {}}
            targets.append(by_province.setdefault(row["issuing_body__province"], empty))
        for figures in targets:
            figures["added"] += row["n"]
            figures["by_type"][label] = figures["by_type"].get(label, 0) + row["n"]
    return national, by_province


# The parts whose provinces do not add up to the nation, nationwide and by province at once
# (keyed by their by-province function): fewer passes over their rows than asking twice.
# These belong in the parts' selectors (``report_figures_all``); kept here meanwhile.
COMBINED = {
    "consumer_warnings.selectors.report_figures_by_province": _warnings_all,
    "legaldocs.selectors.report_figures_by_province": _documents_all,
}


def _sum(buckets, keys):
    """The figures of ``buckets`` (normalised) added up, breakdowns label by label."""
    total = normalise({}, keys)
    for figures in buckets:
        for key, value in figures.items():
            if isinstance(value, dict):
                for label, count in value.items():
                    total[key][label] = total[key].get(label, 0) + count
            else:
                total[key] += value
    return total


def _part_figures(section, start, end, wanted):
    """``(nationwide figures, raw figures by province id)`` of one part; nothing by
    province unless ``wanted``."""
    path = getattr(section, "figures_by_province", None)
    if wanted and path in COMBINED:
        raw, rows = COMBINED[path](start, end)
        return _available(raw, section.keys), rows
    if wanted and path in SUMMED_BY_PROVINCE:
        rows = section.by_province_function()(start=start, end=end) or {}
        buckets = [normalise(raw, section.keys) for raw in rows.values()]
        return {"available": True, "figures": _sum(buckets, section.keys)}, rows
    raw = section.figures_function()(start=start, end=end, province=None)
    rows = (section.by_province_function()(start=start, end=end) or {}) if wanted else {}
    return _available(raw, section.keys), rows


def collect_all(*, start, end, province_ids):
    """Nationwide figures and the figures of every province in ``province_ids``, with one
    call per part (each part aggregates in the database with a constant number of queries;
    a part whose provinces add up to the nation is asked once, by province; warnings and
    documents both at once).
    Returns ``(nationwide, {province_id: figures})``."""
    national_sections = {}
    per_province = {pid: {} for pid in province_ids}
    for section in sections():
        by_province = section.by_province_function()
        # Nationwide figures alone (the compilation of a year not locked) ask no province.
        wanted = bool(province_ids) and by_province is not None
        national, rows = _part_figures(section, start, end, wanted)
        national_sections[section.name] = national
        for pid in province_ids:
            if section.nationwide_only:
                per_province[pid][section.name] = national
            elif by_province is None:
                per_province[pid][section.name] = _unavailable()
            else:
                raw = rows.get(pid) or rows.get(str(pid)) or {}
                per_province[pid][section.name] = _available(raw, section.keys)
    return _wrap(national_sections), {pid: _wrap(s) for pid, s in per_province.items()}


def on_time_share(figures):
    """Percentage of the statutory steps done on time — a step still open past its due date
    counts as late (Luật 19/2023/QH15 Điều 57) — or None when no step counts yet. Figures
    frozen before the steps were reported fall back to the complaints handled on time."""
    complaints = figures.get("sections", {}).get("complaints", {})
    values = complaints.get("figures", {})
    if "steps_on_time" in values:
        on_time, late = values.get("steps_on_time") or 0, values.get("steps_late") or 0
        return round(100 * on_time / (on_time + late), 1) if on_time + late else None
    handled = values.get("handled") or 0
    if not handled:
        return None
    return round(100 * (values.get("handled_on_time") or 0) / handled, 1)


def scalar(figures, section, key):
    data = figures.get("sections", {}).get(section, {})
    if not data.get("available"):
        return None
    return data.get("figures", {}).get(key, 0)


def section_label(name):
    """The reports' label of a section, or its name for a section the reports do not know."""
    return SECTION_LABELS.get(name, name)


def _shown_sections(stored):
    """``(name, keys)`` of the sections to show: the installed ones in their order, then any
    other section frozen in ``stored`` (its part is gone), with the keys it was frozen with."""
    installed = [(section.name, section.keys) for section in sections()]
    known = {name for name, _keys in installed}
    extra = [
        (name, tuple(data.get("figures", {}))) for name, data in stored.items() if name not in known
    ]
    return installed + extra


def display_sections(figures):
    """Rows for templates, CSV and PDF: one entry per section with labelled figures."""
    stored = figures.get("sections", {})
    result = []
    for name, keys in _shown_sections(stored):
        data = stored.get(name) or _unavailable()
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
                "label": section_label(name),
                "available": bool(data.get("available")),
                "scalars": scalars,
                "breakdowns": breakdowns,
            }
        )
    return result
