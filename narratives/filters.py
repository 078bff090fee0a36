"""The public list's filters (django-filter, portal.filters): words, sector, business (tax
code), province (a former one resolves to its successor) and the month the complaint was
received. Unknown values are dropped and shown, never an error."""

import re

import django_filters
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.filters import ChoicesReadOnce, SearchFilter
from portal.models import Sector
from portal.provinces import ProvinceFilter, ProvinceNoteMixin

from .models import Narrative

MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")


def parse_month(value):
    """ "2026-01" → 202601; a ValidationError for anything else."""
    match = MONTH.match((value or "").strip())
    if not match or not 1 <= int(match["month"]) <= 12 or not 2000 <= int(match["year"]) <= 2100:
        raise forms.ValidationError(
            _("Give a month as YYYY-MM, for example 2026-01."), code="invalid_month"
        )
    return int(match["year"]) * 100 + int(match["month"])


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"})

    def clean(self, value):
        value = super().clean(value)
        return parse_month(value) if value else None


class MonthFilter(django_filters.Filter):
    field_class = MonthField

    def filter(self, qs, value):
        return qs.filter(received_month=value) if value else qs


class NarrativeFilterSet(ProvinceNoteMixin, django_filters.FilterSet):
    q = SearchFilter()
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"),
        queryset=Sector.objects.filter(is_active=True),
        to_field_name="code",
        empty_label=_("All sectors"),
    )
    business = django_filters.CharFilter(
        field_name="business__tax_code",
        label=_("Business tax code"),
        max_length=14,
    )
    province = ProvinceFilter(to_field_name="code", empty_label=_("Whole country"))
    month = MonthFilter(label=_("Month received"))

    class Meta:
        model = Narrative
        fields = []

    @property
    def form(self):
        if not hasattr(self, "_form"):
            super().form.fields["sector"].iterator = ChoicesReadOnce
        return self._form

    @property
    def values(self):
        self.is_valid()
        cleaned = getattr(self.form, "cleaned_data", {})
        return {k: v for k, v in cleaned.items() if v not in (None, "")}

    @property
    def ignored(self):
        """One message per value that was not understood (and left out)."""
        self.is_valid()
        messages = []
        for name, errors in self.form.errors.items():
            label = self.form.fields[name].label if name in self.form.fields else name
            messages.append(
                gettext("The filter “%(label)s” was ignored: %(error)s")
                % {"label": label, "error": errors[0]}
            )
        return messages
