"""Legal library: documents, typed relations, dated validity events, attachments.

Validity is never stored: :mod:`legaldocs.validity` derives it for any day from the
effective date and the events (DESIGN.md §5).
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from portal.attachments import Attachment as BaseAttachment
from portal.fields import fk, province_fk, user_fk
from portal.files import PDF, PDF_AND_WORD, sniff
from portal.markup import render_document
from portal.models import BilingualNameMixin
from portal.text import build_search_text, fold, nfc

UNKNOWN_YEAR_SLUG = "khong-ro-nam"
_YEAR_IN_NUMBER = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
_NUMBER_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "\\": "/"})

# The signed PDF, and Word files for editing (DOC/DOCX), judged by content.
LEGAL_FILES = PDF_AND_WORD
MAX_FILE_BYTES = 30 * 1024 * 1024


def normalize_number(value):
    """The form a document number is matched on: folded (đ → d, lower case), without
    spaces, with one kind of dash. ``"55/2024/NĐ-CP"`` → ``"55/2024/nd-cp"``."""
    return _NUMBER_SPACES.sub("", fold(value).translate(_DASHES))


def folded_words(*parts):
    """The folded text reduced to its words, one space apart: "19/2023/QH15, Điều 1." →
    "19 2023 qh15 dieu 1". The same words for ``LIKE`` (SQLite) and for PostgreSQL's
    full-text parser, which would otherwise keep "19/2023/qh15" as one token."""
    return " ".join(_NON_WORD.split(build_search_text(*parts))).strip()


def search_columns(doc_type, number, title, summary, body):
    """``(title_search, search_text)`` for a document. The type's slug is its folded
    Vietnamese name ("nghi-dinh"), so "nghi dinh 55 2024" finds Nghị định 55/2024/NĐ-CP."""
    kind = (doc_type or "").replace("-", " ")
    return (
        folded_words(kind, number, title),
        folded_words(kind, number, title, summary, strip_tags(body)),
    )


def unique(*fields, name, **kwargs):
    """A unique constraint on ``fields``, in one line."""
    return models.UniqueConstraint(fields=list(fields), name=name, **kwargs)


def year_from_number(number):
    match = _YEAR_IN_NUMBER.search(number or "")
    return int(match.group(1)) if match else None


class DocumentType(models.TextChoices):
    # The value is the permalink's type slug, so it stays Vietnamese in every language.
    LAW = "luat", _("Law")
    ORDINANCE = "phap-lenh", _("Ordinance")
    RESOLUTION = "nghi-quyet", _("Resolution")
    DECREE = "nghi-dinh", _("Decree")
    DECISION = "quyet-dinh", _("Decision")
    CIRCULAR = "thong-tu", _("Circular")
    JOINT_CIRCULAR = "thong-tu-lien-tich", _("Joint circular")
    DIRECTIVE = "chi-thi", _("Directive")
    CONCLUSION = "ket-luan", _("Conclusion")
    PLAN = "ke-hoach", _("Plan")
    OFFICIAL_LETTER = "cong-van", _("Official letter")
    OTHER = "khac", _("Other document")


class NamedTerm(BilingualNameMixin, models.Model):
    """A term of the library's vocabularies (issuing bodies, fields of law): a slug for
    URLs, a Vietnamese and an English name, and an order for lists."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.display_name


class IssuingBody(NamedTerm):
    # A province's own body (its People's Committee): its documents are the ones that
    # province's report counts. National bodies have none; their documents are counted
    # once, in the national report.
    province = province_fk("+", optional=True, on_delete=models.SET_NULL)

    class Meta(NamedTerm.Meta):
        verbose_name = _("issuing body")
        verbose_name_plural = _("issuing bodies")


class LegalField(NamedTerm):
    class Meta(NamedTerm.Meta):
        verbose_name = _("field of law")
        verbose_name_plural = _("fields of law")


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        # The library is public information: everyone sees every document.
        return self.all()


class Document(models.Model):
    class Language(models.TextChoices):
        VIETNAMESE = "vi", _("Vietnamese")
        ENGLISH = "en", _("English")

    number = models.CharField(
        _("number and symbol"),
        max_length=60,
        blank=True,
        help_text=_("As written on the document, for example 19/2023/QH15."),
    )
    number_normalized = models.CharField(
        _("normalised number"), max_length=60, blank=True, editable=False, db_index=True
    )
    doc_type = models.CharField(_("type"), max_length=30, choices=DocumentType.choices)
    title = models.TextField(pgettext_lazy("legal document", "title"))
    issuing_body = fk(IssuingBody, _("issuing body"), "documents")
    signer = models.CharField(_("signer"), max_length=120, blank=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True, db_index=True)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    field = fk(LegalField, _("field"), "documents", optional=True)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(
        _("full text"),
        blank=True,
        help_text=_("Leave empty when the full text is only at the source; never retype it."),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.VIETNAMESE
    )
    sources = models.JSONField(_("sources"), default=list, blank=True)
    note = models.TextField(_("librarian's note"), blank=True)
    is_uncertain = models.BooleanField(
        _("facts not fully verified"),
        default=False,
        help_text=_("Some dates or the validity could not be checked against the official source."),
    )
    # Permalink: /van-ban/<doc_type>/<year_slug>/<slug>/, assigned by services.
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, editable=False, db_index=True
    )
    year_slug = models.CharField(max_length=12, editable=False)
    slug = models.SlugField(_("permalink slug"), max_length=120, editable=False)
    # The full text rendered and sanitised when saved (pages show this, never Markdown).
    body_html = models.TextField(editable=False, blank=True, default="")
    # Folded copies for search (DESIGN.md §6).
    title_search = models.TextField(editable=False, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["title_search", "search_text", "body_html"])
    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ["-issue_date", "-pk"]
        constraints = [
            unique("doc_type", "year_slug", "slug", name="legaldoc_unique_permalink"),
            unique(
                "doc_type",
                "issuing_body",
                "number_normalized",
                condition=~Q(number_normalized=""),
                name="legaldoc_unique_number_per_issuer",
            ),
            models.CheckConstraint(
                condition=Q(effective_date__isnull=True)
                | Q(issue_date__isnull=True)
                | Q(effective_date__gte=models.F("issue_date")),
                name="legaldoc_effective_not_before_issue",
            ),
        ]

    def __str__(self):
        if self.number:
            return f"{self.get_doc_type_display()} {self.number}"
        return self.title[:80]

    def save(self, *args, **kwargs):
        self.fill_derived_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(
            "legaldocs:detail",
            kwargs={"doc_type": self.doc_type, "year": self.year_slug, "slug": self.slug},
        )

    def get_short_url(self):
        return reverse("legaldocs:short", kwargs={"pk": self.pk})

    def clean(self):
        super().clean()
        errors = {}
        if self.issue_date and self.effective_date and self.effective_date < self.issue_date:
            errors["effective_date"] = _(
                "The effective date cannot be before the issue date (%(date)s)."
            ) % {"date": self.issue_date.strftime("%d/%m/%Y")}
        normalized = normalize_number(self.number)
        if normalized and self.doc_type and self.issuing_body_id:
            duplicate = (
                Document.objects.filter(
                    doc_type=self.doc_type,
                    issuing_body_id=self.issuing_body_id,
                    number_normalized=normalized,
                )
                .exclude(pk=self.pk)
                .first()
            )
            if duplicate is not None:
                errors["number"] = _(
                    "This issuing body already has a document of this type numbered "
                    "%(number)s: %(title)s."
                ) % {"number": duplicate.number, "title": duplicate.title[:120]}
        if errors:
            raise ValidationError(errors)

    def fill_derived_fields(self):
        """The columns computed from the others: NFC text, normalised number, year, the
        rendered full text and the folded search columns. Pure (no queries); the slug is
        assigned by services."""
        self.number = nfc(self.number or "").strip()
        self.title = nfc(self.title or "").strip()
        self.summary = nfc(self.summary or "")
        self.body = nfc(self.body or "")
        self.signer = nfc(self.signer or "").strip()
        self.number_normalized = normalize_number(self.number)
        self.year = (
            (self.issue_date.year if self.issue_date else None)
            or year_from_number(self.number)
            or (self.effective_date.year if self.effective_date else None)
        )
        self.year_slug = str(self.year) if self.year else UNKNOWN_YEAR_SLUG
        self.body_html = render_document(self.body)
        self.title_search, self.search_text = search_columns(
            self.doc_type, self.number, self.title, self.summary, self.body
        )

    @property
    def start_date(self):
        """The day from which the document applies: its effective date, or its issue date
        when no effective date is known."""
        return self.effective_date or self.issue_date


class PermalinkAlias(models.Model):
    """A permalink the document had before its number or type was corrected: it keeps
    redirecting to the current one."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="aliases")
    doc_type = models.CharField(max_length=30)
    year_slug = models.CharField(max_length=12)
    slug = models.SlugField(max_length=120)

    class Meta:
        constraints = [unique("doc_type", "year_slug", "slug", name="legaldoc_unique_alias")]

    def __str__(self):
        return f"{self.doc_type}/{self.year_slug}/{self.slug}"


class ValidityEvent(models.Model):
    """A dated step of a document's validity; :mod:`legaldocs.validity` derives the status on
    any day from the effective date and these steps."""

    class Kind(models.TextChoices):
        EFFECTIVE = "effective", _("Takes effect")
        AMENDED = "amended", _("Amended")
        SUPPLEMENTED = "supplemented", _("Supplemented")
        PARTLY_REPEALED = "partly_repealed", _("Partly repealed")
        REPLACED = "replaced", _("Replaced")
        EXPIRED = "expired", _("Expired")
        SUSPENDED = "suspended", _("Suspended")
        RESUMED = "resumed", _("Resumed")

    document = fk(Document, _("document"), "events", on_delete=models.CASCADE)
    date = models.DateField(_("date"))
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    source_document = fk(
        Document, _("by document"), "caused_events", optional=True, on_delete=models.SET_NULL
    )
    part_affected = models.CharField(_("part affected"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("validity event")
        verbose_name_plural = _("validity events")
        ordering = ["date", "pk"]
        constraints = [
            unique("document", "date", "kind", "source_document", name="legaldoc_unique_event")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"

    def clean(self):
        super().clean()
        if (
            self.source_document_id
            and self.document_id
            and self.source_document_id == self.document_id
        ):
            raise ValidationError(
                {"source_document": _("A document cannot be the source of its own event.")}
            )


class Relation(models.Model):
    """A typed edge stored once (``source`` amends ``target``) and shown from both ends."""

    class Kind(models.TextChoices):
        AMENDS = "amends", _("amends")
        REPLACES = "replaces", _("replaces")
        GUIDES = "guides", _("guides")
        BASIS = "basis", _("has as legal basis")
        REFERENCES = "references", _("refers to")

    # How the edge reads from the target's side.
    REVERSE_LABELS = {
        Kind.AMENDS: _("amended by"),
        Kind.REPLACES: _("replaced by"),
        Kind.GUIDES: _("guided by"),
        Kind.BASIS: _("legal basis for"),
        Kind.REFERENCES: _("referred to by"),
    }

    source = fk(Document, _("document"), "relations_out", on_delete=models.CASCADE)
    kind = models.CharField(_("relation"), max_length=20, choices=Kind.choices)
    target = fk(Document, _("other document"), "relations_in", on_delete=models.CASCADE)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        ordering = ["kind", "pk"]
        constraints = [
            unique("source", "kind", "target", name="legaldoc_unique_relation"),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="legaldoc_relation_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.get_kind_display()} {self.target}"

    @property
    def reverse_label(self):
        return self.REVERSE_LABELS[self.kind]

    def clean(self):
        super().clean()
        if self.source_id and self.target_id and self.source_id == self.target_id:
            raise ValidationError({"target": _("A document cannot be related to itself.")})
        if self.kind == self.Kind.REPLACES and self.source_id and self.target_id:
            from .validity import replacement_creates_cycle

            if replacement_creates_cycle(self.source_id, self.target_id, exclude_pk=self.pk):
                raise ValidationError(
                    {
                        "target": _(
                            "This replacement would make a cycle: the other document already "
                            "replaces this one, directly or through other documents."
                        )
                    }
                )


class ReviewFlag(models.Model):
    """A document that guides (or is based on) a replaced or expired document: a librarian
    checks it by hand instead of it expiring automatically."""

    document = fk(Document, _("document"), "flags", on_delete=models.CASCADE)
    parent = fk(Document, _("parent document"), "dependent_flags", on_delete=models.CASCADE)
    reason = models.CharField(_("reason"), max_length=255)
    created_at = models.DateTimeField(_("flagged"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    resolved_by = user_fk(_("reviewed by"))

    class Meta:
        verbose_name = _("review flag")
        verbose_name_plural = _("review flags")
        ordering = ["resolved_at", "-created_at"]
        constraints = [unique("document", "parent", name="legaldoc_unique_flag")]

    def __str__(self):
        return f"{self.document}: {self.reason}"


class Attachment(BaseAttachment):
    """A file of a document: the signed PDF, or Word files for editing (DOC/DOCX), judged
    by content (``portal.attachments``)."""

    upload_prefix = "legaldocs"
    upload_kinds = "pdf_and_word"
    max_upload_bytes = MAX_FILE_BYTES

    document = fk(Document, _("document"), "attachments", on_delete=models.CASCADE)
    is_authoritative = models.BooleanField(
        _("authoritative signed PDF"),
        default=False,
        help_text=_("The official signed copy. Only one per document, and it must be a PDF."),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-is_authoritative", "pk"]
        constraints = [
            unique(
                "document",
                condition=Q(is_authoritative=True),
                name="legaldoc_one_authoritative_file",
            )
        ]

    def get_absolute_url(self):
        return reverse("legaldocs:attachment", kwargs={"pk": self.pk})

    def clean(self):
        super().clean()
        if self.file and not getattr(self.file, "_committed", True):
            mime = sniff(self.file)
            if mime not in LEGAL_FILES:
                return  # the field validator reports it
            if self.is_authoritative and mime not in PDF:
                raise ValidationError(
                    {"is_authoritative": _("Only a PDF file can be the authoritative copy.")}
                )
