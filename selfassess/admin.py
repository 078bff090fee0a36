"""Back office: criteria sets edited with inlines (frozen once used), assessments read-only
and scoped like the views."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_mixins import FoldedSearchMixin, ScopedAdminMixin
from portal.errors import InvalidInput

from . import formats, services
from .models import Assessment, AssessmentEvent, Band, CriteriaGroup, CriteriaSet, Criterion


class FrozenInlineMixin:
    """Inlines of a frozen set cannot be added to, changed or deleted."""

    def _frozen(self, obj):
        criteria_set = obj if isinstance(obj, CriteriaSet) else getattr(obj, "criteria_set", None)
        return bool(criteria_set and criteria_set.is_frozen)

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class BandInline(FrozenInlineMixin, admin.TabularInline):
    model = Band
    extra = 0


class GroupInline(FrozenInlineMixin, admin.TabularInline):
    model = CriteriaGroup
    extra = 0
    fields = ("code", "order", "title", "points", "is_incomplete")
    show_change_link = True


class CriterionInline(FrozenInlineMixin, admin.StackedInline):
    model = Criterion
    extra = 0
    fields = (
        ("code", "order", "kind", "points", "evidence_required", "is_incomplete"),
        "text",
        "guidance",
        "legal_basis",
        "source",
    )


@admin.register(CriteriaSet)
class CriteriaSetAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("title", "code", "version", "year", "status", "origin", "is_incomplete")
    list_filter = ("status", "origin", "is_practice", "is_incomplete")
    search_fields = ("code", "title")
    inlines = (BandInline, GroupInline)
    actions = ("make_new_version", "export_yaml", "export_json", "activate", "retire")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return [f.name for f in obj._meta.fields]
        if obj is not None:
            # The status changes only through the Activate and Retire actions, which make
            # the workflow's transitions (selfassess.workflow).
            return ["status"]
        return ()

    @admin.action(description=_("Make a new version (copy as a draft)"), permissions=["change"])
    def make_new_version(self, request, queryset):
        for criteria_set in queryset:
            copy = services.new_version(criteria_set)
            self.message_user(
                request,
                _("Created %(code)s version %(version)s.")
                % {"code": copy.code, "version": copy.version},
                messages.SUCCESS,
            )

    @admin.action(description=_("Export the first selected set as YAML"))
    def export_yaml(self, request, queryset):
        return formats.download(queryset.first(), "yaml")

    @admin.action(description=_("Export the first selected set as JSON"))
    def export_json(self, request, queryset):
        return formats.download(queryset.first(), "json")

    @admin.action(description=_("Activate"), permissions=["change"])
    def activate(self, request, queryset):
        self._set_status(request, queryset, CriteriaSet.Status.ACTIVE)

    @admin.action(description=_("Retire"), permissions=["change"])
    def retire(self, request, queryset):
        self._set_status(request, queryset, CriteriaSet.Status.RETIRED)

    def _set_status(self, request, queryset, status):
        for criteria_set in queryset:
            try:
                services.set_status(criteria_set, status, user=request.user)
            except InvalidInput as exc:
                self.message_user(request, f"{criteria_set}: {exc.messages[0]}", messages.WARNING)


@admin.register(CriteriaGroup)
class CriteriaGroupAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "criteria_set", "order")
    list_filter = (("criteria_set", admin.RelatedOnlyFieldListFilter),)
    scoped_foreign_keys = ("criteria_set",)
    inlines = (CriterionInline,)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.criteria_set.is_frozen:
            return [f.name for f in obj._meta.fields]
        return ()

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.criteria_set.is_frozen:
            return False
        return super().has_delete_permission(request, obj)


class EventInline(admin.TabularInline):
    """The assessment's timeline as the workflow wrote it: shown, never changed here."""

    model = AssessmentEvent
    fields = readonly_fields = ("kind", "at", "actor", "note", "percent")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(FoldedSearchMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("business", "criteria_set", "status", "percent", "band", "submitted_at")
    list_filter = ("status", "criteria_set", "is_public")
    search_column = "business__search_text"
    search_exact = ("business__tax_code",)
    list_select_related = ("business", "criteria_set", "band")
    inlines = (EventInline,)
    readonly_fields = (
        "business",
        "criteria_set",
        "status",
        "created_by",
        "created_at",
        "first_submitted_at",
        "submitted_at",
        "decided_at",
        "decided_by",
        "total_points",
        "max_points",
        "percent",
        "screening_passed",
        "band",
        "is_public",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
