from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
