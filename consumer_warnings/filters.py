"""One filter for the public list, the feeds and the exports: the same query string gives
the same warnings everywhere. Unknown values are dropped with a message, never an error."""

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.models import Province, Sector
from portal.text import search_terms

from .gtin import gtin_key, is_valid_gtin, normalise_gtin
from .models import ConsumerWarning, printable

FILTER_KEYS = ("q", "gtin", "kind", "sector", "hazard", "risk", "province", "date_from", "date_to")


class WarningFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    gtin = forms.CharField(
        label=_("Barcode (GTIN)"),
        required=False,
        max_length=40,
        help_text=_("Type or paste the digits under the barcode."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *ConsumerWarning.Kind.choices],
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        required=False,
        queryset=Sector.objects.filter(is_active=True),
        to_field_name="code",
        empty_label=_("All sectors"),
    )
    hazard = forms.ChoiceField(
        label=_("Hazard"),
        required=False,
        choices=[("", _("All hazards")), *ConsumerWarning.Hazard.choices],
    )
    risk = forms.ChoiceField(
        label=_("Risk level"),
        required=False,
        choices=[("", _("All levels"))]
        + [(v, label) for v, label in ConsumerWarning.Risk.choices if v],
    )
    province = forms.ModelChoiceField(
        label=_("Province"),
        required=False,
        queryset=Province.objects.current(),
        to_field_name="code",
        empty_label=_("Whole country"),
    )
    date_from = forms.DateField(
        label=_("Published from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Published until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data=None, **kwargs):
        # "from" and "to" are accepted as short aliases in hand-written feed URLs.
        if data is not None:
            data = data.copy()
            for public, name in (("from", "date_from"), ("to", "date_to")):
                if public in data and name not in data:
                    data[name] = data[public]
        super().__init__(data, **kwargs)

    def clean_q(self):
        return printable(self.cleaned_data.get("q", "")).strip()

    def clean_gtin(self):
        value = self.cleaned_data.get("gtin", "")
        if value and not is_valid_gtin(value):
            raise forms.ValidationError(
                _(
                    "“%(value)s” is not a valid barcode: a GTIN has 8, 12, 13 or 14 digits "
                    "and its last digit is a check digit."
                ),
                params={"value": value},
            )
        return normalise_gtin(value)


@dataclass
class WarningFilter:
    """The valid part of a query: the values to filter on, their labels for titles, and a
    message for every value that was ignored."""

    values: dict = field(default_factory=dict)
    ignored: list = field(default_factory=list)
    form: WarningFilterForm = None

    def apply(self, queryset):
        v = self.values
        for term in search_terms(v.get("q")):
            queryset = queryset.filter(search_text__contains=term)
        if v.get("gtin"):
            queryset = queryset.filter(gtin_key=gtin_key(v["gtin"]))
        if v.get("kind"):
            queryset = queryset.filter(kind=v["kind"])
        if v.get("sector"):
            queryset = queryset.filter(sector_id=v["sector"].pk)
        if v.get("hazard"):
            queryset = queryset.filter(hazard=v["hazard"])
        if v.get("risk"):
            queryset = queryset.filter(risk_level=v["risk"])
        if v.get("province"):
            # A warning naming no province concerns the whole country.
            from django.db.models import Exists, OuterRef

            through = ConsumerWarning.provinces.through
            named = through.objects.filter(consumerwarning_id=OuterRef("pk"))
            here = named.filter(province_id=v["province"].pk)
            queryset = queryset.filter(Exists(here) | ~Exists(named))
        if v.get("date_from"):
            queryset = queryset.filter(published_at__date__gte=v["date_from"])
        if v.get("date_to"):
            queryset = queryset.filter(published_at__date__lte=v["date_to"])
        return queryset

    def describe(self):
        """A short human description, for feed titles: "Recall · Cars and motorbikes"."""
        form = self.form
        parts = []
        for name in ("kind", "hazard", "risk"):
            if self.values.get(name):
                parts.append(str(dict(form.fields[name].choices)[self.values[name]]))
        for name in ("sector", "province"):
            if self.values.get(name):
                parts.append(self.values[name].display_name)
        if self.values.get("q"):
            parts.append("“" + self.values["q"] + "”")
        if self.values.get("gtin"):
            parts.append(self.values["gtin"])
        return " · ".join(parts)

    def query_string(self):
        from django.utils.http import urlencode

        params = {}
        for key, value in self.values.items():
            if value in (None, ""):
                continue
            public = key
            if hasattr(value, "code"):
                value = value.code
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            params[public] = value
        return urlencode(params)


def parse_filters(params):
    """Read the filters from a query dict, keeping the valid ones."""
    form = WarningFilterForm(params)
    form.is_valid()
    values = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    ignored = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        if name == "gtin":
            ignored.append(printable(errors[0]))
            continue
        ignored.append(
            gettext(
                "The filter “%(label)s” has a value we do not know (“%(value)s”); it was ignored."
            )
            % {"label": label, "value": printable(form.data.get(name, ""))[:60]}
        )
    return WarningFilter(values=values, ignored=ignored, form=form)
