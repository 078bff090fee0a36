import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Province, Sector

from .models import Channel, Complaint, Status


class StaffComplaintFilter(django_filters.FilterSet):
    """Filters of the staff list. Invalid values are ignored, never an error page."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    province = django_filters.ModelChoiceFilter(
        label=_("Province"), queryset=Province.objects.current().order_by("name")
    )
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
    received_from = django_filters.DateFilter(
        label=_("Received from"),
        field_name="received_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_to = django_filters.DateFilter(
        label=_("Received until"),
        field_name="received_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Complaint
        fields = []

    def __init__(self, *args, **kwargs):
        from .forms import sort_by_name

        super().__init__(*args, **kwargs)
        sort_by_name(self.form.fields["province"])

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(assigned_to=self.request.user if self.request else None)
