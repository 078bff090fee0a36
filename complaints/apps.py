from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.contributions import ReportSection

# The figures the part gives the annual reports, in display order.
REPORT_KEYS = (
    "received",
    "handled",
    "handled_on_time",
    "steps_on_time",
    "steps_late",
    "by_month",
    "by_status",
    "by_sector",
    "by_channel",
)


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
    api_router = ("complaints.api.router", "/")

    def ready(self):
        from portal import public_cache
        from portal.models import announced_day_changed

        from .models import Complaint, IssueCategory

        announced_day_changed.connect(_announced_day_changed, dispatch_uid="complaints.days")
        # The figures are cached five minutes anyway (selectors.public_statistics): a new
        # version a minute at most is enough while complaints pour in.
        public_cache.invalidate_on_change(
            public_cache.COMPLAINT_STATS, Complaint, IssueCategory, at_most_every=60
        )


def _announced_day_changed(sender, *, day, before, after, change_key, **kwargs):
    # A task after commit: a day may fall in the window of thousands of running steps.
    from portal.jobs import enqueue

    from . import tasks

    enqueue(tasks.recompute_deadlines, day.isoformat(), before or "", after or "", change_key)
