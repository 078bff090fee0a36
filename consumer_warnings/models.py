"""Warnings and recalls (DESIGN.md §5): the notice, its photos, its dated lifecycle, and the
e-mail subscriptions with one row per message sent."""

import datetime
import re
import secrets

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.fields import WebAddressField, fk, sector_fk, user_fk
from portal.files import PrivateUploadTo, private_storage
from portal.markup import render_markdown
from portal.models import Business, Province
from portal.personal_data import PersonalData
from portal.search import fold, search_column, text_matches
from portal.text import nfc, slugify_vi

from .gtin import gtin_key, normalise_gtin, validate_gtin

# Control characters other than tab and new lines cannot appear in XML feeds.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(value):
    """Drop control characters: they cannot appear in XML (feeds) nor help anyone."""
    return _CONTROL.sub("", str(value or ""))


# Newest first; an imported notice whose original date is unknown has no date and comes
# last (PostgreSQL would put it first: NULLs sort highest there).
NEWEST_FIRST = (F("published_at").desc(nulls_last=True), "-pk")


def notice_moment(day):
    """The date an imported notice is listed by: its own day (09:00, office hours), or
    ``None`` when the source gives none. Never the day it was loaded: that would show an old
    notice as the newest."""
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


class WarningQuerySet(models.QuerySet):
    def listed(self):
        """What the public lists, feeds and exports show: published, not withdrawn."""
        return self.filter(status=ConsumerWarning.Status.PUBLISHED)

    def public(self):
        """What anyone may open: published ones and withdrawn ones (whose page says so)."""
        return self.filter(
            status__in=(ConsumerWarning.Status.PUBLISHED, ConsumerWarning.Status.WITHDRAWN)
        )

    def visible_to(self, user):
        from portal.roles import get_actor

        actor = get_actor(user)
        if actor.is_ministry:
            return self.all()
        public = Q(status__in=(ConsumerWarning.Status.PUBLISHED, ConsumerWarning.Status.WITHDRAWN))
        if actor.is_province_officer:
            return self.filter(public | Q(owner_province_id__in=actor.province_ids))
        return self.filter(public)

    def managed_by(self, user):
        """What a staff member may edit: everything for the ministry, own province's for a
        Sở Công Thương, nothing for anyone else."""
        from portal.roles import get_actor

        actor = get_actor(user)
        if actor.is_ministry:
            return self.all()
        if actor.is_province_officer:
            return self.filter(owner_province_id__in=actor.province_ids)
        return self.none()


class ConsumerWarning(models.Model):
    class Kind(models.TextChoices):
        UNSAFE_PRODUCT = "unsafe_product", _("Unsafe product")
        UNSAFE_SERVICE = "unsafe_service", _("Unsafe service")
        UNSAFE_PRACTICE = "unsafe_practice", _("Unsafe business practice or scam")
        RECALL = "recall", _("Recall")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Hazard(models.TextChoices):
        INJURY = "injury", _("Injury or accident")
        FIRE = "fire", _("Fire or burns")
        ELECTRIC = "electric", _("Electric shock")
        CHEMICAL = "chemical", _("Chemical or toxic substance")
        CHOKING = "choking", _("Choking or suffocation")
        MICROBIOLOGICAL = "microbiological", _("Microbiological contamination")
        HEALTH = "health", _("Other harm to health")
        FINANCIAL = "financial", _("Financial loss or fraud")
        PERSONAL_DATA = "personal_data", _("Misuse of personal data")
        OTHER = "other", _("Other")

    class Risk(models.TextChoices):
        NOT_ASSESSED = "", _("Not assessed")
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        SERIOUS = "serious", _("Serious")

    class Measure(models.TextChoices):
        RECALL = "recall", _("Recall from consumers")
        WITHDRAWAL = "withdrawal", _("Withdrawal from the market")
        STOP_SALE = "stop_sale", _("Sale stopped")
        REFUND = "refund", _("Refund")
        REPAIR = "repair", _("Repair")
        REPLACEMENT = "replacement", _("Replacement")
        WARNING_ONLY = "warning", _("Warning to consumers")

    class DefectGroup(models.TextChoices):
        # Nghị định 55/2024/NĐ-CP: group A can harm life or health, group B property.
        NONE = "", _("Not stated")
        A = "A", _("Group A: can harm life or health")
        B = "B", _("Group B: can harm property")

    HIGH_RISKS = (Risk.HIGH, Risk.SERIOUS)

    # What an officer writes: the text they type (normalised on save) and the values they
    # choose. The form offers these (and the affected provinces); an update lists those
    # that changed, with the responsible business.
    RECALL_TEXT = (
        "defect",
        "risk_description",
        "identification",
        "recall_time_place",
        "remedy",
        "contact",
    )
    TYPED_TEXT = (
        "title",
        "summary",
        "body",
        "product_name",
        "brand",
        "model_number",
        "batch",
        "production_note",
        "quantity",
        "business_name",
        "origin_country",
        "source_agency",
        "reference_number",
        # The recall notice's text (Nghị định 55/2024/NĐ-CP), in the order the form shows it.
        *RECALL_TEXT,
        "how_to_check",
    )
    CHOSEN = (
        "kind",
        "sector",
        "hazard",
        "risk_level",
        "measures",
        "production_from",
        "production_to",
        "gtin",
        "source_url",
        "issued_on",
        "defect_group",
    )
    WRITTEN_FIELDS = CHOSEN + TYPED_TEXT
    # What a recall cannot be published without (Luật 19/2023/QH15 Điều 33 khoản 4;
    # Nghị định 55/2024/NĐ-CP Điều 18–19): the defect group and the whole notice text.
    RECALL_REQUIRED = ("defect_group", *RECALL_TEXT)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=120, editable=False)
    summary = models.TextField(_("summary"), help_text=_("One or two sentences for lists."))
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_("Markdown: **bold**, lists with '-', links as [text](https://…)."),
    )
    body_html = models.TextField(editable=False, blank=True, default="")

    # Product identity.
    product_name = models.CharField(_("product or service name"), max_length=255, blank=True)
    brand = models.CharField(_("brand"), max_length=120, blank=True)
    model_number = models.CharField(_("model or type"), max_length=255, blank=True)
    batch = models.CharField(_("batch, lot or serial numbers"), max_length=255, blank=True)
    production_from = models.DateField(_("produced from"), null=True, blank=True)
    production_to = models.DateField(_("produced until"), null=True, blank=True)
    production_note = models.CharField(
        _("production period (as stated)"), max_length=255, blank=True
    )
    gtin = models.CharField(
        _("barcode (GTIN)"),
        max_length=14,
        blank=True,
        validators=[validate_gtin],
        help_text=_("The 8, 12, 13 or 14 digits under the barcode."),
    )
    gtin_key = models.CharField(max_length=14, blank=True, default="", editable=False)
    quantity = models.CharField(_("quantity affected"), max_length=120, blank=True)

    sector = sector_fk("consumer_warnings", optional=False)
    hazard = models.CharField(_("hazard"), max_length=20, choices=Hazard.choices)
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=Risk.choices, blank=True, default=""
    )
    measures = models.JSONField(_("measures taken"), default=list, blank=True)

    business = fk(
        Business,
        _("responsible business (registered)"),
        "consumer_warnings",
        optional=True,
        on_delete=models.SET_NULL,
    )
    business_name = models.CharField(_("responsible business"), max_length=255, blank=True)
    origin_country = models.CharField(_("country of origin"), max_length=100, blank=True)
    provinces = models.ManyToManyField(
        Province,
        verbose_name=_("affected provinces"),
        blank=True,
        related_name="consumer_warnings",
        help_text=_("Leave empty when the whole country is affected."),
    )
    owner_province = fk(
        Province,
        _("issued by the department of"),
        "+",
        optional=True,
        help_text=_("Empty for warnings issued by the ministry."),
    )

    source_agency = models.CharField(_("issuing body"), max_length=255, blank=True)
    reference_number = models.CharField(_("reference number"), max_length=120, blank=True)
    source_url = WebAddressField(_("source"), max_length=500, blank=True)
    source_note = models.TextField(_("note on the source"), blank=True)
    issued_on = models.DateField(_("date of the notice"), null=True, blank=True)
    imported = models.BooleanField(
        _("imported from an earlier notice"),
        default=False,
        editable=False,
        help_text=_(
            "Loaded from the reference data: listed by the notice's own date, or last and "
            "without a date when the source gives none."
        ),
    )

    # Fields a recall notice must carry (Luật 19/2023 Điều 33; Nghị định 55/2024 Điều 18–19).
    defect_group = models.CharField(
        _("defect group"), max_length=1, choices=DefectGroup.choices, blank=True, default=""
    )
    defect = models.TextField(_("defect and its cause"), blank=True)
    risk_description = models.TextField(_("risk of harm"), blank=True)
    identification = models.TextField(_("how to identify the product"), blank=True)
    recall_time_place = models.TextField(_("time, place and method of the recall"), blank=True)
    remedy = models.TextField(_("time and method of the remedy"), blank=True)
    contact = models.TextField(_("contact"), blank=True)
    how_to_check = models.TextField(
        _("how to check your product"),
        blank=True,
        help_text=_("Plain steps for consumers: where to look, what to compare, what to do."),
    )

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = user_fk(_("created by"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated after publication"), null=True, blank=True)
    update_note = models.TextField(_("what changed"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    # PostgreSQL: search_text's words, stored and indexed (migration 0011); the model does
    # not declare the generated column, ``portal.search.matching`` reads it from here.
    search_vectors = {"search_text": "search_vector"}

    objects = WarningQuerySet.as_manager()

    # Where the public asks about the notice: the issuer's or the business's desk.
    personal_data = PersonalData(not_personal=("contact",))

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = list(NEWEST_FIRST)
        indexes = [
            models.Index(fields=["status", "-published_at"], name="cw_status_published"),
            models.Index(fields=["gtin_key"], name="cw_gtin_key"),
            # cw_listed_newest (PostgreSQL, migration 0010): the public list's order.
        ]
        constraints = [
            # Only an imported notice whose source gives no date goes public without one.
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False) | Q(imported=True),
                name="cw_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="cw_withdrawn_has_date",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.prepare()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("consumer_warnings:detail", args=[self.pk, self.slug])

    def prepare(self):
        """Normalise text and derive the slug, barcode key, HTML and folded search copy.
        Called by ``save`` and by bulk loaders that bypass it."""
        for name in (*self.TYPED_TEXT, "update_note", "source_note", "withdrawal_reason"):
            setattr(self, name, printable(nfc(getattr(self, name) or "")).strip())
        self.slug = slugify_vi(self.title, max_length=100) or "canh-bao"
        self.gtin = normalise_gtin(self.gtin)
        self.gtin_key = gtin_key(self.gtin)
        self.body_html = render_markdown(self.body)
        self.search_text = search_column(
            self.title,
            self.summary,
            self.product_name,
            self.brand,
            self.model_number,
            self.batch,
            self.business_name,
            self.gtin,
            self.reference_number,
            self.body,
        )

    @property
    def original_date_unknown(self):
        """An imported notice whose source gives no date: it says so instead of a date."""
        return self.imported and self.status != self.Status.DRAFT and self.published_at is None

    def missing_from_recall_notice(self):
        """The fields a recall notice must give (Luật 19/2023/QH15 Điều 33 khoản 4: the
        time and method of the remedy among them; Nghị định 55/2024/NĐ-CP: the defect
        group) that this one leaves empty. Empty for anything but a recall."""
        if not self.is_recall:
            return []
        return [name for name in self.RECALL_REQUIRED if not (getattr(self, name) or "").strip()]

    @property
    def is_recall(self):
        return self.kind == self.Kind.RECALL

    @property
    def is_about_product(self):
        return self.kind in (self.Kind.UNSAFE_PRODUCT, self.Kind.RECALL)

    @property
    def is_high_risk(self):
        return self.risk_level in self.HIGH_RISKS

    @property
    def measure_labels(self):
        labels = dict(self.Measure.choices)
        return [labels.get(m, m) for m in self.measures or []]

    @property
    def responsible(self):
        return self.business.name if self.business_id else self.business_name


class WarningPhoto(models.Model):
    """A photo re-encoded on upload (resized, metadata dropped). Stored privately and
    served through a view that checks the warning is public or in the staff's scope."""

    warning = fk(ConsumerWarning, _("warning"), "photos", on_delete=models.CASCADE)
    image = models.FileField(
        _("photo"), upload_to=PrivateUploadTo("warnings"), storage=private_storage
    )
    alt_text = models.CharField(_("description of the photo"), max_length=255, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.alt_text or self.image.name

    def get_absolute_url(self):
        return reverse("consumer_warnings:photo", args=[self.pk])


class WarningEvent(models.Model):
    """One dated step of the lifecycle, kept for ever: who, when, what changed."""

    class Action(models.TextChoices):
        DRAFTED = "drafted", _("Drafted")
        EDITED = "edited", _("Draft edited")
        PUBLISHED = "published", _("Published")
        UPDATED = "updated", _("Updated")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    warning = fk(ConsumerWarning, _("warning"), "events", on_delete=models.CASCADE)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = user_fk(_("by"))
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("lifecycle event")
        verbose_name_plural = _("lifecycle events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.warning_id} {self.action} {self.at:%Y-%m-%d}"

    @property
    def change_list(self):
        """The recorded changes with field labels in the reader's language."""
        from django.core.exceptions import FieldDoesNotExist

        items = []
        for change in self.changes.get("fields", []):
            name = change.get("field", "")
            try:
                label = ConsumerWarning._meta.get_field(name).verbose_name
            except FieldDoesNotExist:
                label = _("photos") if name == "photos" else change.get("label", name)
            items.append({**change, "label": label})
        return items


def _new_secret():
    return secrets.token_urlsafe(24)


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Subscription.Status.ACTIVE)

    def visible_to(self, user):
        from portal.roles import get_actor

        return self.all() if get_actor(user).is_ministry else self.none()


class Subscription(models.Model):
    """E-mail alerts for warnings of a sector, a kind and/or containing a keyword. Empty
    criteria match every warning."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", pgettext_lazy("subscription", "Active")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    email = models.EmailField(_("e-mail"))
    sector = sector_fk("+", on_delete=models.CASCADE)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ConsumerWarning.Kind.choices, blank=True
    )
    keyword = models.CharField(_("keyword"), max_length=100, blank=True)
    keyword_folded = models.CharField(max_length=100, blank=True, default="", editable=False)
    language = models.CharField(_("language"), max_length=5, default="vi")
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.PENDING
    )
    consent_text = models.TextField(_("consent given (text shown)"), blank=True)
    secret = models.CharField(max_length=64, default=_new_secret, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    personal_data = PersonalData(personal=("email",))

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"], name="cw_subscription_status")]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.keyword = nfc(self.keyword or "").strip()
        self.keyword_folded = fold(self.keyword)
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def matches(self, warning):
        if self.sector_id and self.sector_id != warning.sector_id:
            return False
        if self.kind and self.kind != warning.kind:
            return False
        if self.keyword_folded:
            # The same whole-word phrase rule as the warnings search (portal.search).
            return text_matches(warning.search_text, self.keyword)
        return True


class DeliveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        from portal.roles import get_actor

        return self.all() if get_actor(user).is_ministry else self.none()


class Delivery(models.Model):
    """One message sent to one subscription, for the record. That it is sent once is the
    job's per-message claim (:func:`portal.jobs.once`), which commits with this row."""

    class Kind(models.TextChoices):
        ALERT = "alert", _("Immediate alert")
        DIGEST = "digest", _("Weekly digest")

    subscription = fk(Subscription, _("subscription"), "deliveries", on_delete=models.CASCADE)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    warning = fk(ConsumerWarning, _("warning"), "+", optional=True, on_delete=models.CASCADE)
    period = models.CharField(max_length=20, blank=True, default="")
    sent_at = models.DateTimeField(default=timezone.now)
    warning_count = models.PositiveIntegerField(default=1)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-mail sent")
        verbose_name_plural = _("e-mails sent")
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.subscription_id} {self.kind} {self.warning_id or self.period}"
