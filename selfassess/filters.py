"""The list filters of the self-assessment part, through django-filter: a value that is not
understood is left out of the filtering and shown as an error, never an error page."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.filters import SearchFilter
from portal.provinces import ProvinceFilter, ProvinceNoteMixin

from .models import Assessment

# The business, found by its name (without diacritics) or its tax code (typed whole).
BUSINESS_SEARCH = {"column": "business__search_text", "exact": ["business__tax_code"]}


def _province_filter():
    # A current or a former province (by id or name): the successor's businesses.
    return ProvinceFilter(
        label=_("Province"), field_name="business__province", empty_label=_("All provinces")
    )


def _status_filter(statuses):
    return django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[c for c in Assessment.Status.choices if c[0] in statuses],
        empty_label=_("All"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class PublicResultFilter(ProvinceNoteMixin, django_filters.FilterSet):
    """The public list of businesses with a verified result. The drop-downs are plain
    choices from ``selectors.public_filter_choices`` (read once per request) and, for the
    province, from the cached directory of ``portal.provinces``, so that showing one runs
    no query of its own."""

    q = SearchFilter(label=_("Name or tax code"), max_length=100, **BUSINESS_SEARCH)
    # A current or a former province (by id or name): the successor's businesses.
    province = _province_filter()
    sector = django_filters.TypedChoiceFilter(
        label=_("Sector"), field_name="business__sector", coerce=int, empty_value=None
    )
    set = django_filters.ChoiceFilter(
        label=_("Criteria set"), field_name="criteria_set__code", empty_label=_("All")
    )
    year = django_filters.TypedChoiceFilter(
        label=_("Year"), field_name="criteria_set__year", coerce=int, empty_value=None
    )
    band = django_filters.ChoiceFilter(
        label=_("Band"), field_name="band__code", empty_label=_("All")
    )

    class Meta:
        model = Assessment
        fields = []

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        fields["set"].choices = choices["sets"]
        fields["year"].choices = [("", _("All"))] + [(y, y) for y in choices["years"]]
        fields["band"].choices = choices["bands"]
        fields["sector"].choices = [("", _("All"))] + choices["sectors"]


class QueueFilter(ProvinceNoteMixin, django_filters.FilterSet):
    """The officers' queue of submitted assessments."""

    q = SearchFilter(label=_("Business name or tax code"), max_length=100, **BUSINESS_SEARCH)
    status = _status_filter([s for s in Assessment.Status.values if s != Assessment.Status.DRAFT])
    province = _province_filter()

    class Meta:
        model = Assessment
        fields = []

    def __init__(self, *args, nationwide=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not nationwide:
            # A province officer sees one province: no choice to offer.
            del self.filters["province"]


class OwnAssessmentFilter(django_filters.FilterSet):
    """The business's own list of assessments."""

    status = _status_filter(Assessment.Status.values)

    class Meta:
        model = Assessment
        fields = []
