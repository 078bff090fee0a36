from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.contributions import ReportSection

# The figures the part gives the annual reports, in display order.
REPORT_KEYS = ("submitted", "verified", "by_band")


class SelfassessConfig(AppConfig):
    name = "selfassess"
    verbose_name = _("Self-assessment")

    portal_permissions = {
        "ministry": [
            "selfassess.view_criteriaset",
            "selfassess.add_criteriaset",
            "selfassess.change_criteriaset",
            "selfassess.view_criteriagroup",
            "selfassess.add_criteriagroup",
            "selfassess.change_criteriagroup",
            "selfassess.delete_criteriagroup",
            "selfassess.view_criterion",
            "selfassess.add_criterion",
            "selfassess.change_criterion",
            "selfassess.delete_criterion",
            "selfassess.view_band",
            "selfassess.add_band",
            "selfassess.change_band",
            "selfassess.delete_band",
            "selfassess.view_assessment",
            "selfassess.view_assessmentevent",
        ],
        "province": [
            "selfassess.view_criteriaset",
            "selfassess.view_criteriagroup",
            "selfassess.view_criterion",
            "selfassess.view_band",
            "selfassess.view_assessment",
            "selfassess.view_assessmentevent",
        ],
    }

    # What the part gives the shared pages, in their order (portal.contributions).
    demo_command = ("demo_selfassess", 20)
    home_block = ("selfassess.selectors.home_block", 30)
    report_section = ReportSection("selfassess", REPORT_KEYS, order=20)
