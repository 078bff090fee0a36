"""Writes: a narrative is drafted from a closed complaint whose consumer consented to
publishing, reviewed and edited by an officer of the complaint's province, then published or
unpublished. Every step checks the consent and the complaint again (it may have changed)."""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint, ComplaintEvent, Visibility
from portal import public_cache
from portal.errors import InvalidInput, InvalidTransition, NotAllowed
from portal.roles import as_actor

from . import scrub
from .models import FINAL_STATUSES, Narrative

NOT_CLOSED = _(
    "This complaint is still being handled: a narrative can be published only once it is closed."
)
NO_CONSENT = _(
    "The consumer has not consented to publishing a summary of this complaint (or has "
    "withdrawn the consent): it cannot be published."
)
ALREADY_DRAFTED = _("This complaint already has a narrative.")
NOT_DRAFT = _("Only a narrative that is not published can be edited; unpublish it first.")
NOT_PUBLISHED = _("This narrative is not published.")
ALREADY_PUBLISHED = _("This narrative is already published.")
STILL_PERSONAL = _(
    "The text still contains the consumer's own details (%(kinds)s): remove them before publishing."
)
EMPTY_TEXT = _("Write the narrative's text before publishing it.")

# What the scrubber finds of the complainant's own details, named for the message above.
KIND_LABELS = {
    scrub.NAME: _("name"),
    scrub.PHONE: _("phone number"),
    scrub.EMAIL: _("e-mail address"),
    scrub.ADDRESS: _("address"),
}


def bump():
    """The public pages of narratives are out of date (a part of the shared cache when the
    portal lists one: portal.public_cache.NARRATIVES)."""
    public_cache.bump(public_cache.NARRATIVES)


def _check_actor(actor, complaint):
    if not actor.can_handle_complaints_of(complaint.province_id):
        raise NotAllowed(f"narratives: {actor.role} may not act on {complaint.pk}")


REOPEN_ASKED = _(
    "The consumer asked to have this complaint looked at again: publish once that is decided."
)


def _check_publishable(complaint):
    if complaint.status not in FINAL_STATUSES:
        raise InvalidTransition(NOT_CLOSED, code="not_closed")
    # A consent without its version was given under the old wording (before the publishing
    # consent had its own text), which did not describe this use: it does not count.
    if (
        not complaint.consent_publish
        or not complaint.consent_publish_version
        or complaint.anonymised_at
    ):
        raise InvalidInput(NO_CONSENT, code="no_consent")
    if complaint.reopen_requested_at:  # cleared once the officer decides
        # The consumer asked to look at the result again: it may not be the last word.
        raise InvalidTransition(REOPEN_ASKED, code="reopen_asked")


def result_text(complaint):
    """What the handling came to: the public message of the step that closed it."""
    event = (
        ComplaintEvent.objects.filter(
            complaint=complaint,
            kind=ComplaintEvent.Kind.STATUS,
            to_status__in=FINAL_STATUSES,
            visibility=Visibility.PUBLIC,
        )
        .exclude(message="")
        .order_by("-created_at", "-pk")
        .first()
    )
    return event.message if event else ""


def source_text(complaint):
    """The complaint's own account, in the sections a narrative shows (Vietnamese: the
    narratives are published in the language of the complaints)."""
    with translation.override("vi"):
        sections = [
            (gettext("What happened"), complaint.description),
            (gettext("What the consumer asked for"), complaint.request),
            (gettext("Result"), result_text(complaint)),
        ]
    return "\n\n".join(f"{title}:\n{body.strip()}" for title, body in sections if body.strip())


def scrubbed(complaint):
    """The scrubber's :class:`~narratives.scrub.Result` of the complaint's account."""
    return scrub.scrub(
        source_text(complaint),
        known=scrub.complaint_known(complaint),
        keep=scrub.complaint_keep(complaint),
    )


def default_title(complaint):
    with translation.override("vi"):
        return gettext("%(sector)s: a complaint about %(business)s") % {
            "sector": complaint.sector.display_name if complaint.sector_id else gettext("Other"),
            "business": complaint.business_name,
        }


@transaction.atomic
def create_draft(complaint, *, actor):
    """A draft narrative of ``complaint``, its text scrubbed automatically."""
    actor = as_actor(actor)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _check_actor(actor, complaint)
    _check_publishable(complaint)
    if Narrative.objects.filter(complaint=complaint).exists():
        raise InvalidTransition(ALREADY_DRAFTED, code="exists")
    text = scrubbed(complaint).text
    return Narrative.objects.create(
        complaint=complaint,
        title=default_title(complaint),
        scrubbed_text=text,
        text=text,
        outcome=complaint.status,
        business_id=complaint.business_id,
        business_name=complaint.business_name,
        sector_id=complaint.sector_id,
        province_id=complaint.province_id,
        received_month=complaint.received_month,
        created_by_id=actor.user_id,
    )


def _locked(narrative, actor):
    actor = as_actor(actor)
    narrative = (
        Narrative.objects.select_for_update().select_related("complaint").get(pk=narrative.pk)
    )
    _check_actor(actor, narrative.complaint)
    return narrative, actor


@transaction.atomic
def edit(narrative, *, actor, title, text):
    narrative, actor = _locked(narrative, actor)
    if narrative.is_published:
        raise InvalidTransition(NOT_DRAFT, code="published")
    narrative.title = title
    narrative.text = text
    narrative.save()
    return narrative


def personal_left(narrative):
    """The kinds of the complainant's own details still in the narrative (their whole name,
    phone, e-mail or address): a reviewer's last check before publishing."""
    found = scrub.known_finds(
        f"{narrative.title}\n{narrative.text}",
        scrub.complaint_known(narrative.complaint),
        whole_only=True,
    )
    kinds = {find.kind for find in found}
    return [kind for kind in KIND_LABELS if kind in kinds]


@transaction.atomic
def publish(narrative, *, actor):
    """Publish the reviewed narrative: only a closed complaint, only with the consumer's
    publishing consent still given, and never with the consumer's own details left in."""
    narrative, actor = _locked(narrative, actor)
    if narrative.is_published:
        raise InvalidTransition(ALREADY_PUBLISHED, code="published")
    complaint = narrative.complaint
    _check_publishable(complaint)
    if not narrative.text:
        raise InvalidInput({"text": [EMPTY_TEXT]})
    left = personal_left(narrative)
    if left:
        kinds = ", ".join(str(KIND_LABELS[kind]) for kind in left)
        raise InvalidInput({"text": [STILL_PERSONAL % {"kinds": kinds}]})
    now = timezone.now()
    narrative.status = Narrative.Status.PUBLISHED
    narrative.reviewed_by_id = actor.user_id
    narrative.reviewed_at = now
    narrative.published_at = now
    narrative.unpublished_at = None
    narrative.unpublished_reason = ""
    narrative.outcome = complaint.status
    narrative.consent_version = complaint.consent_publish_version
    narrative.consent_text = complaint.consent_publish_text
    narrative.save()
    bump()
    return narrative


@transaction.atomic
def unpublish(narrative, *, actor, reason=""):
    narrative, actor = _locked(narrative, actor)
    if not narrative.is_published:
        raise InvalidTransition(NOT_PUBLISHED, code="not_published")
    _take_down(narrative, reason)
    return narrative


def _take_down(narrative, reason):
    narrative.status = Narrative.Status.UNPUBLISHED
    narrative.unpublished_at = timezone.now()
    narrative.unpublished_reason = reason[:255]
    narrative.save()
    bump()


def take_down_for(complaint):
    """When a complaint's publishing consent is withdrawn, its personal data erased or the
    complaint reopened, its published narrative comes down at once (called when the
    complaint is saved)."""
    with translation.override("vi"):
        if complaint.consent_publish and not complaint.anonymised_at:
            reason = gettext("The complaint was reopened.")
        else:
            reason = gettext("The consumer withdrew the consent to publish.")
    for narrative in Narrative.objects.filter(
        complaint_id=complaint.pk, status=Narrative.Status.PUBLISHED
    ):
        _take_down(narrative, reason)
