from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Annual reports")

    # Its reference and demo data, loaded after the others' (portal.contributions).
    seed_command = ("seed_reports", 50)
    demo_command = ("demo_reports", 40)

    portal_permissions = {
        "ministry": [
            "reports.view_plan",
            "reports.view_plangroup",
            "reports.view_plantask",
            "reports.change_plantask",
            "reports.view_reportingyear",
            "reports.change_reportingyear",
            "reports.view_unitreport",
            "reports.view_nationalreport",
        ],
        "province": ["reports.view_unitreport"],
    }
