from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.contributions import ReportSection

# The figures the part gives the annual reports, in display order.
REPORT_KEYS = ("issued", "recalls", "by_kind")


def view_permissions(*models):
    return [f"consumer_warnings.view_{model}" for model in models]


class ConsumerWarningsConfig(AppConfig):
    name = "consumer_warnings"
    verbose_name = _("Warnings and recalls")

    # Read-only in the admin: warnings are drafted and published on the staff pages.
    portal_permissions = {
        "ministry": view_permissions("consumerwarning", "warningevent", "subscription", "delivery"),
        "province": view_permissions("consumerwarning", "warningevent"),
    }

    # What the part gives the shared pages, in their order (portal.contributions).
    seed_command = ("seed_consumer_warnings", 40)
    demo_command = ("demo_consumer_warnings", 10)
    home_block = ("consumer_warnings.selectors.home_block", 10)
    report_section = ReportSection("consumer_warnings", REPORT_KEYS, order=30)
    api_router = ("consumer_warnings.api.router", "/")

    def ready(self):
        from portal import public_cache

        from .models import ConsumerWarning, WarningPhoto

        # The public list and pages change with every published, corrected or withdrawn
        # warning (drafts bump too: cheap, and never stale).
        public_cache.invalidate_on_change(public_cache.WARNINGS, ConsumerWarning, WarningPhoto)
