from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.contributions import ReportSection


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    # What the part gives the home page and the annual reports (portal.contributions).
    demo_command = ("demo_complaints", 30)
    home_block = ("complaints.selectors.home_block", 40)
    report_section = ReportSection(
        name="complaints",
        keys=("received", "handled", "handled_on_time", "by_status", "by_sector", "by_channel"),
        figures="complaints.selectors.report_figures",
        figures_by_province="complaints.selectors.report_figures_by_province",
        order=10,
    )

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
