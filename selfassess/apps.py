from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
