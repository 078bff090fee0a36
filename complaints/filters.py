"""The list filters of complaints, through django-filter (``portal.filters``): invalid values
are left out of the filtering and shown as form errors, never an error page."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.filters import DateFromFilter, DateUntilFilter, SearchFilter
from portal.models import Sector
from portal.provinces import ProvinceFilter, ProvinceNoteMixin

from .models import SEARCH_EXACT, Channel, Complaint, Status


class ComplaintSearchFilter(SearchFilter):
    """The portal's search, plus a phone or an e-mail typed whole found by its keyed hash
    (``ComplaintQuerySet.search``): the contact data is encrypted, not in ``search_text``."""

    def filter(self, qs, value):
        return qs.search(value) if value else qs


class StaffComplaintFilter(ProvinceNoteMixin, django_filters.FilterSet):
    """Filters of the staff list."""

    q = ComplaintSearchFilter(exact=SEARCH_EXACT)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    # A current or a former province (by id or name): the successor's complaints.
    province = ProvinceFilter(label=_("Province"), empty_label=_("All"))
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), queryset=Sector.objects.filter(is_active=True)
    )
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput
    )
    mine = django_filters.BooleanFilter(
        label=_("Assigned to me"), method="filter_mine", widget=forms.CheckboxInput
    )
    received_from = DateFromFilter(label=_("Received from"), field_name="received_at")
    received_to = DateUntilFilter(label=_("Received until"), field_name="received_at")

    class Meta:
        model = Complaint
        fields = []

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(assigned_to=self.request.user if self.request else None)


OPEN = "open"


class OwnComplaintFilter(django_filters.FilterSet):
    """The one filter of a business's inbox and of a consumer's own list: open ones only, or
    one status."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(OPEN, _("Open")), *Status.choices],
        method="filter_status",
        empty_label=_("All"),
    )

    class Meta:
        model = Complaint
        fields = []

    def filter_status(self, queryset, name, value):
        return queryset.open() if value == OPEN else queryset.filter(status=value)
