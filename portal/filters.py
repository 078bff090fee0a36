"""List filters through django-filter, for every part: a FilterSet's invalid values are left
out of the filtering (django-filter drops them from ``cleaned_data``) and shown as form errors,
never an error page. Search and date bounds go through the portal's one helper each."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceIterator

from . import periods, search


class SearchFilter(django_filters.CharFilter):
    """Free-text search on the folded ``column`` (see ``portal.search``)."""

    def __init__(self, *args, column="search_text", exact=(), **kwargs):
        kwargs.setdefault("label", _("Search"))
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"type": "search", "autocomplete": "off"})
        )
        self.column = column
        self.exact = tuple(exact)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return search.matching(qs, value, column=self.column, exact=self.exact)


def validate_day(value):
    if value and not periods.FIRST_DAY <= value <= periods.LAST_DAY:
        raise ValidationError(
            _("Give a date between %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": periods.FIRST_DAY.year, "last": periods.LAST_DAY.year},
        )


class _DayBound(django_filters.DateFilter):
    bound = "start"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        kwargs.setdefault("validators", [validate_day])
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        bounds = {self.bound: value}
        return qs.filter(periods.within(self.field_name, model=qs.model, **bounds))


class DateFromFilter(_DayBound):
    """Rows on or after a calendar day (index-friendly on date-time columns)."""

    bound = "start"


class DateUntilFilter(_DayBound):
    """Rows on or before a calendar day, that whole day included."""

    bound = "end"


class ChoicesReadOnce(ModelChoiceIterator):
    """A drop-down's rows read in one query: a template's for-loop asks a model field's
    choices for their length (a COUNT) before it reads them. Set it as the field's
    ``iterator``."""

    def __iter__(self):
        if not hasattr(self, "_rows"):
            self._rows = list(super().__iter__())
        return iter(self._rows)

    def __len__(self):
        return len(list(iter(self)))
