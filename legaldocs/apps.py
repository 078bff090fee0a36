from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.contributions import ReportSection

# The figures the part gives the annual reports, in display order.
REPORT_KEYS = ("added", "by_type")

_MODELS = ("document", "validityevent", "relation", "attachment", "issuingbody", "legalfield")


class LegaldocsConfig(AppConfig):
    name = "legaldocs"
    verbose_name = _("Legal library")

    default_auto_field = "django.db.models.BigAutoField"

    # Librarians are ministry officers: they curate the library in the back office.
    # Province officers may read it there too.
    portal_permissions = {
        "ministry": [
            f"legaldocs.{action}_{model}"
            for model in _MODELS
            for action in ("view", "add", "change", "delete")
        ]
        + ["legaldocs.view_reviewflag", "legaldocs.change_reviewflag"],
        "province": ["legaldocs.view_document"],
    }

    # What the part gives the shared pages, in their order (portal.contributions).
    seed_command = ("seed_legaldocs", 30)
    home_block = ("legaldocs.selectors.home_block", 20)
    # Per province: only what the province's own bodies issued (selectors.report_figures).
    report_section = ReportSection("legaldocs", REPORT_KEYS, order=40)
    api_router = ("legaldocs.api.router", "/")

    def ready(self):
        from portal import public_cache

        from . import models

        public_cache.invalidate_on_change(
            public_cache.LEGALDOCS,
            models.Document,
            models.ValidityEvent,
            models.Relation,
            models.Attachment,
            models.IssuingBody,
            models.LegalField,
        )
