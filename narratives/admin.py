from django.contrib import admin

from portal.admin_mixins import FoldedSearchMixin, ScopedAdminMixin

from .models import Narrative


@admin.register(Narrative)
class NarrativeAdmin(ScopedAdminMixin, FoldedSearchMixin, admin.ModelAdmin):
    """Read-only: the staff pages draft, review and publish, with the consent checked."""

    list_display = ("title", "status", "province", "sector", "business_name", "published_at")
    list_filter = ("status", "sector")
    list_select_related = ("province", "sector")
    fields = (
        "complaint",
        "status",
        "title",
        "text",
        "outcome",
        "business",
        "business_name",
        "sector",
        "province",
        "received_month",
        "created_by",
        "created_at",
        "reviewed_by",
        "reviewed_at",
        "published_at",
        "unpublished_at",
        "unpublished_reason",
        "consent_version",
        "consent_text",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
