from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from . import jobs, services
from .admin_mixins import FoldedSearchMixin, ScopedAdminMixin
from .errors import PortalError
from .models import (
    Agency,
    AnnouncedDay,
    Business,
    JobRun,
    Membership,
    Province,
    Sector,
)
from .roles import get_actor

admin.site.site_header = _("DNVNTD back office")
admin.site.site_title = _("DNVNTD back office")
admin.site.index_title = _("Administration")
# The admin's own login form would skip the second factor: send everyone through allauth.
admin.site.login = secure_admin_login(admin.site.login)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "full_name", "kind", "is_active", "successor")
    list_filter = ("is_active", "kind", "merged_2025")
    search_fields = ("name", "full_name", "code")
    list_select_related = ("successor",)
    readonly_fields = ("code", "slug")
    ordering = ("-is_active", "code", "name")


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "order", "is_active")
    list_editable = ("order", "is_active")
    search_fields = ("name", "name_en", "code")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "province", "email", "phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name", "code")
    list_select_related = ("province",)
    autocomplete_fields = ("province", "parent")


class ProvinceScopedChoicesMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "province":
            actor = get_actor(request.user)
            qs = Province.objects.current()
            if not actor.is_ministry:
                qs = qs.filter(pk__in=actor.province_ids)
            kwargs["queryset"] = qs
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Business)
class BusinessAdmin(
    FoldedSearchMixin, ScopedAdminMixin, ProvinceScopedChoicesMixin, SimpleHistoryAdmin
):
    list_display = ("name", "tax_code", "province", "sector", "created_at")
    list_filter = ("province", "sector")
    search_exact = ("tax_code",)
    list_select_related = ("province", "sector")
    list_per_page = 50
    show_full_result_count = False

    def get_list_filter(self, request):
        if get_actor(request.user).is_ministry:
            return self.list_filter
        return ("sector",)


@admin.register(Membership)
class MembershipAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("user", "organisation_name", "role", "status", "requested_at", "decided_at")
    list_filter = ("status", "role")
    search_fields = ("user__email", "business__name", "business__tax_code", "agency__name")
    list_select_related = ("user", "business", "agency")
    raw_id_fields = ("user", "business", "agency", "decided_by")
    readonly_fields = ("requested_at", "decided_at", "decided_by")
    actions = ("approve", "reject")
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description=_("organisation"))
    def organisation_name(self, obj):
        return obj.business.name if obj.business_id else obj.agency.name

    def has_add_permission(self, request):
        # Memberships are requested by users and decided here; admins add officers.
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        # Officers decide with the actions (which check scope and notify); only admins may
        # edit who belongs where.
        if request.user.is_superuser:
            return self.readonly_fields
        return [f.name for f in self.model._meta.fields if f.name != "decision_note"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.sync_staff_status(obj.user)

    def _decide(self, request, queryset, approve):
        done = 0
        for membership in queryset.filter(status=Membership.Status.PENDING):
            try:
                services.decide_membership(
                    membership=membership,
                    decider=request.user,
                    approve=approve,
                    reason="" if approve else str(_("Refused by an officer in the back office.")),
                )
                done += 1
            except PortalError:  # not allowed, or decided meanwhile: skipped
                continue
        self.message_user(
            request,
            ngettext("%(count)d request decided.", "%(count)d requests decided.", done)
            % {"count": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Approve selected pending requests"))
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Refuse selected pending requests"))
    def reject(self, request, queryset):
        self._decide(request, queryset, approve=False)


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Job runs of the scheduler: what ran, when, how often it was tried and its last
    error. A run held by a worker that died can be released so the next run takes over."""

    list_display = ("name", "key", "state_label", "attempts", "started_at", "finished_at")
    list_filter = ("name", ("finished_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "key")
    readonly_fields = (
        "name",
        "key",
        "started_at",
        "finished_at",
        "expires_at",
        "attempts",
        "error",
        "result",
    )
    actions = ("release_runs",)

    @admin.display(description=_("state"))
    def state_label(self, obj):
        return {
            "finished": _("finished"),
            "running": _("running"),
            "released": _("released, will be retried"),
        }[obj.state]

    def _is_authority(self, request):
        return get_actor(request.user).is_authority

    def has_module_permission(self, request):
        return self._is_authority(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._is_authority(request) and super().has_view_permission(request, obj)

    @admin.action(
        description=_("Release the selected unfinished runs (the next run resumes)"),
        permissions=["release_runs"],
    )
    def release_runs(self, request, queryset):
        count = jobs.release(queryset)
        self.message_user(
            request,
            ngettext("%(count)d run released.", "%(count)d runs released.", count)
            % {"count": count},
        )

    def has_release_runs_permission(self, request):
        return self._is_authority(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AnnouncedDay)
class AnnouncedDayAdmin(SimpleHistoryAdmin):
    """Days off and make-up working days announced on top of the public holidays. The
    authority keeps them (its group's permissions); provinces read them. A day's date and
    kind are fixed once saved: a correction is a withdrawal (delete, kept in the history)
    and a new day, so that each change moves the running deadlines once."""

    list_display = ("date", "kind", "decision_number", "decision_date", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("decision_number", "note")
    date_hierarchy = "date"
    list_select_related = ("created_by",)
    readonly_fields = ("created_by", "created_at")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return ("date", "kind", *fields) if obj is not None else fields

    def _is_authority(self, request):
        return get_actor(request.user).is_authority

    def has_add_permission(self, request):
        return self._is_authority(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._is_authority(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_authority(request) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:  # only the decision and the note can change: no deadline moves
            super().save_model(request, obj, form, change)
        else:
            services.announce_day(obj, user=request.user)

    def delete_model(self, request, obj):
        services.withdraw_day(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.withdraw_day(obj)
