from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.contributions import ReportSection

# The figures the part gives the annual reports, in display order.
REPORT_KEYS = ("issued", "recalls", "by_kind")


class ConsumerWarningsConfig(AppConfig):
    name = "consumer_warnings"
    verbose_name = _("Warnings and recalls")

    portal_permissions = {
        "ministry": [
            "consumer_warnings.view_consumerwarning",
            "consumer_warnings.view_warningevent",
            "consumer_warnings.view_subscription",
            "consumer_warnings.view_delivery",
        ],
        "province": [
            "consumer_warnings.view_consumerwarning",
            "consumer_warnings.view_warningevent",
        ],
    }

    # What the part gives the shared pages, in their order (portal.contributions).
    demo_command = ("demo_consumer_warnings", 10)
    home_block = ("consumer_warnings.selectors.home_block", 10)
    report_section = ReportSection("consumer_warnings", REPORT_KEYS, order=30)
