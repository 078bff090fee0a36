from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.contributions import ReportSection

# The figures the part gives the annual reports, in display order.
REPORT_KEYS = ("received", "handled", "handled_on_time", "by_status", "by_sector", "by_channel")


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    portal_permissions = {
        "ministry": [
            "complaints.view_complaint",
            "complaints.change_complaint",
            "complaints.view_complaintevent",
            "complaints.view_complaintstep",
            "complaints.view_attachment",
            "complaints.view_accesslog",
            "complaints.view_issuecategory",
            "complaints.add_issuecategory",
            "complaints.change_issuecategory",
        ],
        "province": [
            "complaints.view_complaint",
            "complaints.view_complaintevent",
            "complaints.view_complaintstep",
            "complaints.view_issuecategory",
        ],
    }

    # What the part gives the shared pages, in their order (portal.contributions).
    seed_command = ("seed_complaints", 10)
    demo_command = ("demo_complaints", 30)
    home_block = ("complaints.selectors.home_block", 40)
    report_section = ReportSection("complaints", REPORT_KEYS, order=10)
