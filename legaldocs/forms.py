"""The search form of the library: every field optional, invalid ones reported and ignored
so that the rest of the search still runs with what the user typed kept."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DocumentType, IssuingBody, LegalField
from .selectors import MAX_QUERY_LENGTH, Sort
from .validity import DATE_FORMATS, Status

SORT_CHOICES = [
    (Sort.RELEVANCE, _("Most relevant")),
    (Sort.NEWEST, _("Newest first")),
    (Sort.OLDEST, _("Oldest first")),
    (Sort.TITLE, _("Title A–Z")),
]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the library"),
        required=False,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Number (19/2023/QH15) or words, “phrase in quotes”"),
                "autocomplete": "off",
            }
        ),
    )
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *DocumentType.choices]
    )
    body = forms.ModelChoiceField(
        label=_("Issuing body"),
        required=False,
        queryset=IssuingBody.objects.all(),
        to_field_name="slug",
        empty_label=_("All issuing bodies"),
    )
    field = forms.ModelChoiceField(
        label=_("Field"),
        required=False,
        queryset=LegalField.objects.all(),
        to_field_name="slug",
        empty_label=_("All fields"),
    )
    status = forms.ChoiceField(
        label=_("Validity"), required=False, choices=[("", _("Any validity")), *Status.choices]
    )
    year_from = forms.IntegerField(
        label=_("From year"), required=False, min_value=1945, max_value=2100
    )
    year_to = forms.IntegerField(label=_("To year"), required=False, min_value=1945, max_value=2100)
    as_of = forms.DateField(
        label=_("Validity as of"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.TextInput(attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric"}),
        error_messages={
            "invalid": _(
                "This is not a real date (use dd/mm/yyyy, for example 15/03/2024); "
                "validity is shown as of today."
            )
        },
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def clean(self):
        data = super().clean()
        year_from, year_to = data.get("year_from"), data.get("year_to")
        self.years_swapped = bool(year_from and year_to and year_from > year_to)
        if self.years_swapped:
            data["year_from"], data["year_to"] = year_to, year_from
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, bound in self.fields.items():
            css = "form-select" if isinstance(bound.widget, forms.Select) else "form-control"
            bound.widget.attrs.setdefault("class", css)
            if self.is_bound and name in self.errors:
                bound.widget.attrs["class"] += " is-invalid"
                bound.widget.attrs["aria-describedby"] = f"{name}-error"

    def search_args(self):
        """The valid part of the form, as arguments for :func:`selectors.search`."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "query": self.data.get("q", ""),
            "filters": {
                "doc_type": data.get("type") or None,
                "issuing_body": data.get("body"),
                "field": data.get("field"),
                "status": data.get("status") or None,
                "year_from": data.get("year_from"),
                "year_to": data.get("year_to"),
            },
            "sort": data.get("sort") or Sort.RELEVANCE,
            "as_of": data.get("as_of"),
        }

    @property
    def query_too_long(self):
        return len((self.data.get("q") or "").strip()) > MAX_QUERY_LENGTH
