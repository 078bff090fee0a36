from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.contributions import ReportSection


class ConsumerWarningsConfig(AppConfig):
    name = "consumer_warnings"
    verbose_name = _("Warnings and recalls")

    # What the part gives the home page and the annual reports (portal.contributions).
    demo_command = ("demo_consumer_warnings", 10)
    home_block = ("consumer_warnings.selectors.home_block", 10)
    report_section = ReportSection(
        name="consumer_warnings",
        keys=("issued", "recalls", "by_kind"),
        figures="consumer_warnings.selectors.report_figures",
        figures_by_province="consumer_warnings.selectors.report_figures_by_province",
        order=30,
    )

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
