"""The list filters, through django-filter (portal.filters). One FilterSet for the public list,
the feeds and the exports, so that the same query string gives the same warnings everywhere,
and one for the staff's list. Unknown values are dropped and shown, never an error."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.filters import ChoicesReadOnce, DateFromFilter, DateUntilFilter, SearchFilter
from portal.models import Sector
from portal.provinces import ProvinceFilter, ProvinceNoteMixin

from .gtin import gtin_key, is_valid_gtin, normalise_gtin
from .models import ConsumerWarning, printable

FILTER_KEYS = ("q", "gtin", "kind", "sector", "hazard", "risk", "province", "date_from", "date_to")
# "from" and "to" are accepted as short aliases in hand-written feed URLs.
ALIASES = (("from", "date_from"), ("to", "date_to"))


class WarningFilterForm(forms.Form):
    """The base form of the public FilterSet: cleans the search words and the barcode."""

    def clean_q(self):
        return printable(self.cleaned_data.get("q") or "").strip()

    def clean_gtin(self):
        value = self.cleaned_data.get("gtin") or ""
        if value and not is_valid_gtin(value):
            raise forms.ValidationError(
                _(
                    "“%(value)s” is not a valid barcode: a GTIN has 8, 12, 13 or 14 digits "
                    "and its last digit is a check digit."
                ),
                params={"value": value},
            )
        return normalise_gtin(value)


class IgnoredValues:
    """What every FilterSet of the part shows of its invalid values: one message each."""

    def _unknown_value_messages(self, special=()):
        messages = []
        for name, errors in self.form.errors.items():
            if name in special:
                messages.append(printable(errors[0]))
                continue
            label = self.form.fields[name].label if name in self.form.fields else name
            messages.append(
                gettext(
                    "The filter “%(label)s” has a value we do not know (“%(value)s”); "
                    "it was ignored."
                )
                % {"label": label, "value": printable(self.form.data.get(name, ""))[:60]}
            )
        return messages

    @property
    def ignored(self):
        self.is_valid()
        return self._unknown_value_messages()


class WarningFilterSet(ProvinceNoteMixin, IgnoredValues, django_filters.FilterSet):
    q = SearchFilter()
    gtin = django_filters.CharFilter(
        label=_("Barcode (GTIN)"),
        max_length=40,
        help_text=_("Type or paste the digits under the barcode."),
        method="filter_gtin",
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=ConsumerWarning.Kind.choices, empty_label=_("All kinds")
    )
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"),
        queryset=Sector.objects.filter(is_active=True),
        to_field_name="code",
        empty_label=_("All sectors"),
    )
    hazard = django_filters.ChoiceFilter(
        label=_("Hazard"), choices=ConsumerWarning.Hazard.choices, empty_label=_("All hazards")
    )
    risk = django_filters.ChoiceFilter(
        field_name="risk_level",
        label=_("Risk level"),
        choices=[(v, label) for v, label in ConsumerWarning.Risk.choices if v],
        empty_label=_("All levels"),
    )
    # A current province's code, or a former one's name or slug ("Long An"): its successor.
    province = ProvinceFilter(
        label=_("Province"),
        to_field_name="code",
        empty_label=_("Whole country"),
        method="filter_province",
    )
    date_from = DateFromFilter(field_name="published_at", label=_("Published from"))
    date_to = DateUntilFilter(field_name="published_at", label=_("Published until"))

    class Meta:
        model = ConsumerWarning
        fields = []
        form = WarningFilterForm

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for public, name in ALIASES:
                if public in data and name not in data:
                    data[name] = data[public]
        super().__init__(data, *args, **kwargs)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            form.fields["sector"].iterator = ChoicesReadOnce
        return self._form

    def filter_gtin(self, queryset, name, value):
        return queryset.filter(gtin_key=gtin_key(value))

    def filter_province(self, queryset, name, value):
        # A warning naming no province concerns the whole country.
        named = ConsumerWarning.provinces.through.objects.filter(consumerwarning_id=OuterRef("pk"))
        here = named.filter(province_id=value.pk)
        return queryset.filter(Exists(here) | ~Exists(named))

    @property
    def values(self):
        """The valid values to filter on (invalid ones are dropped by django-filter)."""
        self.is_valid()
        cleaned = getattr(self.form, "cleaned_data", {})
        return {k: v for k, v in cleaned.items() if v not in (None, "")}

    @property
    def ignored(self):
        self.is_valid()
        return self._unknown_value_messages(special=("gtin",))

    def without(self, *names):
        """The same filters but ``names`` (e.g. the search words, for similar warnings)."""
        data = self.data.copy()
        for name in names:
            data.pop(name, None)
        narrower = type(self)(data, queryset=self.queryset)
        narrower.is_valid()
        return narrower

    def describe(self):
        """A short human description, for feed titles: "Recall · Cars and motorbikes"."""
        values, fields = self.values, self.form.fields
        parts = [
            str(dict(fields[name].choices)[values[name]])
            for name in ("kind", "hazard", "risk")
            if values.get(name)
        ]
        parts += [values[name].display_name for name in ("sector", "province") if values.get(name)]
        if values.get("q"):
            parts.append("“" + values["q"] + "”")
        if values.get("gtin"):
            parts.append(values["gtin"])
        return " · ".join(parts)

    def query_string(self):
        params = {}
        for key, value in self.values.items():
            if hasattr(value, "code"):
                value = value.code
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            params[key] = value
        return urlencode(params)


class ManagedWarningFilterSet(IgnoredValues, django_filters.FilterSet):
    """The staff's list: by status, and searched by words."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ConsumerWarning.Status.choices, empty_label=_("All")
    )
    q = SearchFilter()

    class Meta:
        model = ConsumerWarning
        fields = []


def parse_filters(params):
    """The public FilterSet for a query dict, validated (its valid values filter)."""
    filterset = WarningFilterSet(params)
    filterset.is_valid()
    return filterset
