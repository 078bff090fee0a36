from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin_mixins import ScopedAdminMixin
from portal.roles import get_actor

from . import services
from .models import NationalReport, Plan, PlanGroup, PlanTask, ReportingYear, UnitReport


def _step(description, function, transition=False):
    """An admin action running one calendar step for the selected years. A step that makes
    a transition is made by the authority officer who clicked, so its history names them.
    A step that finished (after the beat, or a second click) does nothing; one that failed
    is done again."""

    def action(modeladmin, request, queryset):
        kwargs = {"user": request.user} if transition else {}
        done = 0
        for reporting_year in queryset:
            if function(reporting_year, **kwargs) is not None:
                done += 1
        skipped = queryset.count() - done
        if done:
            modeladmin.message_user(
                request,
                ngettext("Done for %(count)d year.", "Done for %(count)d years.", done)
                % {"count": done},
                messages.SUCCESS,
            )
        if skipped:
            modeladmin.message_user(
                request,
                ngettext(
                    "Already done before for %(count)d year: nothing changed.",
                    "Already done before for %(count)d years: nothing changed.",
                    skipped,
                )
                % {"count": skipped},
                messages.INFO,
            )

    action.short_description = description
    action.__name__ = "step_" + function.__name__
    return action


def _remind_now(reporting_year):
    return services.send_unit_reminders(reporting_year, timezone.localdate().strftime("%m-%d"))


def _refresh(reporting_year):
    return services.refresh_figures(reporting_year) or None


class PlanGroupInline(admin.TabularInline):
    model = PlanGroup
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["decision", "first_year", "last_year", "issued_on"]
    inlines = [PlanGroupInline]


@admin.register(PlanTask)
class PlanTaskAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "group", "timeframe", "recurs_annually"]
    list_filter = ["group__plan", "recurs_annually"]
    search_fields = ["code", "title", "lead_text", "cooperating_text"]
    filter_horizontal = ["lead_agencies", "cooperating_agencies"]


class ReportingYearForm(forms.ModelForm):
    """A corrected date carries its source: the deadlines come from a legal text (or the
    portal's convention for the window), so a change says which text or decision moved it."""

    SOURCES = {
        "unit_deadline": "deadline_source",
        "national_deadline": "deadline_source",
        "data_start": "window_source",
        "data_end": "window_source",
    }

    class Meta:
        model = ReportingYear
        fields = [
            "year",
            "plan",
            "data_start",
            "data_end",
            "window_source",
            "unit_deadline",
            "national_deadline",
            "deadline_source",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        for date_field, source_field in self.SOURCES.items():
            if date_field in self.changed_data and source_field not in self.changed_data:
                self.add_error(
                    source_field,
                    _("Say which text or decision sets the corrected date."),
                )
        return cleaned


@admin.register(ReportingYear)
class ReportingYearAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = ReportingYearForm
    list_display = [
        "year",
        "status",
        "data_start",
        "data_end",
        "unit_deadline",
        "national_deadline",
        "opened_at",
        "locked_at",
        "compiled_at",
        "published_at",
    ]
    readonly_fields = ["status", "opened_at", "locked_at", "compiled_at", "published_at"]

    # The calendar and the deadlines are the authority's: other ministry units read them.
    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and get_actor(request.user).is_authority

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not get_actor(request.user).is_authority:
            actions = {name: a for name, a in actions.items() if not name.startswith("step_")}
        return actions

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"data_start", "data_end"} & set(form.changed_data):
            # A new data window: the drafts' figures follow it until the lock.
            services.refresh_figures(obj)

    actions = [
        _step(_("Open the year and create the unit drafts"), services.open_year),
        _step(_("Recompute the figures of the drafts (before the lock)"), _refresh),
        _step(_("Remind units that have not submitted (today)"), _remind_now),
        _step(_("Lock the unit figures"), services.lock_year, transition=True),
        _step(_("Compile the national draft"), services.compile_national, transition=True),
        _step(_("Remind the authority"), services.remind_authority),
        # No "publish" step here: the national report's "Ban hành" page, with its
        # confirmation and the parts it checks, is the one way to publish by hand.
    ]


class MadeByTheCalendarMixin:
    """Unit and national reports are created by the reporting calendar, never by hand."""

    def has_add_permission(self, request):
        return False


@admin.register(UnitReport)
class UnitReportAdmin(MadeByTheCalendarMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["agency", "reporting_year", "status", "is_late", "submitted_at"]
    list_filter = ["reporting_year", "status", "is_late", "agency__kind"]
    search_fields = ["agency__name"]
    list_select_related = ["agency", "reporting_year"]
    readonly_fields = [
        "reporting_year",
        "agency",
        "status",
        "submitted_at",
        "submitted_by",
        "is_late",
        "locked_at",
        "reviewed_at",
        "reviewed_by",
        "review_comment",
    ]
    exclude = ["figures", "snapshot", "pdf"]


@admin.register(NationalReport)
class NationalReportAdmin(MadeByTheCalendarMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["reporting_year", "number", "status", "compiled_at", "published_at"]
    readonly_fields = ["reporting_year", "status", "compiled_at", "published_at"]
    exclude = ["snapshot", "pdf"]

    def get_readonly_fields(self, request, obj=None):
        # A published report is final: what was issued stays as issued.
        if obj is not None and obj.status == NationalReport.Status.PUBLISHED:
            return [f.name for f in obj._meta.fields if f.name not in self.exclude]
        return self.readonly_fields
