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

        from .models import Narrative

        def consented(complaint):
            # Read from the loaded values only: a deferred field must not load itself here.
            values = complaint.__dict__
            if "consent_publish" not in values or "anonymised_at" not in values:
                return None
            return bool(values["consent_publish"] and not values["anonymised_at"])

        def remember_consent(sender, instance, **kwargs):
            instance._narratives_consented = consented(instance)

        def consent_changed(sender, instance, created, **kwargs):
            # Only when a saved consent ends: no query on any other save of a complaint.
            was = getattr(instance, "_narratives_consented", None)
            if not created and was and consented(instance) is False:
                from .services import withdraw_if_consent_ended

                withdraw_if_consent_ended(instance)
            instance._narratives_consented = consented(instance)

        # A withdrawn publishing consent (or erased personal data) takes the narrative down;
        # the public reads also check the consent (selectors.listed), for bulk updates.
        uid = "narratives:consent"
        post_init.connect(remember_consent, sender=Complaint, weak=False, dispatch_uid=uid)
        post_save.connect(consent_changed, sender=Complaint, weak=False, dispatch_uid=uid)
        # The public pages are shared from the cache once the portal lists their part.
        part = getattr(public_cache, "NARRATIVES", None)
        if part:
            public_cache.invalidate_on_change(part, Narrative)
