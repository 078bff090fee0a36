from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin_mixins import ScopedAdminMixin

from . import services
from .models import AccessLog, Complaint, ComplaintEvent, ComplaintStep, IssueCategory


@admin.register(IssueCategory)
class IssueCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "sector", "order", "is_active"]
    list_filter = ["sector", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "name_en", "code"]
    prepopulated_fields = {"code": ["name"]}


class EventInline(admin.TabularInline):
    model = ComplaintEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "from_status", "to_status", "visibility", "actor", "message"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class StepInline(admin.TabularInline):
    model = ComplaintStep
    extra = 0
    can_delete = False
    fields = [
        "kind",
        "party",
        "started_on",
        "due_on",
        "completed_at",
        "on_time",
        "overdue_flagged_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("1", _("Overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.overdue()
        return queryset


@admin.register(Complaint)
class ComplaintAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "status",
        "province",
        "sector",
        "business_name",
        "channel",
        "received_at",
        "step_due",
    ]
    list_filter = ["status", OverdueFilter, "channel", "province", "sector", "received_at"]
    list_select_related = ["province", "sector"]
    date_hierarchy = "received_at"
    search_fields = ["code"]
    search_help_text = _("Code, names, business, text (without diacritics is fine)")
    list_per_page = 50
    scoped_foreign_keys = ["business"]
    inlines = [StepInline, EventInline]
    # What filing and the workflow set: the staff pages change these, never the admin.
    readonly_fields = [
        *("code", "status", "channel", "received_at", "user", "created_by"),
        *("current_step", "step_due", "forwarded_at", "handled_at", "closed_at", "is_late"),
        *("rejection_ground", "referred_to", "referred_to_other"),
        *("negotiation_ended_on", "satisfied"),
        *("consent_processing", "consent_version", "consent_publish"),
        *("consent_publish_version", "consent_publish_text"),
        *("reopen_requested_at", "reopened_at"),
    ]
    raw_id_fields = ["business", "issue", "assigned_to"]

    def get_queryset(self, request):
        # The admin is a staff page: not an officer's own complaint as a consumer.
        return super().get_queryset(request).handled_by(request.user)

    def get_search_results(self, request, queryset, search_term):
        return queryset.search(search_term), False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None:
            services.log_access(request, obj, admin=True)
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        # Staff enter complaints through the staff form, which starts the workflow.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["at", "user", "action", "complaint", "detail", "ip_address"]
    list_filter = ["action", "at"]
    list_select_related = ["user", "complaint"]
    search_fields = ["complaint__code", "user__email"]
    readonly_fields = ["at", "user", "action", "complaint", "detail", "ip_address"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
