from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NarrativesConfig(AppConfig):
    name = "narratives"
    verbose_name = _("Published narratives")

    # Read-only in the admin: narratives are drafted, reviewed and published on the staff
    # pages, where the consent and the complaint's state are checked.
    portal_permissions = {
        "ministry": ["narratives.view_narrative"],
        "province": ["narratives.view_narrative"],
    }

    def ready(self):
        from django.db.models.signals import post_init, post_save

        from complaints.models import Complaint
        from portal import public_cache

        from .models import FINAL_STATUSES, Narrative

        def publishable(complaint):
            # Read from the loaded values only: a deferred field must not load itself here.
            values = complaint.__dict__
            if any(name not in values for name in ("consent_publish", "anonymised_at", "status")):
                return None
            return bool(
                values["consent_publish"]
                and not values["anonymised_at"]
                and values["status"] in FINAL_STATUSES
            )

        def remember(sender, instance, **kwargs):
            instance._narratives_publishable = publishable(instance)

        def changed(sender, instance, created, **kwargs):
            # Only when a saved complaint stops being publishable (consent withdrawn, data
            # erased, reopened): no query on any other save of a complaint.
            was = getattr(instance, "_narratives_publishable", None)
            if not created and was and publishable(instance) is False:
                from .services import take_down_for

                take_down_for(instance)
            instance._narratives_publishable = publishable(instance)

        # The narrative comes down at once; the public reads check the same conditions
        # (selectors.STILL_PUBLISHABLE), for changes made by bulk updates.
        uid = "narratives:publishable"
        post_init.connect(remember, sender=Complaint, weak=False, dispatch_uid=uid)
        post_save.connect(changed, sender=Complaint, weak=False, dispatch_uid=uid)
        public_cache.invalidate_on_change(public_cache.NARRATIVES, Narrative)
