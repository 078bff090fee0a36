"""Criteria sets (versioned data), assessments, answers, evidence, review history."""

import base64
import hashlib
import io

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import CASCADE, SET_NULL, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.attachments import Attachment
from portal.fields import fk, sector_fk, user_fk
from portal.models import Business
from portal.pdf import StoredPdf
from portal.roles import get_actor
from portal.text import nfc

EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
# Printed across every page of an assessment PDF that is not a verified result.
DRAFT_WATERMARK = _("DRAFT — NOT VALID AS A CONFIRMATION")


def _qr_data_uri(url):
    import qrcode

    image = qrcode.make(url, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def incomplete_flag(**extra):
    """Whether the published text (of a set, group or criterion) was cut off or not found."""
    return models.BooleanField(_("published text incomplete"), default=False, **extra)


class NormalisedText(models.Model):
    """Stores its typed text in NFC: ``title_field`` also stripped, ``text_fields`` as
    typed (Vietnamese typed on different systems compares equal)."""

    title_field = "title"
    text_fields = ("description",)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        setattr(self, self.title_field, nfc(getattr(self, self.title_field)).strip())
        for name in self.text_fields:
            setattr(self, name, nfc(getattr(self, name)))
        super().save(*args, **kwargs)


class CriteriaSetQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=CriteriaSet.Status.ACTIVE)

    def visible_to(self, user):
        # Criteria sets are public documents; drafts only for ministry staff.
        if get_actor(user).is_ministry:
            return self.all()
        return self.exclude(status=CriteriaSet.Status.DRAFT)


class CriteriaSet(NormalisedText):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    class Origin(models.TextChoices):
        OFFICIAL = "official", _("Published criteria of the programme")
        PORTAL = "portal", _("Made by the portal for practice")

    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveSmallIntegerField(pgettext_lazy("criteria set", "version"), default=1)
    title = models.CharField(_("title"), max_length=255)
    title_en = models.CharField(_("English title"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    sector = sector_fk("criteria_sets")
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.OFFICIAL
    )
    is_practice = models.BooleanField(
        _("practice only"),
        default=False,
        help_text=_("A practice set gives an instant result and is never submitted for review."),
    )
    is_incomplete = incomplete_flag(
        help_text=_("Parts of the published criteria were cut off or not found.")
    )
    pass_min_percent = models.DecimalField(
        _("minimum percentage to pass"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Leave empty when the threshold has not been published."),
    )
    source = models.TextField(_("source"), blank=True, help_text=_("One address per line."))
    note = models.TextField(_("note"), blank=True)
    previous = fk("self", _("previous version"), "next_versions", optional=True, on_delete=SET_NULL)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CriteriaSetQuerySet.as_manager()
    # Who changed a set's wording or points, and when (DESIGN §7).
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")
        ordering = ["is_practice", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="criteriaset_code_version"),
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    @property
    def is_frozen(self):
        """A set that has assessments is frozen: changes go into a new version."""
        if self.pk is None:
            return False
        return self.assessments.exists()

    @property
    def source_lines(self):
        return [line.strip() for line in self.source.splitlines() if line.strip()]


def part_of_set(related_name, **extra):
    """The foreign key of a band, group or criterion to its set (deleted with it)."""
    return fk(CriteriaSet, _("criteria set"), related_name, on_delete=CASCADE, **extra)


def code_unique_in_set(name):
    return models.UniqueConstraint(fields=["criteria_set", "code"], name=name)


class Band(models.Model):
    """A result band of a set: the highest band whose minimum the percentage reaches."""

    criteria_set = part_of_set("bands")
    code = models.SlugField(_("code"), max_length=30)
    label = models.CharField(_("label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=100, blank=True)
    min_percent = models.DecimalField(
        _("minimum percentage"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("band")
        verbose_name_plural = _("bands")
        ordering = ["criteria_set", "-min_percent"]
        constraints = [code_unique_in_set("band_code_per_set")]

    def __str__(self):
        return self.display_label

    @property
    def display_label(self):
        if (get_language() or "vi").startswith("en") and self.label_en:
            return self.label_en
        return self.label


class CriteriaGroupQuerySet(models.QuerySet):
    def visible_to(self, user):
        # The groups of the sets the user may see (drafts: ministry staff only).
        return self.filter(criteria_set__in=CriteriaSet.objects.visible_to(user))


class CriteriaGroup(NormalisedText):
    criteria_set = part_of_set("groups")
    code = models.CharField(_("code"), max_length=30)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    points = models.PositiveIntegerField(
        _("published points of the group"),
        null=True,
        blank=True,
        help_text=_("Shown for information; the score adds up the criteria."),
    )
    is_incomplete = incomplete_flag()
    source = models.TextField(_("source"), blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = CriteriaGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("criteria group")
        verbose_name_plural = _("criteria groups")
        ordering = ["criteria_set", "order", "pk"]
        constraints = [code_unique_in_set("group_code_per_set")]

    def __str__(self):
        return f"{self.code}. {self.title}"


class Criterion(NormalisedText):
    title_field = "text"
    text_fields = ("guidance",)

    class Kind(models.TextChoices):
        SCREENING = "screening", _("Screening (pass/fail)")
        YES_NO = "yes_no", _("Yes/no with points")
        PLAN_EVIDENCE = "plan_evidence", _("Plan and evidence")

    criteria_set = part_of_set("criteria", editable=False)
    group = fk(CriteriaGroup, _("group"), "criteria", on_delete=CASCADE)
    code = models.CharField(_("code"), max_length=30)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("text"))
    guidance = models.TextField(_("guidance"), blank=True)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.YES_NO)
    points = models.PositiveIntegerField(
        _("points"), null=True, blank=True, help_text=_("Empty when not published.")
    )
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    source = models.TextField(_("source"), blank=True)
    is_incomplete = incomplete_flag()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["group__order", "order", "pk"]
        constraints = [code_unique_in_set("criterion_code_per_set")]

    def __str__(self):
        return f"{self.code} {self.text[:60]}"

    def save(self, *args, **kwargs):
        self.criteria_set_id = self.group.criteria_set_id
        super().save(*args, **kwargs)

    @property
    def choices(self):
        return ANSWER_CHOICES[self.kind]


class AnswerValue(models.TextChoices):
    PASS = "pass", _("Met")
    FAIL = "fail", _("Not met")
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NONE = "none", _("No plan")
    PLAN = "plan", _("Plan adopted, not yet applied")
    IMPLEMENTED = "implemented", _("Plan applied, with evidence")


ANSWER_CHOICES = {
    Criterion.Kind.SCREENING: [AnswerValue.PASS, AnswerValue.FAIL],
    Criterion.Kind.YES_NO: [AnswerValue.YES, AnswerValue.NO],
    Criterion.Kind.PLAN_EVIDENCE: [AnswerValue.NONE, AnswerValue.PLAN, AnswerValue.IMPLEMENTED],
}


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Members see their businesses' assessments; officers see submitted ones in their
        province (ministry: all). A draft stays private to the business."""
        actor = get_actor(user)
        own = Q(business_id__in=actor.business_ids)
        if actor.is_ministry:
            return self.filter(own | Q(first_submitted_at__isnull=False))
        if actor.is_province_officer:
            return self.filter(
                own
                | Q(first_submitted_at__isnull=False, business__province_id__in=actor.province_ids)
            )
        if actor.business_ids:
            return self.filter(own)
        return self.none()

    def public(self):
        return self.filter(is_public=True)


class Assessment(StoredPdf):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted, awaiting review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    EDITABLE = (Status.DRAFT, Status.CHANGES_REQUESTED)
    REVIEWABLE = (Status.SUBMITTED,)

    business = fk(Business, _("business"), "assessments", on_delete=CASCADE)
    criteria_set = fk(CriteriaSet, _("criteria set"), "assessments")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_by = user_fk(_("started by"))
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = user_fk(_("decided by"))
    # Written only by services.refresh_score from scoring.compute_score, so that lists,
    # filters and report figures can aggregate in the database.
    total_points = models.DecimalField(
        _("points"), max_digits=8, decimal_places=2, default=0, editable=False
    )
    max_points = models.DecimalField(
        _("maximum points"), max_digits=8, decimal_places=2, default=0, editable=False
    )
    percent = models.DecimalField(
        _("percentage"), max_digits=5, decimal_places=2, default=0, editable=False
    )
    screening_passed = models.BooleanField(_("screening passed"), null=True, editable=False)
    band = fk(Band, _("band"), "+", optional=True, on_delete=SET_NULL, editable=False)
    # The business's latest decided assessment, when verified: the public result.
    is_public = models.BooleanField(
        pgettext_lazy("assessment", "published"), default=False, editable=False
    )
    pdf_issued_at = models.DateTimeField(_("result issued"), null=True, editable=False)
    # What was open about the business when the officer verified it (record.signals_snapshot):
    # counts only, shown with the public result; empty for results verified before.
    signals_at_verification = models.JSONField(
        _("open signals when verified"), null=True, blank=True, editable=False
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["is_public", "business"]),
            models.Index(fields=["business", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.business.name} · {self.criteria_set.title}"

    def get_absolute_url(self):
        return reverse("selfassess:detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    # --- The result PDF (portal.pdf) ---------------------------------------------------

    pdf_template = "selfassess/pdf/result.html"

    @property
    def content_version(self):
        """Changes whenever what the result PDF shows changes: the status and score, the
        last event, the answers, and the business's and set's printed details."""
        last_event = self.events.order_by("-at", "-pk").values_list("pk", flat=True).first()
        answers = self.answers.exclude(value="").aggregate(
            n=models.Count("pk"), last=models.Max("updated_at")
        )
        business, criteria_set = self.business, self.criteria_set
        shown = (
            self.status,
            self.total_points,
            self.max_points,
            self.percent,
            self.screening_passed,
            self.band_id,
            self.decided_at,
            last_event,
            answers["n"],
            answers["last"],
            business.name,
            business.tax_code,
            business.address,
            criteria_set.title,
            criteria_set.version,
            criteria_set.year,
        )
        digest = hashlib.sha256(repr(shown).encode()).digest()
        return int.from_bytes(digest[:7], "big")

    def public_url(self):
        return settings.SITE_URL + reverse(
            "businesses:detail", kwargs={"tax_code": self.business.tax_code}
        )

    @property
    def pdf_is_result(self):
        """Only a verified assessment prints as a result, on the letterhead with its band
        and QR code (DESIGN.md §10); every other status prints as a watermarked draft."""
        return self.status == self.Status.VERIFIED

    def pdf_context(self):
        from .selectors import score_of

        context = {
            "assessment": self,
            "business": self.business,
            "criteria_set": self.criteria_set,
            "score": score_of(self),
            "is_result": self.pdf_is_result,
            "watermark": DRAFT_WATERMARK,
            "issued_at": timezone.localtime(self.pdf_issued_at or timezone.now()),
        }
        if self.pdf_is_result:
            url = self.public_url()
            context.update(public_url=url, qr=_qr_data_uri(url))
        return context

    def pdf_download_name(self):
        """``tu-danh-gia-<business>-<year>.pdf``: the year it was decided or sent, the
        number of a draft (which has no year of its own yet)."""
        from portal.pdf import pdf_name

        moment = self.decided_at or self.submitted_at
        year = timezone.localdate(moment).year if moment else None
        return pdf_name("tu-danh-gia", self.business.name, year or self.pk)

    def store_pdf(self):
        """Render and store the PDF, with the time it was issued."""
        self.pdf_issued_at = timezone.now()
        super().store_pdf()
        type(self).objects.filter(pk=self.pk).update(pdf_issued_at=self.pdf_issued_at)
        return self


class Answer(models.Model):
    assessment = fk(Assessment, _("assessment"), "answers", on_delete=CASCADE)
    criterion = fk(Criterion, _("criterion"), "answers")
    value = models.CharField(
        _("answer"), max_length=15, choices=AnswerValue.choices, blank=True, default=""
    )
    note = models.TextField(_("explanation"), blank=True, max_length=4000)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = user_fk(_("updated by"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="answer_one_per_criterion"
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.value or '—'}"


class Evidence(Attachment):
    upload_prefix = "selfassess"
    upload_kinds = "documents"
    max_upload_bytes = EVIDENCE_MAX_BYTES

    assessment = fk(Assessment, _("assessment"), "evidence", on_delete=CASCADE)
    criterion = fk(Criterion, _("criterion"), "evidence")

    class Meta(Attachment.Meta):
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")


class AssessmentEvent(models.Model):
    """The history of an assessment: who did what, when, with the reason given."""

    class Kind(models.TextChoices):
        STARTED = "started", _("Started")
        SUBMITTED = "submitted", pgettext_lazy("assessment event", "Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    assessment = fk(Assessment, _("assessment"), "events", on_delete=CASCADE)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    actor = user_fk(_("by"))
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.TextField(_("comment"), blank=True)
    percent = models.DecimalField(
        _("percentage at the time"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%d/%m/%Y %H:%M}"


class ReviewComment(models.Model):
    """An officer's comment on one criterion, attached to the review decision."""

    event = fk(AssessmentEvent, _("review"), "comments", on_delete=CASCADE)
    criterion = fk(Criterion, _("criterion"), "+")
    text = models.TextField(_("comment"), max_length=4000)

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        ordering = ["event", "criterion__group__order", "criterion__order"]

    def __str__(self):
        return self.text[:60]
