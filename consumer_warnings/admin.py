"""Back office: read-only lists with links to the staff pages, where warnings are drafted,
previewed, published and withdrawn through the services (so every step is recorded)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.admin_mixins import FoldedSearchMixin, ScopedAdminMixin

from .models import ConsumerWarning, Delivery, Subscription, WarningEvent


class ReadOnly:
    """Nothing is added, changed or deleted here: the staff pages do it through the services,
    which record every step."""

    def has_add_permission(self, request, obj=None):
        return False

    has_change_permission = has_delete_permission = has_add_permission


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


class WarningEventInline(ReadOnly, admin.TabularInline):
    model = WarningEvent
    extra = 0
    fields = ("action", "at", "by", "note", "changes")


@admin.register(ConsumerWarning)
class ConsumerWarningAdmin(FoldedSearchMixin, ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("title", "kind", "status", "sector", "risk_level", "published_at", "manage")
    list_filter = ("status", "kind", "risk_level", "hazard", "sector")
    search_exact = ("gtin", "reference_number")
    list_select_related = ("sector",)
    date_hierarchy = "published_at"
    exclude = ("search_text", "body_html")
    inlines = [WarningEventInline]

    @admin.display(description=_("Staff page"))
    def manage(self, obj):
        url = reverse("consumer_warnings:preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open the staff page"))


@admin.register(Subscription)
class SubscriptionAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("email", "status", "sector", "kind", "keyword", "created_at", "confirmed_at")
    list_filter = ("status", "kind", "sector")
    search_fields = ("email",)
    exclude = ("secret",)


@admin.register(Delivery)
class DeliveryAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("subscription", "kind", "warning", "period", "sent_at", "warning_count")
    list_filter = ("kind",)
    list_select_related = ("subscription", "warning")
