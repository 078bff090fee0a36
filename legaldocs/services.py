"""Writes to the legal library. Views, the admin, the seed command and tasks call these."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import public_cache
from portal.errors import InvalidInput
from portal.files import validate_upload
from portal.text import slugify_vi

from .models import (
    LEGAL_FILES,
    MAX_FILE_BYTES,
    Attachment,
    Document,
    PermalinkAlias,
    Relation,
    ReviewFlag,
    ValidityEvent,
)
from .validity import ENDING

# Documents that depend on a parent and must be re-checked when it is replaced or expires.
DEPENDENT_KINDS = (Relation.Kind.GUIDES, Relation.Kind.BASIS)


def _base_slug(document):
    if document.number:
        return slugify_vi(document.number, max_length=60)
    return "khong-so-" + (slugify_vi(document.title, max_length=60) or "van-ban")


def assign_permalink(document):
    """Give ``document`` its permalink slug, unique within type and year. The slug comes
    from the number, never the title, so editing the title keeps the link."""
    document.fill_derived_fields()
    base = _base_slug(document)
    candidates = [base, f"{base}-{document.issuing_body.slug}"[:120]]
    taken = set(
        Document.objects.filter(doc_type=document.doc_type, year_slug=document.year_slug)
        .exclude(pk=document.pk)
        .filter(slug__startswith=base)
        .values_list("slug", flat=True)
    )
    for candidate in candidates:
        if candidate not in taken:
            document.slug = candidate
            return
    counter = 2
    while f"{base}-{counter}" in taken:
        counter += 1
    document.slug = f"{base}-{counter}"


@transaction.atomic
def save_document(document):
    """Save a new or edited document. When its number, type or year changed, the old
    permalink is kept as an alias that redirects."""
    old = None
    if document.pk:
        old = (
            Document.objects.filter(pk=document.pk)
            .values("doc_type", "year_slug", "slug", "number", "issue_date")
            .first()
        )
    document.fill_derived_fields()
    if (
        old is None
        or old["slug"] == ""
        or (
            old["number"] != document.number
            or old["doc_type"] != document.doc_type
            or old["year_slug"] != document.year_slug
        )
    ):
        assign_permalink(document)
    else:
        document.slug = old["slug"]
    document.save()
    if (
        old
        and old["slug"]
        and (old["doc_type"], old["year_slug"], old["slug"])
        != (
            document.doc_type,
            document.year_slug,
            document.slug,
        )
    ):
        PermalinkAlias.objects.get_or_create(
            doc_type=old["doc_type"],
            year_slug=old["year_slug"],
            slug=old["slug"],
            defaults={"document": document},
        )
    # A document that takes over an old permalink must not be redirected away from it.
    PermalinkAlias.objects.filter(
        doc_type=document.doc_type, year_slug=document.year_slug, slug=document.slug
    ).delete()
    return document


def add_relation(*, source, kind, target, note=""):
    """Record "``source`` ``kind`` ``target``" once (idempotent), validated."""
    relation = Relation.objects.filter(source=source, kind=kind, target=target).first()
    if relation is None:
        relation = Relation(source=source, kind=kind, target=target, note=note)
        try:
            relation.full_clean()
        except ValidationError as exc:  # the model's own rules, in the portal's contract
            raise InvalidInput(exc) from exc
        relation.save()
    if kind == Relation.Kind.REPLACES:
        flag_dependents(target)
    return relation


def add_event(*, document, date, kind, source_document=None, part_affected="", note=""):
    """Record a dated validity event once (idempotent)."""
    event, created = ValidityEvent.objects.get_or_create(
        document=document,
        date=date,
        kind=kind,
        source_document=source_document,
        defaults={"part_affected": part_affected, "note": note},
    )
    if not created and (event.part_affected, event.note) != (part_affected, note):
        event.part_affected, event.note = part_affected, note
        event.save(update_fields=["part_affected", "note"])
    if kind in ENDING:
        flag_dependents(document)
    return event


def flag_dependents(parent):
    """When ``parent`` is replaced or expires, the documents that guide it or take it as
    their legal basis are flagged for a librarian's review; they do not expire with it.
    Idempotent: a flag a librarian resolved is not raised again for the same parent."""
    ends = (
        parent.events.filter(kind__in=ENDING).exists()
        or parent.relations_in.filter(kind=Relation.Kind.REPLACES).exists()
    )
    if not ends:
        return []
    dependents = Relation.objects.filter(target=parent, kind__in=DEPENDENT_KINDS).values_list(
        "source_id", flat=True
    )
    already = set(
        ReviewFlag.objects.filter(parent=parent, document_id__in=dependents).values_list(
            "document_id", flat=True
        )
    )
    # Stored in Vietnamese (the content language), whatever the librarian's UI language.
    reason = "Văn bản được hướng dẫn/căn cứ ({}) đã bị thay thế hoặc hết hiệu lực".format(  # noqa: UP032
        parent.number or parent.title[:60]
    )
    flags = [
        ReviewFlag(document_id=pk, parent=parent, reason=reason) for pk in set(dependents) - already
    ]
    ReviewFlag.objects.bulk_create(flags, ignore_conflicts=True)
    return flags


def resolve_flags(flags, user):
    # By primary key: ``request.user`` is a lazy object that ``update()`` cannot save.
    return flags.filter(resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by_id=getattr(user, "pk", None)
    )


def attach_file(*, document, upload, is_authoritative=False, description=""):
    """Attach a PDF or Word file, checked by content. The authoritative copy must be a PDF
    and replaces the previous authoritative flag."""
    mime = validate_upload(upload, LEGAL_FILES, MAX_FILE_BYTES)
    if is_authoritative and mime != "application/pdf":
        raise InvalidInput(_("Only a PDF file can be the authoritative copy."), code="not_pdf")
    with transaction.atomic():
        if is_authoritative:
            document.attachments.filter(is_authoritative=True).update(is_authoritative=False)
            # Queryset updates send no signal; the document's page shows which copy counts.
            public_cache.bump(public_cache.LEGALDOCS)
        # The shared attachment records the file's name, type and size when saved.
        attachment = Attachment(
            document=document,
            file=upload,
            is_authoritative=is_authoritative,
            description=description,
        )
        attachment.save()
    return attachment
