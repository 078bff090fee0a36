"""The library's filters, through django-filter (``portal.filters``): every field optional,
invalid values dropped by django-filter and shown as form errors, so that the rest of the
search still runs with what the user typed kept. The URL parameters are the library's
(``q``, ``type``, ``body``, ``field``, ``status``, ``year_from``, ``year_to``, ``as_of``,
``sort``).

The words (``q``), the validity day (``as_of``) and the order (``sort``) are read by
:func:`legaldocs.selectors.search`, which ranks the results; the other filters narrow the
documents here."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Document, DocumentType, IssuingBody, LegalField
from .selectors import MAX_QUERY_LENGTH, Sort
from .validity import DATE_FORMATS, Status

SORT_CHOICES = [
    (Sort.RELEVANCE, _("Most relevant")),
    (Sort.NEWEST, _("Newest first")),
    (Sort.OLDEST, _("Oldest first")),
    (Sort.TITLE, _("Title A–Z")),
]
FIRST_YEAR, LAST_YEAR = 1945, 2100


class LibraryFilterForm(forms.Form):
    """Bootstrap classes, errors tied to their field, and swapped years put right."""

    field_order = [
        "q", "type", "body", "field", "status", "year_from", "year_to", "as_of", "sort",
    ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, bound in self.fields.items():
            css = "form-select" if isinstance(bound.widget, forms.Select) else "form-control"
            bound.widget.attrs.setdefault("class", css)
            if self.is_bound and name in self.errors:
                bound.widget.attrs["class"] += " is-invalid"
                bound.widget.attrs["aria-describedby"] = f"{name}-error"

    def clean(self):
        data = super().clean()
        year_from, year_to = data.get("year_from"), data.get("year_to")
        self.years_swapped = bool(year_from and year_to and year_from > year_to)
        if self.years_swapped:
            data["year_from"], data["year_to"] = year_to, year_from
        return data


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.update(field_name="year", min_value=FIRST_YEAR, max_value=LAST_YEAR)
        super().__init__(*args, **kwargs)


def term_filter(model, label, empty_label, field_name):
    """A vocabulary (issuing body, field of law) chosen by its slug in the URL."""
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        label=label,
        queryset=model.objects.all(),
        to_field_name="slug",
        empty_label=empty_label,
    )


class LibraryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search the library"),
        method="read_by_search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Number (19/2023/QH15) or words, “phrase in quotes”"),
                "autocomplete": "off",
            }
        ),
    )
    type = django_filters.ChoiceFilter(
        field_name="doc_type",
        label=_("Type"),
        choices=DocumentType.choices,
        empty_label=_("All types"),
    )
    body = term_filter(IssuingBody, _("Issuing body"), _("All issuing bodies"), "issuing_body")
    field = term_filter(LegalField, _("Field"), _("All fields"), "field")
    # ``validity`` is annotated for the ``as_of`` day by the search.
    status = django_filters.ChoiceFilter(
        field_name="validity",
        label=_("Validity"),
        choices=Status.choices,
        empty_label=_("Any validity"),
    )
    year_from = YearFilter(label=_("From year"), lookup_expr="gte")
    year_to = YearFilter(label=_("To year"), lookup_expr="lte")
    as_of = django_filters.DateFilter(
        label=_("Validity as of"),
        method="read_by_search",
        input_formats=DATE_FORMATS,
        widget=forms.TextInput(attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric"}),
        error_messages={
            "invalid": _(
                "This is not a real date (use dd/mm/yyyy, for example 15/03/2024); "
                "validity is shown as of today."
            )
        },
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORT_CHOICES, empty_label=None, method="read_by_search"
    )

    class Meta:
        model = Document
        fields = []
        form = LibraryFilterForm

    def read_by_search(self, queryset, name, value):
        # Words, validity day and order are applied by selectors.search (ranked).
        return queryset

    @property
    def values(self):
        """The valid values (invalid ones are dropped by django-filter)."""
        self.is_valid()
        return getattr(self.form, "cleaned_data", {})

    # Not named after the filters: a class attribute of that name would replace the filter.
    @property
    def search_query(self):
        return self.data.get("q", "") if self.is_bound else ""

    @property
    def sort_order(self):
        return self.values.get("sort") or Sort.RELEVANCE

    @property
    def validity_day(self):
        return self.values.get("as_of")

    @property
    def years_swapped(self):
        self.is_valid()
        return getattr(self.form, "years_swapped", False)

    @property
    def query_too_long(self):
        return len(self.search_query.strip()) > MAX_QUERY_LENGTH

    @property
    def narrowed(self):
        """Whether any filter beyond the words is chosen."""
        keys = ("type", "body", "field", "status", "year_from", "year_to")
        return any(self.values.get(key) not in (None, "") for key in keys)


def library_filters(params):
    """The library's FilterSet for a query dict, validated."""
    filterset = LibraryFilterSet(params or None)
    filterset.is_valid()
    return filterset
