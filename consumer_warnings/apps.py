from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
