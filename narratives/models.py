"""Published narratives (issue #15 item 5): a scrubbed, reviewed account of a closed complaint,
published with the consumer's consent, as the CFPB publishes consumer narratives.

A narrative copies what its public list filters on (business, sector, province, the month
the complaint was received), so the public pages never read a complaint. The text stored
is the scrubbed one only: the review page computes the comparison with the original again
from the complaint, for those who may read it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaints.models import Complaint
from complaints.models import Status as ComplaintStatus
from portal import search
from portal.fields import fk, province_fk, sector_fk, user_fk
from portal.models import Business
from portal.text import nfc

# A complaint whose handling is over with a result a consumer can tell about.
FINAL_STATUSES = (
    ComplaintStatus.RESOLVED,
    ComplaintStatus.UNRESOLVED,
    ComplaintStatus.CLOSED,
    ComplaintStatus.BUSINESS_DECLINED,
)


class NarrativeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Narrative.Status.PUBLISHED)

    def visible_to(self, user):
        """Drafts are read by the officers who handle the complaint's province (the
        authority all of them): an unreviewed draft may still hold personal data."""
        from portal.roles import get_actor

        actor = get_actor(user)
        if actor.is_authority:
            return self.all()
        return self.filter(province_id__in=actor.province_ids)


class Narrative(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")

    complaint = models.OneToOneField(
        Complaint,
        verbose_name=_("complaint"),
        on_delete=models.CASCADE,
        related_name="narrative",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(pgettext_lazy("narrative", "title"), max_length=200)
    # What the scrubber made of the complaint's text, kept to show the reviewer's edits.
    scrubbed_text = models.TextField(_("automatically scrubbed text"), editable=False)
    text = models.TextField(_("text"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=ComplaintStatus.choices)

    # Copied from the complaint for the public filters (no join with complaints).
    business = fk(Business, _("business"), "narratives", optional=True)
    business_name = models.CharField(_("business name"), max_length=255)
    sector = sector_fk("narratives")
    province = province_fk("narratives", current_only=False)
    received_month = models.PositiveIntegerField(_("month received"))

    created_by = user_fk(_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    reviewed_by = user_fk(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    unpublished_at = models.DateTimeField(_("unpublished"), null=True, blank=True)
    unpublished_reason = models.CharField(_("reason for unpublishing"), max_length=255, blank=True)
    # The publishing consent the publication relied on, as the consumer agreed to it.
    consent_version = models.CharField(_("consent version relied on"), max_length=20, blank=True)
    consent_text = models.TextField(_("consent text relied on"), blank=True)

    search_text = models.TextField(editable=False, blank=True, default="")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = NarrativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("published narrative")
        verbose_name_plural = _("published narratives")
        ordering = ["-published_at", "-pk"]
        indexes = [
            # The public list: published, newest first, in the list's whole order (with the
            # id), so a page walks the index and stops instead of sorting every narrative.
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(status="published"),
                name="narrative_published_order",
            ),
            models.Index(fields=["status", "received_month"]),
            models.Index(fields=["status", "province", "published_at"]),
            models.Index(fields=["status", "sector", "published_at"]),
            models.Index(fields=["status", "business", "published_at"]),
            models.Index(fields=["province", "status"]),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.title = nfc(self.title or "").strip()
        self.text = nfc(self.text or "").strip()
        self.business_name = nfc(self.business_name or "").strip()
        self.search_text = search.search_column(self.title, self.business_name, self.text)
        super().save(*args, **kwargs)

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def received_month_label(self):
        return f"{self.received_month % 100:02d}/{self.received_month // 100}"
