"""The list filters of the reports part, through django-filter (``portal.filters``): an
invalid value is left out of the filtering and shown as a form error, never an error page."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import UnitReport

SUBMITTED = ~Q(status__in=UnitReport.EDITABLE)

# The dashboard's filters (?loc=…): which units to list.
SHOWN = {
    "submitted": SUBMITTED,
    "late": SUBMITTED & Q(is_late=True),
    "missing": Q(status__in=UnitReport.EDITABLE),
}


class DashboardFilter(django_filters.FilterSet):
    """The units of one reporting year on the authority's dashboard."""

    loc = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=[
            ("submitted", pgettext_lazy("reports", "Submitted")),
            ("late", pgettext_lazy("reports", "Late")),
            ("missing", pgettext_lazy("reports", "Missing")),
        ],
        method="filter_shown",
    )

    class Meta:
        model = UnitReport
        fields = []

    def filter_shown(self, queryset, name, value):
        return queryset.filter(SHOWN[value]) if value in SHOWN else queryset

    @property
    def shown(self):
        """The filter in force ("" for all units, and for a value that was refused)."""
        if not self.is_bound or not self.is_valid():
            return ""
        return self.form.cleaned_data.get("loc") or ""
