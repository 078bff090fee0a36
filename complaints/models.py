"""Complaints: intake, workflow, deadlines, attachments, timeline (DESIGN.md §5)."""

from django.conf import settings
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consumer_warnings.gtin import gtin_key, normalise_gtin, validate_gtin
from portal import crypto, search
from portal.attachments import Attachment as BaseAttachment
from portal.fields import fk, province_fk, sector_fk, user_fk
from portal.models import Agency, BilingualNameMixin, Business, Sector
from portal.personal_data import PersonalData
from portal.text import nfc
from portal.validators import validate_phone, validate_tax_code

# The version of the processing-consent text shown on the form. Bump it whenever the
# wording changes: each complaint stores the version it agreed to, and the exact text in
# ``consent_text`` (so older wordings stay on the complaints that agreed to them).
# 2026-01: purpose only. 2026-11: purpose, data categories, the sensitive vulnerable-group
# answer, retention, rights, how to withdraw, and the address of the privacy page.
CONSENT_VERSION = "2026-11"
# The version of the publishing consent (complaints.forms.publish_consent_text), kept on the
# complaint with its text like the processing consent's; narratives publish only under it.
# 2026-12: an officer-reviewed anonymised summary, after closing, withdrawable until published.
PUBLISH_CONSENT_VERSION = "2026-12"


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    NEEDS_INFO = "needs_info", _("Waiting for information from the consumer")
    FORWARDED = "forwarded", _("Forwarded to the business")
    REFERRED = "referred", _("Referred to another agency")
    REJECTED = "rejected", _("Not accepted")
    NEGOTIATING = "negotiating", _("Negotiating")
    RESOLVED = "resolved", _("Resolved")
    BUSINESS_DECLINED = "business_declined", _("Business declined to negotiate")
    UNRESOLVED = "unresolved", _("Not resolved")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn by the consumer")


OPEN_STATUSES = (Status.SUBMITTED, Status.NEEDS_INFO, Status.FORWARDED, Status.NEGOTIATING)
HANDLED_STATUSES = (
    Status.REFERRED,
    Status.REJECTED,
    Status.RESOLVED,
    Status.BUSINESS_DECLINED,
    Status.UNRESOLVED,
    Status.CLOSED,
)


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    HOTLINE = "hotline", _("Hotline")
    EMAIL = "email", _("E-mail")
    POST = "post", _("Post")
    WALK_IN = "walk_in", _("In person")


class RejectionGround(models.TextChoices):
    # The five grounds of Luật 19/2023/QH15 Điều 58; the Vietnamese wording of the law is in
    # the translation catalogue.
    INCAPACITY = (
        "incapacity",
        _(
            "The consumer is a minor, has lost or has limited civil capacity, or has difficulty "
            "understanding or controlling their actions, and has no legal representative"
        ),
    )
    NOT_CONSUMER = (
        "not_consumer",
        _("The person making the request is not a consumer or a consumer's legal representative"),
    )
    INSUFFICIENT = (
        "insufficient",
        _(
            "Not enough information or documents to identify the business concerned or evidence "
            "of the transaction"
        ),
    )
    OUT_OF_SCOPE = (
        "out_of_scope",
        _("The matter is outside the competence of the agency or the scope of the organisation"),
    )
    ALREADY_HANDLED = (
        "already_handled",
        _(
            "The request has already been handled by a competent state agency or a social "
            "organisation"
        ),
    )


class VulnerableGroup(models.TextChoices):
    # Luật 19/2023/QH15 Điều 8.
    ELDERLY = "elderly", _("Elderly person")
    DISABLED = "disabled", _("Person with a disability")
    CHILD = "child", _("Child")
    ETHNIC_MINORITY = (
        "ethnic_minority",
        _(
            "Ethnic minority, or living in an ethnic-minority, mountain, island or "
            "disadvantaged area"
        ),
    )
    PREGNANT = "pregnant", _("Pregnant or raising a child under 36 months")
    SERIOUSLY_ILL = "seriously_ill", _("Person with a serious illness")
    POOR_HOUSEHOLD = "poor_household", _("Member of a poor household")


class Step(models.TextChoices):
    FORWARD = "forward", _("Agency forwards the complaint")
    ACKNOWLEDGE = "acknowledge", _("Business acknowledges receipt")
    NEGOTIATE = "negotiate", _("Business negotiates")
    REPORT = "report", _("Business reports the result")


class Party(models.TextChoices):
    AGENCY = "agency", _("Agency")
    BUSINESS = "business", _("Business")


# Working days allowed for each step and who owes it (Luật 19/2023 Điều 31 khoản 2,
# Điều 57 khoản 4 và 5).
STEP_RULES = {
    Step.FORWARD: (7, Party.AGENCY),
    Step.ACKNOWLEDGE: (3, Party.BUSINESS),
    Step.NEGOTIATE: (7, Party.BUSINESS),
    Step.REPORT: (5, Party.BUSINESS),
}


def month_key(moment):
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return local.year * 100 + local.month


class IssueCategory(BilingualNameMixin, models.Model):
    """A kind of problem within a sector ("hàng giả", "cước phí sai"...), managed in the
    admin."""

    sector = fk(Sector, _("sector"), "issues")
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("issue category")
        verbose_name_plural = _("issue categories")
        ordering = ["sector__order", "order", "name"]

    def __str__(self):
        return self.display_name


class CodeCounter(models.Model):
    """The last complaint number issued in a year: one row per year, locked while a number
    is taken, so that codes are unique and gap-free under concurrent filings."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("complaint code counter")
        verbose_name_plural = _("complaint code counters")

    def __str__(self):
        return f"{self.year}: {self.last}"


# Typed whole, a complaint code or a tax code also finds its rows exactly.
SEARCH_EXACT = ("code", "business_tax_code")


def contact_condition(value):
    """A ``Q`` matching the complaints whose phone or e-mail is ``value``, by keyed hash;
    None when ``value`` is neither a phone number nor an e-mail address."""
    phones = crypto.candidate_hashes(crypto.phone_hash, value)
    emails = crypto.candidate_hashes(crypto.email_hash, value)
    if not phones and not emails:
        return None
    condition = Q(pk__in=[])
    if phones:
        condition |= Q(complainant_phone_hash__in=phones)
    if emails:
        condition |= Q(complainant_email_hash__in=emails)
    return condition


def _handler_condition(actor):
    condition = Q(pk__in=[])
    if actor.province_ids:
        condition |= Q(province_id__in=actor.province_ids)
    if actor.association_ids:
        condition |= Q(association_id__in=actor.association_ids)
    return condition


class ComplaintQuerySet(models.QuerySet):
    def handled_by(self, user):
        """What ``user`` handles as an agency (Luật 19/2023 Điều 55 k2, Điều 57 k3): the
        authority all; a Sở Công Thương its province; a consumer association what is
        addressed to it. The staff pages and the admin show only these, with the internal
        notes: never an officer's own complaint as a consumer."""
        from portal.roles import get_actor

        actor = get_actor(user)
        return self.all() if actor.is_authority else self.filter(_handler_condition(actor))

    def visible_to(self, user):
        """Who may read a complaint with its personal data: whoever handles it (above), a
        business what was forwarded to it, a consumer their own. Other ministry units see
        none (only the anonymous statistics)."""
        from portal.roles import get_actor

        actor = get_actor(user)
        if actor.is_authority:
            return self.all()
        condition = _handler_condition(actor)
        if actor.business_ids:
            condition |= Q(business_id__in=actor.business_ids) & Q(forwarded_at__isnull=False)
        if actor.user_id:
            condition |= Q(user_id=actor.user_id)
        return self.filter(condition)

    def owned_by(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(step_due__lt=today)

    def search(self, query):
        """A complaint code finds that complaint; an e-mail address or a phone number typed
        whole finds it by its keyed hash (the contact data is encrypted); other words must
        each appear in the folded ``search_text`` (so diacritics may be left out)."""
        query = (query or "").strip()
        if query.upper().startswith("KN-"):
            return self.filter(code__iexact=query)
        contact = contact_condition(query)
        if contact is not None:
            return self.filter(contact) | search.matching(self, query, exact=SEARCH_EXACT)
        return search.matching(self, query, exact=SEARCH_EXACT)

    def with_contact(self, contact):
        """Those whose phone or e-mail is ``contact`` (typed any usual way)."""
        condition = contact_condition(contact)
        return self.none() if condition is None else self.filter(condition)


class Complaint(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    tracking_hash = models.CharField(max_length=64, unique=True, editable=False)
    # One filing per form session: a second POST of the same final step finds this.
    submission_key = models.CharField(max_length=64, unique=True, null=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    # YYYYMM of receipt in Viet Nam's time, so that monthly statistics group on a small
    # indexed integer instead of truncating a timestamp on every row.
    received_month = models.PositiveIntegerField(editable=False, default=0)

    # Complainant
    user = user_fk(_("account"), "complaints")
    complainant_name = models.CharField(_("full name"), max_length=150)
    # Contact data is encrypted at rest (portal.crypto): the database, its backups and the
    # history hold tokens. Found by the keyed hash of the normalised value, set in save().
    complainant_phone = crypto.EncryptedTextField(
        _("phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    complainant_email = crypto.EncryptedTextField(
        _("e-mail"), max_length=254, blank=True, validators=[validate_email]
    )
    complainant_address = crypto.EncryptedTextField(_("address"), max_length=255, blank=True)
    complainant_phone_hash = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    complainant_email_hash = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    # The language the consumer filed in: their e-mails are written in it.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_representative = models.BooleanField(_("filed on behalf of someone else"), default=False)
    represented_name = models.CharField(
        _("name of the person represented"), max_length=150, blank=True
    )
    vulnerable_group = models.CharField(
        _("vulnerable consumer"), max_length=20, choices=VulnerableGroup.choices, blank=True
    )

    # The business
    business = fk(Business, _("registered business"), "complaints", optional=True)
    business_name = models.CharField(_("business name"), max_length=255)
    business_tax_code = models.CharField(
        _("tax code"), max_length=14, blank=True, validators=[validate_tax_code]
    )
    business_address = models.CharField(_("business address"), max_length=255, blank=True)
    business_website = models.CharField(_("website or seller page"), max_length=300, blank=True)

    province = province_fk("complaints")
    sector = sector_fk("complaints")
    issue = fk(IssueCategory, _("issue"), "complaints", optional=True)
    transaction_date = models.DateField(_("date of the transaction"), null=True, blank=True)
    amount = models.PositiveBigIntegerField(_("amount (VND)"), null=True, blank=True)
    description = models.TextField(_("what happened"))
    request = models.TextField(_("what you ask for"))

    consent_processing = models.BooleanField(_("consent to processing"), default=False)
    consent_version = models.CharField(_("consent text version"), max_length=20)
    # The exact sentence the consumer agreed to, in the language it was shown in.
    consent_text = models.TextField(_("consent text"), blank=True)
    consent_publish = models.BooleanField(
        _("consent to publish an anonymised summary"), default=False
    )
    # Kept like the processing consent: the wording agreed to, so a narrative is published
    # only under the terms the consumer saw (narratives).
    # db_default: rows written by SQL (bench's generator) without the columns get "".
    consent_publish_version = models.CharField(
        _("publishing consent version"), max_length=20, blank=True, default="", db_default=""
    )
    consent_publish_text = models.TextField(
        _("publishing consent text"), blank=True, default="", db_default=""
    )

    # The product, when the consumer knows it: its barcode links the complaint to warnings
    # and recalls of the same product (gtin_key is comparable across GTIN lengths).
    product_name = models.CharField(
        _("product"), max_length=255, blank=True, default="", db_default=""
    )
    gtin = models.CharField(
        _("barcode (GTIN)"),
        max_length=20,
        blank=True,
        validators=[validate_gtin],
        default="",
        db_default="",
    )
    gtin_key = models.CharField(
        max_length=14, blank=True, default="", db_default="", editable=False
    )

    # Handling
    created_by = user_fk(_("entered by"))
    assigned_to = user_fk(_("assigned to"), "assigned_complaints")
    current_step = models.CharField(
        _("current step"), max_length=12, choices=Step.choices, blank=True
    )
    # Due date of the current step; empty while the clock is paused or no step is running.
    step_due = models.DateField(_("next deadline"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("forwarded"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    is_late = models.BooleanField(_("a step was late"), default=False)
    rejection_ground = models.CharField(
        _("ground for not accepting"), max_length=20, choices=RejectionGround.choices, blank=True
    )
    referred_to = fk(Agency, _("referred to"), "referred_complaints", optional=True)
    # Addressed to a consumer association (Luật 19/2023 Điều 57 k3): chosen by the consumer
    # when filing, or set when staff refer the complaint to an association.
    association = fk(
        Agency,
        _("consumer association"),
        "association_complaints",
        optional=True,
        limit_choices_to={"kind": "consumer_association"},
    )
    referred_to_other = models.CharField(_("referred to (other body)"), max_length=255, blank=True)
    negotiation_ended_on = models.DateField(_("negotiation ended on"), null=True, blank=True)
    satisfied = models.BooleanField(_("consumer satisfied with the result"), null=True, blank=True)
    # The consumer asked to look at the case again (services.ask_reopen): set while the
    # officer's decision is awaited. The reason is on the timeline, erased with the rest.
    reopen_requested_at = models.DateTimeField(_("reopening asked"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)

    # Set when personal data was erased after the retention period; figures stay.
    anonymised_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    search_text = models.TextField(editable=False, blank=True, default="")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ComplaintQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text", "updated_at"])

    # Hash column: (encrypted field, hasher). Set in save(); recomputed by
    # `manage.py rotate_personal_data_keys` when the hash key changes.
    keyed_hashes = {
        "complainant_phone_hash": ("complainant_phone", crypto.phone_hash),
        "complainant_email_hash": ("complainant_email", crypto.email_hash),
    }

    # Read by the filing forms, the consumer's data export, the five-year erasure (which
    # also blanks the same fields in the history rows) and the access log.
    personal_data = PersonalData(
        personal=(
            "complainant_name",
            "complainant_phone",
            "complainant_email",
            "complainant_address",
            # The language they filed in says something about who they are.
            "language",
            # Says that the person acts for someone else: part of who they are in the case.
            "is_representative",
            "represented_name",
            # The consumer's own account of what happened and what they ask: it names them,
            # their purchases and often their family.
            "description",
            "request",
        ),
        # Disability, ethnicity, pregnancy, illness (Luật 91/2025/QH15): sensitive data,
        # optional, kept only as long as the complaint's other personal data.
        sensitive=("vulnerable_group",),
        # The address of the business complained about identifies a business, not a person
        # (it is public in the business register), and the statistics keep it.
        not_personal=("business_address",),
        derived=("complainant_phone_hash", "complainant_email_hash"),
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at"]
        indexes = [
            # The lists' order, and the report figures of the complaints received in a
            # window: one index-only scan of the window (the included columns are counted).
            models.Index(
                fields=["received_at"],
                include=["province", "status", "sector", "channel", "received_month"],
                name="complaint_received_cover",
            ),
            # The report figures of the complaints handled in a window, index-only too.
            models.Index(
                fields=["handled_at"],
                include=["province", "is_late"],
                condition=Q(status__in=HANDLED_STATUSES),
                name="complaint_handled_cover",
            ),
            # Covers the public statistics: one index-only scan per year.
            models.Index(
                fields=["received_month", "province", "sector", "status"],
                name="complaint_stats_cover",
            ),
            models.Index(fields=["province", "received_at"]),
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["sector", "received_at"]),
            models.Index(fields=["business", "status"]),
            # Complaints about one product, for the signals and the recall matches.
            models.Index(
                fields=["gtin_key", "received_at"],
                condition=~Q(gtin_key=""),
                name="complaint_gtin_key",
            ),
            models.Index(fields=["status", "step_due"]),
            models.Index(fields=["assigned_to", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(complainant_email__gt="")
                | Q(complainant_phone__gt="")
                | Q(anonymised_at__isnull=False),
                name="complaint_has_contact",
            ),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        for name in (
            "complainant_name",
            "complainant_address",
            "represented_name",
            "business_name",
            "business_address",
            "product_name",
            "description",
            "request",
        ):
            setattr(self, name, nfc(getattr(self, name) or "").strip())
        self.gtin = normalise_gtin(self.gtin)
        self.gtin_key = gtin_key(self.gtin)
        self.received_month = month_key(self.received_at)
        for name, (source, hasher) in self.keyed_hashes.items():
            setattr(self, name, hasher(getattr(self, source)))
        # Not the phone nor the e-mail: found by their hashes (ComplaintQuerySet.search).
        self.search_text = search.search_column(
            self.code,
            self.complainant_name,
            self.business_name,
            self.business_tax_code,
            self.description,
            self.request,
        )
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self):
        return bool(self.is_open and self.step_due and self.step_due < timezone.localdate())

    @property
    def is_paused(self):
        return self.status == Status.NEEDS_INFO


class ComplaintStep(models.Model):
    """One statutory step with its deadline; kept after completion so that timeliness per
    business and per province can be counted."""

    complaint = fk(Complaint, _("complaint"), "steps", on_delete=models.CASCADE)
    kind = models.CharField(_("step"), max_length=12, choices=Step.choices)
    party = models.CharField(_("owed by"), max_length=10, choices=Party.choices)
    # Copied from the complaint when the step starts (save), so that timeliness aggregates
    # without a join.
    province = province_fk("+", current_only=False)
    business = fk(Business, _("business"), "+", optional=True)
    started_on = models.DateField(_("started"))
    due_on = models.DateField(_("due"), null=True, blank=True)
    # Working days left when the clock was paused (waiting for the consumer).
    paused_remaining = models.PositiveSmallIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(_("flagged overdue"), null=True, blank=True)

    class Meta:
        verbose_name = _("deadline step")
        verbose_name_plural = _("deadline steps")
        ordering = ["started_on", "pk"]
        indexes = [
            models.Index(fields=["party", "started_on"]),
            # The report figures of the steps started in a window: one index-only scan.
            models.Index(
                fields=["started_on"],
                include=["province", "on_time", "completed_at", "due_on"],
                name="step_started_cover",
            ),
            # The daily overdue pass looks for open steps past their due date.
            models.Index(
                fields=["due_on"], condition=Q(completed_at__isnull=True), name="step_open_due"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(completed_at__isnull=True),
                name="complaint_one_open_step",
            ),
        ]

    def __str__(self):
        return f"{self.complaint_id}:{self.kind}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.province_id = self.complaint.province_id
            self.business_id = self.complaint.business_id
        super().save(*args, **kwargs)


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Visible to the parties")
    INTERNAL = "internal", _("Internal to staff")


class ComplaintEvent(models.Model):
    class Kind(models.TextChoices):
        FILED = "filed", _("Filed")
        STATUS = "status", _("Status changed")
        MESSAGE = "message", _("Message")
        INFO_ADDED = "info_added", _("Information added by the consumer")
        ASSIGNED = "assigned", _("Assigned")
        OVERDUE = "overdue", _("Deadline missed")
        FEEDBACK = "feedback", _("Consumer's feedback on the result")
        NOTE = "note", _("Internal note")
        DATA_REQUEST = "data_request", _("Request about personal data")
        REOPEN_ASKED = "reopen_asked", _("Consumer asked to look at it again")

    complaint = fk(Complaint, _("complaint"), "events", on_delete=models.CASCADE)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    actor = user_fk(_("by"))
    actor_role = models.CharField(max_length=12, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["complaint", "created_at"])]

    def __str__(self):
        return f"{self.complaint_id} {self.kind}"


class Attachment(BaseAttachment):
    upload_prefix = "complaints"
    upload_kinds = "images_and_pdf"
    max_upload_bytes = 10 * 1024 * 1024

    complaint = fk(Complaint, _("complaint"), "attachments", on_delete=models.CASCADE)

    # The consumer's files (receipts, photos, contracts) carry their name and purchases.
    personal_data = PersonalData(personal=("file", "original_name"))

    class Meta(BaseAttachment.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class AccessLogQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The reads of the complaints ``user`` handles (the admin's scope)."""
        return self.filter(complaint__in=Complaint.objects.handled_by(user))


class AccessLog(models.Model):
    """Who looked at a complaint's personal data, and when (DESIGN.md §7)."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed the complaint")
        DOWNLOAD = "download", _("Downloaded an attachment")

    complaint = fk(Complaint, _("complaint"), "access_logs", on_delete=models.CASCADE)
    user = fk(settings.AUTH_USER_MODEL, _("user"), "+")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    # The reader's address is kept as evidence of the access (Luật 91/2025 asks who read
    # what, when); it is personal data of the reader.
    personal_data = PersonalData(personal=("ip_address",), kept_on_erasure=("ip_address",))

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data accesses")
        ordering = ["-at"]
        indexes = [models.Index(fields=["complaint", "at"]), models.Index(fields=["user", "at"])]

    def __str__(self):
        return f"{self.user_id} {self.action} {self.complaint_id}"


class DataRequest(models.Model):
    """A consumer's request to correct or erase the personal data of their complaint
    (Luật 91/2025/QH15), made from the tracking page and decided by an officer of the
    agency handling the complaint, with the reason recorded."""

    class Kind(models.TextChoices):
        CORRECT = "correct", _("Correct a personal detail")
        ERASE = "erase", _("Erase my personal data")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    # The details a consumer may ask to correct: who they are and how to reach them. The
    # narrative is their account of the case: they add to it with "Add information".
    CORRECTABLE = (
        "complainant_name",
        "complainant_phone",
        "complainant_email",
        "complainant_address",
        "represented_name",
        "vulnerable_group",
    )

    complaint = fk(Complaint, _("complaint"), "data_requests", on_delete=models.CASCADE)
    kind = models.CharField(_("request"), max_length=10, choices=Kind.choices)
    field = models.CharField(_("detail to correct"), max_length=30, blank=True)
    # The corrected value is as personal as the one it replaces: encrypted like the contacts.
    new_value = crypto.EncryptedTextField(_("corrected value"), max_length=255, blank=True)
    message = models.TextField(_("consumer's explanation"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    decided_by = user_fk(_("decided by"), "+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    # Erased with the complaint's personal data (services.erase_complaint).
    personal_data = PersonalData(personal=("new_value", "message"))

    class Meta:
        verbose_name = _("personal-data request")
        verbose_name_plural = _("personal-data requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["complaint", "status"])]

    def __str__(self):
        return f"{self.complaint_id} {self.kind} {self.status}"

    @property
    def field_label(self):
        if not self.field:
            return ""
        return Complaint._meta.get_field(self.field).verbose_name
