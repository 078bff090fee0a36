"""What the parts contribute to shared pages, declared on their AppConfig (like
``portal_permissions``) instead of being imported by name: a part that is not installed
contributes nothing, and a real import error in one that is fails loudly at start-up.

On a part's AppConfig:

- ``home_block = ("app.selectors.home_block", order)``: a callable returning the home page
  block's context (with its ``template``) or ``None``;
- ``report_section = ReportSection(...)``: the figures it gives the annual reports;
- ``demo_command = ("demo_app", order)``: the command ``load_demo_data`` runs for it;
- ``seed_command = ("seed_app", order)``: the real reference data ``load_reference_data``
  loads for it.
"""

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class ReportSection:
    """A part's figures for the annual reports. The functions default to the part's
    ``selectors.report_figures`` and ``selectors.report_figures_by_province``."""

    name: str
    # Figure keys in display order; breakdowns start with "by_".
    keys: tuple
    order: int = 100
    # Figures that do not depend on the province are shown once, nationwide.
    nationwide_only: bool = False
    # ``(start, end, province) -> {key: value}``; ``province`` None means nationwide.
    figures: str = ""
    # ``(start, end) -> {province_id: {key: value}}``; None when not given per province.
    figures_by_province: str | None = ""

    def __post_init__(self):
        if not self.figures:
            object.__setattr__(self, "figures", f"{self.name}.selectors.report_figures")
        if self.figures_by_province == "":
            default = None if self.nationwide_only else f"{self.figures}_by_province"
            object.__setattr__(self, "figures_by_province", default)

    def figures_function(self):
        return import_string(self.figures)

    def by_province_function(self):
        return import_string(self.figures_by_province) if self.figures_by_province else None


@cache
def home_blocks():
    """The home page's block functions, in their declared order."""
    found = []
    for config in apps.get_app_configs():
        declared = getattr(config, "home_block", None)
        if declared:
            dotted, order = declared
            found.append((order, dotted, import_string(dotted)))
    return [(dotted, function) for _order, dotted, function in sorted(found)]


@cache
def report_sections():
    """Every installed part's ``ReportSection``, in their declared order."""
    sections = [
        config.report_section
        for config in apps.get_app_configs()
        if getattr(config, "report_section", None) is not None
    ]
    return sorted(sections, key=lambda section: section.order)


def _ordered(attribute):
    """Every part's ``(name, order)`` declared as ``attribute``, in order."""
    found = [
        getattr(config, attribute)
        for config in apps.get_app_configs()
        if getattr(config, attribute, None)
    ]
    return sorted(found, key=lambda item: item[1])


@cache
def demo_commands():
    """``(command name, order)`` of every part's demo data, in order."""
    return _ordered("demo_command")


@cache
def seed_commands():
    """``(command name, order)`` of every part's reference data, in order."""
    return _ordered("seed_command")


def project_apps():
    """The names of the installed apps that are this project's own folders (the portal and
    its parts), in INSTALLED_APPS order: they have translation catalogues of their own."""
    from pathlib import Path

    from django.conf import settings

    base = Path(settings.BASE_DIR).resolve()
    return [c.name for c in apps.get_app_configs() if Path(c.path).resolve().parent == base]
