"""Reads: the public list and page (published narratives only), the staff's list of drafts
and the closed complaints ready for a narrative. Every read runs a constant number of
queries whatever the number of rows."""

from complaints.models import Complaint
from portal.roles import get_actor

from .models import FINAL_STATUSES, Narrative

PUBLIC_ORDER = ("-published_at", "-pk")
# Checked on every public read too: a consent withdrawn, personal data erased or a complaint
# reopened by a bulk update (no signal) still hides the narrative at once.
STILL_PUBLISHABLE = {
    "complaint__consent_publish": True,
    "complaint__consent_publish_version__gt": "",
    "complaint__anonymised_at__isnull": True,
    "complaint__status__in": FINAL_STATUSES,
}


def listed(narrative_filter=None):
    queryset = Narrative.objects.published().filter(**STILL_PUBLISHABLE)
    if narrative_filter is not None:
        narrative_filter.is_valid()
        queryset = narrative_filter.filter_queryset(queryset)
    return queryset.select_related("sector", "province", "business").order_by(*PUBLIC_ORDER)


def published(pk):
    """One published narrative, or DoesNotExist (the view answers 404)."""
    queryset = Narrative.objects.published().filter(**STILL_PUBLISHABLE)
    return queryset.select_related("sector", "province", "business").get(pk=pk)


def managed(user, status=""):
    """The narratives of the provinces ``user`` handles, newest first."""
    queryset = Narrative.objects.visible_to(user).select_related("sector", "province")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-updated_at", "-pk")


def ready_complaints(user, limit=50):
    """Closed complaints of the user's provinces whose consumer consented to publishing and
    that have no narrative yet: where a draft can start."""
    actor = get_actor(user)
    queryset = Complaint.objects.filter(
        status__in=FINAL_STATUSES,
        consent_publish=True,
        consent_publish_version__gt="",
        anonymised_at__isnull=True,
        narrative__isnull=True,
    )
    if not actor.is_authority:
        queryset = queryset.filter(province_id__in=actor.province_ids)
    return list(
        queryset.select_related("sector")
        .only("pk", "code", "business_name", "status", "closed_at", "received_at", "sector")
        .order_by("-closed_at", "-pk")[:limit]
    )
