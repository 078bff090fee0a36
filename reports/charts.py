"""Charts of the report PDFs, drawn as inline SVG that WeasyPrint turns into vector
drawings: no raster image, no JavaScript, no charting library.

Each chart reads only the figures a report froze (the unit's snapshot, the national
compilation), so a re-render draws the same bars. A chart is a dict for the template
(``reports/pdf/_chart.html``): its ``title`` (also printed as text above the drawing, so
pdftotext and screen readers find it), the ``svg`` or, without data, an ``empty`` line.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext_lazy

from portal.templatetags.portal_tags import thousands

from . import figures as figures_adapter

TITLES = {
    "by_month": pgettext_lazy("report chart", "Complaints received by month"),
    "by_province": pgettext_lazy("report chart", "Complaints received by province"),
    "timeliness": pgettext_lazy("report chart", "Complaint handling steps on time and late"),
    "assessments": pgettext_lazy("report chart", "Business self-assessments by status and result"),
}
NO_DATA = pgettext_lazy("report chart", "No data for this chart in the data window.")
# The complaints part gives a monthly breakdown only once it declares ``by_month`` in its
# report keys; a report frozen without it says so rather than drawing an empty chart.
NO_MONTHS = pgettext_lazy(
    "report chart", "The figures of this report were recorded without a monthly breakdown."
)

# Drawing sizes in CSS pixels (0.75 pt): the width fits the A4 text block of pdf/base.html.
WIDTH = 600
ROW_HEIGHT = 16
BAR_HEIGHT = 11
FONT_SIZE = 10
# A serif character is about half its size wide: enough to give long labels their room.
CHAR_WIDTH = 5.2
VALUE_WIDTH = 90
BAR_COLOURS = ("#2f5d8a", "#8a2f2f")


def _section(figures, name):
    data = (figures or {}).get("sections", {}).get(name) or {}
    return data.get("figures", {}) if data.get("available") else None


def bar_chart(key, bars, *, note="", empty=NO_DATA):
    """A horizontal bar chart of ``bars`` (``(label, count, colour index)``), or its
    "no data" line when every count is zero."""
    title = str(TITLES[key])
    bars = [(str(label), int(value or 0), colour) for label, value, colour in bars]
    if not any(value for _label, value, _colour in bars):
        return {"key": key, "title": title, "svg": "", "empty": str(empty), "note": ""}
    svg = _svg(f"chart-{key}", title, bars)
    return {"key": key, "title": title, "svg": svg, "empty": "", "note": note}


def _svg(uid, title, bars):
    label_width = min(230, max(60, max(len(label) for label, _v, _c in bars) * CHAR_WIDTH))
    bar_left = label_width + 8
    room = WIDTH - bar_left - VALUE_WIDTH
    top = max(value for _label, value, _colour in bars)
    height = len(bars) * ROW_HEIGHT + 6
    described = "; ".join(f"{label}: {thousands(value)}" for label, value, _c in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{uid}-t {uid}-d" '
        f'font-family="PortalSerif, serif" font-size="{FONT_SIZE}">',
        f'<title id="{uid}-t">{escape(title)}</title>',
        f'<desc id="{uid}-d">{escape(described)}</desc>',
        f'<line x1="{bar_left}" y1="0" x2="{bar_left}" y2="{height - 3}" '
        'stroke="#000" stroke-width="0.6"/>',
    ]
    for row, (label, value, colour) in enumerate(bars):
        y = row * ROW_HEIGHT + 3
        width = round(room * value / top, 1) if top else 0
        baseline = y + BAR_HEIGHT - 2
        parts += [
            f'<text x="{label_width}" y="{baseline}" text-anchor="end">{escape(label)}</text>',
            f'<rect x="{bar_left}" y="{y}" width="{width}" height="{BAR_HEIGHT}" '
            f'fill="{BAR_COLOURS[colour]}"><title>{escape(label)}: {thousands(value)}</title>'
            "</rect>",
            f'<text x="{bar_left + width + 4}" y="{baseline}">{thousands(value)}</text>',
        ]
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text in it was escaped above


def _month_label(key):
    """``"2025-11"`` → ``"11/2025"``; any other key as it was frozen."""
    year, _sep, month = str(key).partition("-")
    return f"{month}/{year}" if year.isdigit() and month.isdigit() else str(key)


def complaints_by_month(figures):
    complaints = _section(figures, "complaints")
    if complaints is None or "by_month" not in complaints:
        return bar_chart("by_month", [], empty=NO_MONTHS)
    months = sorted(complaints["by_month"].items())
    return bar_chart("by_month", [(_month_label(k), v, 0) for k, v in months])


def complaints_by_province(provinces):
    """From the national compilation's province rows (``PROVINCE_COLUMNS`` order)."""
    column = figures_adapter.PROVINCE_COLUMNS.index(("complaints", "received"))
    bars = []
    for row in provinces:
        values = row.get("values") or []
        bars.append((row["name"], values[column] if column < len(values) else 0, 0))
    return bar_chart("by_province", bars)


def timeliness(figures):
    """The statutory steps on time and late (an open step past its due date is late); a
    report frozen before steps were reported shows the complaints handled on time."""
    complaints = _section(figures, "complaints") or {}
    if "steps_on_time" in complaints:
        on_time = complaints.get("steps_on_time") or 0
        late = complaints.get("steps_late") or 0
    else:
        on_time = complaints.get("handled_on_time") or 0
        late = max((complaints.get("handled") or 0) - on_time, 0)
    share = figures_adapter.on_time_share(figures or {})
    note = ""
    if share is not None:
        note = gettext("Share of handling steps on time: %(share)s %%") % {
            "share": f"{share:g}".replace(".", ",")
        }
    bars = [
        (pgettext_lazy("report chart", "On time"), on_time, 0),
        (pgettext_lazy("report chart", "Late"), late, 1),
    ]
    return bar_chart("timeliness", bars, note=note)


def assessments(figures):
    selfassess = _section(figures, "selfassess") or {}
    bars = [
        (pgettext_lazy("report chart", "Submitted"), selfassess.get("submitted"), 0),
        (pgettext_lazy("report chart", "Verified"), selfassess.get("verified"), 0),
    ]
    for band, count in sorted((selfassess.get("by_band") or {}).items()):
        label = gettext("Result: %(band)s") % {"band": band}
        bars.append((label, count, 1))
    return bar_chart("assessments", bars)


def unit_report_charts(figures):
    return [complaints_by_month(figures), timeliness(figures), assessments(figures)]


def national_report_charts(figures, provinces):
    """``(nationwide charts, province chart)``: the latter goes with the province table."""
    return unit_report_charts(figures), complaints_by_province(provinces)
