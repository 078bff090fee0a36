"""Organisations and roles: Province, Agency, Sector, Business, Membership, JobRun."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .fields import WebAddressField, fk, province_fk, sector_fk, user_fk
from .personal_data import PersonalData
from .text import build_search_text, nfc
from .transitions import Transition, Workflow
from .validators import validate_phone, validate_tax_code

TAX_CODE_PATTERN = r"^\d{10}(-\d{3})?$"


class BilingualNameMixin:
    """Reference data keeps its Vietnamese name and an English one; show the active one."""

    @property
    def display_name(self):
        if (get_language() or "vi").startswith("en") and getattr(self, "name_en", ""):
            return self.name_en
        return self.name

    def __str__(self):
        return self.display_name


class ProvinceQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_active=True)


class Province(BilingualNameMixin, models.Model):
    """A provincial-level unit. The 34 current ones carry their code under
    Quyết định 19/2025/QĐ-TTg; the 63 former ones are kept inactive with their successor so
    that older addresses still map."""

    class Kind(models.TextChoices):
        CITY = "city", _("Centrally-run city")
        PROVINCE = "province", _("Province")

    code = models.CharField(_("code"), max_length=2, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    full_name = models.CharField(_("official full name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    is_active = models.BooleanField(_("current unit"), default=True)
    merged_2025 = models.BooleanField(_("formed by the 2025 merger"), default=False)
    successor = fk("self", _("successor"), "predecessors", optional=True)
    note = models.TextField(_("note"), blank=True)

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["-is_active", "code", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_active=False) | Q(code__isnull=False),
                name="province_current_has_code",
            ),
        ]

    def current_unit(self):
        """The current province this one maps to (itself when current)."""
        return self if self.is_active else self.successor


class Sector(BilingualNameMixin, models.Model):
    """The shared sector taxonomy: businesses, complaints, assessments and warnings use it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["order", "name"]


class AgencyQuerySet(models.QuerySet):
    def visible_to(self, user):
        # The list of public bodies is public information.
        return self.all()

    def ministry(self):
        return self.filter(kind__in=Agency.MINISTRY_KINDS)


class Agency(BilingualNameMixin, models.Model):
    class Kind(models.TextChoices):
        AUTHORITY = "authority", _("Consumer-protection authority")
        MINISTRY_UNIT = "ministry_unit", _("Ministry unit")
        PROVINCIAL_DEPARTMENT = "provincial_department", _("Department of Industry and Trade")
        CONSUMER_ASSOCIATION = "consumer_association", _("Consumer association")
        OTHER = "other", _("Other agency")

    MINISTRY_KINDS = (Kind.AUTHORITY, Kind.MINISTRY_UNIT)

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    province = province_fk("agencies", current_only=False, optional=True)
    parent = fk("self", _("parent body"), "children", optional=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    website = WebAddressField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.TextField(_("source"), blank=True)

    objects = AgencyQuerySet.as_manager()

    # A public body's published switchboard, not a person's.
    personal_data = PersonalData(not_personal=("email", "phone", "address"))

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="provincial_department") | Q(province__isnull=False),
                name="agency_department_has_province",
            ),
            models.UniqueConstraint(
                fields=["province"],
                condition=Q(kind="provincial_department"),
                name="agency_one_department_per_province",
            ),
        ]

    @property
    def is_ministry(self):
        return self.kind in self.MINISTRY_KINDS


class BusinessQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .roles import get_actor

        actor = get_actor(user)
        if actor.is_ministry:
            return self.all()
        if actor.is_province_officer or actor.business_ids:
            return self.filter(Q(province_id__in=actor.province_ids) | Q(pk__in=actor.business_ids))
        return self.none()


class Business(models.Model):
    tax_code = models.CharField(
        _("tax code"), max_length=14, unique=True, validators=[validate_tax_code]
    )
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short or trading name"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=255)
    province = province_fk("businesses")
    sector = sector_fk("businesses")
    website = WebAddressField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    search_text = models.TextField(editable=False, blank=True, default="")
    # PostgreSQL: its words stored beside it (migration 0014), read by portal.search.
    search_vectors = {"search_text": "search_vector"}
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = BusinessQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text", "updated_at"])

    # The registered contact of a business, shown on its public profile; a person's own
    # details live on the user account and the membership.
    personal_data = PersonalData(not_personal=("email", "phone", "address"))

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["province", "name"]),
            # Public lists are ordered by name: walking this index stops after one page.
            models.Index(fields=["name", "id"], name="portal_business_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(tax_code__regex=TAX_CODE_PATTERN), name="business_tax_code_format"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.tax_code})"

    def save(self, *args, **kwargs):
        self.name = nfc(self.name).strip()
        self.short_name = nfc(self.short_name).strip()
        self.address = nfc(self.address).strip()
        self.search_text = build_search_text(self.name, self.short_name, self.tax_code)
        super().save(*args, **kwargs)


class MembershipQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Membership.Status.APPROVED)

    def pending(self):
        return self.filter(status=Membership.Status.PENDING)

    def visible_to(self, user):
        from .roles import get_actor

        actor = get_actor(user)
        if actor.is_ministry:
            return self.all()
        own = Q(user_id=actor.user_id) if actor.user_id else Q(pk__in=[])
        if actor.is_province_officer:
            return self.filter(
                own
                | Q(business__province_id__in=actor.province_ids)
                | Q(agency_id__in=actor.agency_ids)
            )
        return self.filter(own)


class Membership(models.Model):
    """A user's place in a business or an agency. Only approved memberships grant anything."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        EDITOR = "editor", _("Editor")
        OFFICER = "officer", _("Officer")
        HEAD = "head", _("Head of unit")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        REVOKED = "revoked", _("Revoked")

    BUSINESS_ROLES = (Role.OWNER, Role.EDITOR)
    AGENCY_ROLES = (Role.OFFICER, Role.HEAD)

    user = fk(settings.AUTH_USER_MODEL, _("user"), "memberships", on_delete=models.CASCADE)
    business = fk(Business, _("business"), "memberships", optional=True, on_delete=models.CASCADE)
    agency = fk(Agency, _("agency"), "memberships", optional=True, on_delete=models.CASCADE)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    note = models.TextField(_("note from the applicant"), blank=True)
    decision_note = models.TextField(_("reason for the decision"), blank=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = user_fk(_("decided by"))
    # When the province's officers were told of the request (its own e-mail or a digest);
    # empty while it waits for the next digest.
    officers_told_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(business__isnull=False) & Q(agency__isnull=True))
                | (Q(business__isnull=True) & Q(agency__isnull=False)),
                name="membership_one_organisation",
            ),
            models.UniqueConstraint(
                fields=["user", "business"],
                condition=Q(business__isnull=False),
                name="membership_unique_business",
            ),
            models.UniqueConstraint(
                fields=["user", "agency"],
                condition=Q(agency__isnull=False),
                name="membership_unique_agency",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self):
        return f"{self.user} → {self.organisation}"

    @property
    def organisation(self):
        return self.business or self.agency

    @staticmethod
    def may_be_decided_by(actor, membership):
        """Province officers decide for businesses of their province, ministry officers for
        every business; only the authority appoints officers of agencies (they then see
        complaints with personal data); nobody decides their own request."""
        if membership.user_id == actor.user_id:
            return False
        if membership.agency_id:
            return actor.is_authority
        if actor.is_ministry:
            return True
        return actor.is_province_officer and membership.business.province_id in actor.province_ids

    @property
    def organisation_province_id(self):
        if self.business_id:
            return self.business.province_id
        return self.agency.province_id if self.agency_id else None


MEMBERSHIP_WORKFLOW = Workflow(
    Membership,
    [
        Transition(
            name,
            {Membership.Status.PENDING},
            target,
            Membership.may_be_decided_by,
            _("This request has already been decided."),
        )
        for name, target in (
            ("approve", Membership.Status.APPROVED),
            ("reject", Membership.Status.REJECTED),
        )
    ],
)


class JobRun(models.Model):
    """A claim on one run of a scheduled or one-off job, unique on (name, key); see
    :mod:`portal.jobs`. ``expires_at`` is set while a lease is held: a run whose lease has
    expired (its worker died) may be taken over by a later run."""

    name = models.CharField(_("job"), max_length=100)
    key = models.CharField(_("key"), max_length=200)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["name", "key"], name="jobrun_unique")]

    def __str__(self):
        return f"{self.name} [{self.key}]"

    @property
    def state(self):
        if self.finished_at is not None:
            return "finished"
        if self.expires_at is not None and self.expires_at > timezone.now():
            return "running"
        return "released"


class Profile(models.Model):
    """What the portal keeps of a person beyond the account: the language they last used the
    site in, so that every e-mail to them is written in it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="profile",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    personal_data = PersonalData(personal=("language",))

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return f"{self.user_id} ({self.language})"


# Sent by the back office (``AnnouncedDayAdmin``) after an announced day is added or
# withdrawn, with ``day``, ``before`` and ``after`` (kinds, None when absent) and
# ``change_key`` (its history row): the parts with working-day deadlines recompute them.
announced_day_changed = Signal()


class AnnouncedDay(models.Model):
    """A day off or a make-up working day the government announced on top of the fixed
    public holidays (Bộ luật Lao động 2019 Điều 112, which the ``holidays`` package knows).
    Working-day deadlines (Luật 19/2023/QH15 Điều 57) read this table: the authority keeps
    it, with the decision that announced each day, instead of a redeploy."""

    class Kind(models.TextChoices):
        OFF = "off", _("Day off")
        WORKING = "working", _("Make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    decision_number = models.CharField(
        _("announced by (number)"),
        max_length=80,
        help_text=_("Number and symbol of the decision or notice that announced it."),
    )
    decision_date = models.DateField(_("announced on"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = user_fk(_("added by"), "+")
    created_at = models.DateTimeField(_("added at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("announced day off or working day")
        verbose_name_plural = _("announced days off and working days")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} ({self.get_kind_display()})"
