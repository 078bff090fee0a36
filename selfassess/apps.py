from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.contributions import ReportSection

# The figures the part gives the annual reports, in display order.
REPORT_KEYS = ("submitted", "verified", "by_band")

MODELS = ("criteriaset", "criteriagroup", "criterion", "band", "assessment", "assessmentevent")


def permissions(actions, *models):
    """The part's permission codes for each of ``actions`` on each of ``models``."""
    return [f"selfassess.{action}_{model}" for model in models for action in actions]


class SelfassessConfig(AppConfig):
    name = "selfassess"
    verbose_name = _("Self-assessment")

    # The criteria are edited in the back office by the ministry; the rest is read-only there.
    portal_permissions = {
        "ministry": [
            *permissions(("view", "add", "change"), "criteriaset"),
            *permissions(("view", "add", "change", "delete"), "criteriagroup", "criterion", "band"),
            *permissions(("view",), "assessment", "assessmentevent"),
        ],
        "province": permissions(("view",), *MODELS),
    }

    # What the part gives the shared pages, in their order (portal.contributions).
    seed_command = ("seed_selfassess", 20)
    demo_command = ("demo_selfassess", 20)
    home_block = ("selfassess.selectors.home_block", 30)
    report_section = ReportSection("selfassess", REPORT_KEYS, order=20)
    api_router = ("selfassess.api.router", "/")

    def ready(self):
        from portal import public_cache

        from . import models

        # Public results show the published assessments with their criteria set and band.
        public_cache.invalidate_on_change(
            public_cache.SELFASSESS,
            models.Assessment,
            models.CriteriaSet,
            models.CriteriaGroup,
            models.Criterion,
            models.Band,
        )
