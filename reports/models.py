"""Annual reporting: action plans as data, reporting years, unit reports, the national
compilation (DESIGN.md §5 "Reports")."""

from django.db import models
from django.db.models import CASCADE, Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from portal.attachments import Attachment
from portal.fields import fk, user_fk
from portal.models import Agency
from portal.pdf import StoredPdf


def _status_field(status, default):
    return models.CharField(_("status"), max_length=10, choices=status.choices, default=default)


def _moment(label):
    """When a step happened; empty until it does."""
    return models.DateTimeField(label, null=True, blank=True)


def _in_order(first, last, name):
    """``first`` is not after ``last`` (a plan's years, a reporting year's data window)."""
    return models.CheckConstraint(condition=Q(**{f"{first}__lte": models.F(last)}), name=name)


def _unique(name, *fields):
    """One row per combination of ``fields`` (a plan's group codes, a unit's report)."""
    return models.UniqueConstraint(fields=list(fields), name=name)


class Plan(models.Model):
    """An action plan (decision 2306/QĐ-BCT for 2021–2025; a later plan is another row)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    decision = models.CharField(_("decision"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    source = models.JSONField(_("source"), default=dict, blank=True)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-first_year"]
        constraints = [_in_order("first_year", "last_year", "reports_plan_years_order")]

    def __str__(self):
        return f"{self.decision} ({self.first_year}–{self.last_year})"


class PlanItem(models.Model):
    """A numbered item of a plan (a task group, a task), kept in the plan's order."""

    code = models.CharField(_("code"), max_length=10)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.code}. {Truncator(self.title).chars(80)}"


class PlanGroup(PlanItem):
    plan = fk(Plan, _("plan"), "groups", on_delete=CASCADE)
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        verbose_name = _("task group")
        verbose_name_plural = _("task groups")
        ordering = ["plan", "order"]
        constraints = [_unique("reports_group_unique_code", "plan", "code")]


class PlanTask(PlanItem):
    group = fk(PlanGroup, _("group"), "tasks", on_delete=CASCADE)
    title = models.TextField(_("task"))
    lead_text = models.TextField(_("lead units (as written)"))
    cooperating_text = models.TextField(_("cooperating units (as written)"), blank=True)
    products = models.JSONField(_("products"), default=list, blank=True)
    timeframe = models.CharField(_("timeframe"), max_length=60, blank=True)
    recurs_annually = models.BooleanField(_("every year"), default=False)
    lead_agencies = models.ManyToManyField(
        Agency, verbose_name=_("lead units"), related_name="led_plan_tasks", blank=True
    )
    cooperating_agencies = models.ManyToManyField(
        Agency,
        verbose_name=_("cooperating units"),
        related_name="cooperating_plan_tasks",
        blank=True,
    )

    class Meta:
        verbose_name = _("action-plan task")
        verbose_name_plural = _("action-plan tasks")
        ordering = ["group__order", "order"]
        constraints = [_unique("reports_task_unique_code", "group", "code")]


class ReportingYearQuerySet(models.QuerySet):
    def visible_to(self, user):
        from portal.roles import get_actor

        return self.all() if get_actor(user).is_officer else self.none()


class ReportingYear(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("reports status", "Open")
        LOCKED = "locked", pgettext_lazy("reports status", "Units locked")
        COMPILED = "compiled", pgettext_lazy("reports status", "Compiled")
        PUBLISHED = "published", pgettext_lazy("reports status", "Published")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    plan = fk(Plan, _("plan"), related_name=None, optional=True)
    data_start = models.DateField(_("data from"))
    data_end = models.DateField(_("data to"))
    unit_deadline = models.DateField(_("unit deadline"))
    national_deadline = models.DateField(_("national deadline"))
    status = _status_field(Status, default=Status.OPEN)
    opened_at = _moment(_("opened"))
    locked_at = _moment(_("locked"))
    compiled_at = _moment(_("compiled"))
    published_at = _moment(_("published"))
    # Where the window and the deadlines come from: copied from the plan's data when the
    # year is made, rewritten by the authority when it corrects a date in the admin.
    window_source = models.TextField(_("source of the data window"), blank=True)
    deadline_source = models.TextField(_("source of the deadlines"), blank=True)
    # Nationwide figures frozen with the unit reports at the lock.
    national_figures = models.JSONField(_("national figures (frozen)"), null=True, blank=True)

    objects = ReportingYearQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["national_figures"])

    class Meta:
        verbose_name = _("reporting year")
        verbose_name_plural = _("reporting years")
        ordering = ["-year"]
        constraints = [_in_order("data_start", "data_end", "reports_year_window_order")]

    def __str__(self):
        return str(self.year)

    @property
    def is_locked(self):
        return self.status != self.Status.OPEN

    @property
    def plan_is_fallback(self):
        """The year runs on a plan whose period does not cover it (2026 on the 2021–2025
        plan until the 2026–2030 one is loaded): every page and report says so."""
        plan = self.plan
        return plan is not None and not plan.first_year <= self.year <= plan.last_year

    @property
    def plan_notice(self):
        """What the pages and the reports say when the plan does not cover the year."""
        if not self.plan_is_fallback:
            return ""
        plan = self.plan
        successor = (plan.source or {}).get("successor") or {}
        values = {
            "year": self.year,
            "period": f"{plan.first_year}–{plan.last_year}",
            "decision": plan.decision,
            "next_period": successor.get("period", "").replace("-", "–"),
            "next_decision": successor.get("decision", ""),
        }
        if successor.get("period") and successor.get("decision"):
            return (
                _(
                    "The reporting year %(year)s reports against the %(period)s plan "
                    "(%(decision)s) until the %(next_period)s plan (%(next_decision)s) is "
                    "loaded: its text is not available to the portal yet."
                )
                % values
            )
        return (
            _(
                "The reporting year %(year)s reports against the %(period)s plan "
                "(%(decision)s) until a plan covering %(year)s is loaded."
            )
            % values
        )


class UnitReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        from portal.roles import get_actor

        actor = get_actor(user)
        if actor.is_ministry:
            return self.all()
        if actor.is_province_officer:
            return self.filter(
                agency__kind=Agency.Kind.PROVINCIAL_DEPARTMENT,
                agency__province_id__in=actor.province_ids,
            )
        return self.none()


class UnitReport(StoredPdf):
    pdf_template = "reports/pdf/unit_report.html"

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("reports status", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("reports status", "Submitted")
        ACCEPTED = "accepted", pgettext_lazy("reports status", "Accepted")
        RETURNED = "returned", pgettext_lazy("reports status", "Returned for changes")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    reporting_year = fk(ReportingYear, _("reporting year"), "unit_reports", on_delete=CASCADE)
    agency = fk(Agency, _("reporting unit"), "+")
    status = _status_field(Status, default=Status.DRAFT)
    figures = models.JSONField(_("figures (live)"), default=dict, blank=True)
    figures_computed_at = _moment(_("figures computed"))
    snapshot = models.JSONField(_("frozen snapshot"), null=True, blank=True)
    locked_at = _moment(_("figures locked"))
    submitted_at = _moment(_("submitted"))
    submitted_by = user_fk(_("submitted by"))
    is_late = models.BooleanField(_("late"), default=False)
    reviewed_at = _moment(_("reviewed"))
    reviewed_by = user_fk(_("reviewed by"))
    review_comment = models.TextField(_("comment from the authority"), blank=True)
    content_version = models.PositiveIntegerField(default=1, editable=False)

    objects = UnitReportQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["figures", "snapshot", "pdf", "pdf_version"])

    class Meta:
        verbose_name = _("unit report")
        verbose_name_plural = _("unit reports")
        ordering = ["reporting_year", "agency__kind", "agency__name"]
        constraints = [_unique("reports_one_report_per_unit", "reporting_year", "agency")]
        indexes = [models.Index(fields=["reporting_year", "status"])]

    def __str__(self):
        return f"{self.agency} – {self.reporting_year}"

    def pdf_context(self):
        """Official (letterhead, no watermark) only once the authority accepted it: DESIGN
        §10. The date is the day the unit sent it; before that it is left blank."""
        from portal.pdf import official_date

        from . import charts
        from .selectors import unit_report_document

        document = unit_report_document(self)
        return {
            **document,
            "official": self.status == self.Status.ACCEPTED,
            "date_parts": official_date(document["document_date"]) if self.is_submitted else None,
            "charts": charts.unit_report_charts(document["figures"])
            if document["carries_figures"]
            else [],
        }

    def pdf_download_name(self):
        """``bao-cao-2026-ha-noi.pdf`` for a province's department; a central unit by its
        short name."""
        from portal.pdf import pdf_name

        agency = self.agency
        unit = agency.province.name if agency.province_id else agency.short_name or agency.code
        return pdf_name("bao-cao", self.reporting_year.year, unit)

    @property
    def current_figures(self):
        """The figures frozen when the unit submitted (or at the lock, for a report never
        submitted), the live figures before."""
        if self.snapshot is not None:
            return self.snapshot.get("figures", {})
        return self.figures

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    @property
    def is_submitted(self):
        return self.status in (self.Status.SUBMITTED, self.Status.ACCEPTED)


class TaskProgress(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        COOPERATING = "cooperating", _("Cooperating")

    report = fk(UnitReport, _("report"), "progress", on_delete=CASCADE)
    task = fk(PlanTask, _("task"), "progress")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    done = models.TextField(_("what was done"), blank=True)
    products = models.TextField(_("products delivered"), blank=True)
    difficulties = models.TextField(_("difficulties"), blank=True)
    proposals = models.TextField(_("proposals"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("task progress")
        verbose_name_plural = _("task progress")
        ordering = ["task__group__order", "task__order"]
        constraints = [_unique("reports_progress_unique", "report", "task")]

    def __str__(self):
        return f"{self.report} – {self.task.code}"

    @property
    def is_filled(self):
        return bool(self.done or self.products or self.difficulties or self.proposals)


class ProgressAttachment(Attachment):
    upload_prefix = "reports/attachments"
    upload_kinds = "documents"
    max_upload_bytes = 10 * 1024 * 1024

    progress = fk(TaskProgress, _("task progress"), "attachments", on_delete=CASCADE)

    class Meta(Attachment.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class NationalReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The ministry sees every draft; a province officer only what was published."""
        from portal.roles import get_actor

        actor = get_actor(user)
        if actor.is_ministry:
            return self.all()
        if actor.is_officer:
            return self.filter(status=NationalReport.Status.PUBLISHED)
        return self.none()


class NationalReport(StoredPdf):
    pdf_template = "reports/pdf/national_report.html"

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("reports status", "Draft")
        PUBLISHED = "published", pgettext_lazy("reports status", "Published")

    reporting_year = models.OneToOneField(
        ReportingYear,
        verbose_name=_("reporting year"),
        on_delete=CASCADE,
        related_name="national_report",
    )
    number = models.CharField(_("number and symbol"), max_length=60, blank=True)
    status = _status_field(Status, default=Status.DRAFT)
    narrative = models.TextField(_("narrative by the authority"), blank=True)
    # The parts of an administrative document (Nghị định 30/2020/NĐ-CP) the authority
    # fills before it may publish: see ``missing_for_publication``.
    issued_on = models.DateField(_("date of issue"), null=True, blank=True)
    issued_place = models.CharField(_("place of issue"), max_length=60, default="Hà Nội")
    signer_name = models.CharField(_("signer's name"), max_length=120, blank=True)
    signer_title = models.TextField(
        _("signer's title"),
        blank=True,
        help_text=_("One line per row of the signature block, e.g. KT. BỘ TRƯỞNG / THỨ TRƯỞNG."),
    )
    recipients = models.TextField(_("recipients (Nơi nhận)"), blank=True)
    snapshot = models.JSONField(_("compiled snapshot"), default=dict, blank=True)
    compiled_at = _moment(_("compiled"))
    published_at = _moment(_("published"))
    content_version = models.PositiveIntegerField(default=1, editable=False)

    objects = NationalReportQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["snapshot", "pdf", "pdf_version"])

    class Meta:
        verbose_name = _("national report")
        verbose_name_plural = _("national reports")
        ordering = ["-reporting_year__year"]

    def __str__(self):
        return str(self.reporting_year)

    def pdf_context(self):
        """Official only once published (DESIGN §10); the parts of Nghị định 30/2020/NĐ-CP
        the authority has not filled yet print as blanks to fill, never as invented text."""
        from portal.pdf import official_date

        from . import charts
        from .selectors import national_report_document

        document = national_report_document(self)
        snapshot = self.snapshot or {}
        summary, by_province = charts.national_report_charts(
            snapshot.get("totals") or {}, document["provinces"]
        )
        return {
            **document,
            "official": self.status == self.Status.PUBLISHED,
            "place": self.issued_place,
            "date_parts": official_date(self.issued_on) if self.issued_on else None,
            "signer_name": self.signer_name,
            "signer_title_lines": self.signer_title_lines,
            "recipient_lines": self.recipient_lines,
            "charts": summary,
            "province_chart": by_province,
        }

    def pdf_download_name(self):
        from portal.pdf import pdf_name

        return pdf_name("bao-cao-quoc-gia", self.reporting_year.year)

    # What may not be blank on a published report, in the order the form shows them.
    REQUIRED_FOR_PUBLICATION = ("number", "issued_on", "signer_name", "signer_title", "narrative")

    def missing_for_publication(self):
        """Names of the fields still empty that a published report must carry."""
        return [
            name
            for name in self.REQUIRED_FOR_PUBLICATION
            if not str(getattr(self, name) or "").strip()
        ]

    def missing_labels(self):
        """``{name: label}`` of the fields still missing, for messages and the pages."""
        return {
            name: self._meta.get_field(name).verbose_name for name in self.missing_for_publication()
        }

    @property
    def recipient_lines(self):
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]

    @property
    def signer_title_lines(self):
        return [line.strip() for line in self.signer_title.splitlines() if line.strip()]
