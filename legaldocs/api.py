"""Public API endpoints of the legal library (issue #14): search with the library's filters,
the exact number lookup, and a document with its validity on a given day and its relations
in both directions. The library is public: every document is everyone's to read."""

import datetime
import re
from typing import Annotated, Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from portal import public_cache
from portal.api import Pages, public_read
from portal.errors import InvalidInput
from portal.roles import get_object_in_scope

from . import selectors
from .filters import FIRST_YEAR, LAST_YEAR, library_filters
from .models import DocumentType
from .selectors import Sort
from .validity import Status, history, status_on, today

router = Router(tags=[_("Legal library")])

# The choices as enums in the schema, so that apps (and schemathesis) know them.
DocType = Literal[tuple(DocumentType.values)]
Validity = Literal[tuple(Status.values)]
SortOrder = Literal[Sort.ALL]


def _iso_day(value):
    # Pydantic would also take a number of seconds ("0" is 1 January 1970) for a date.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PydanticCustomError("date_parsing", "Enter a valid date.")
    return value


Day = Annotated[datetime.date, BeforeValidator(_iso_day)]
# What the library reads as a document number (selectors.parse_query): "19/2023/QH15".
NUMBER_PATTERN = r"^\s*[0-9]+[a-zA-ZđĐ]?(\s*[/-]\s*[0-9a-zA-ZđĐ-]+)*\s*$"


def _absolute(context, path):
    request = context.get("request") if context else None
    return request.build_absolute_uri(path) if request is not None else path


class TermOut(Schema):
    """An issuing body or a field of law: its slug (the filters' value) and its name in the
    language asked for."""

    slug: str
    name: str

    @staticmethod
    def resolve_name(term):
        return term.display_name


class DocumentOut(Schema):
    """A document as the library's list shows it."""

    id: int
    number: str
    type: str = Field(..., description=_("The type: luat, nghi-dinh, thong-tu, …"))
    type_label: str
    title: str
    summary: str
    issuing_body: TermOut
    field: TermOut | None
    signer: str
    issue_date: datetime.date | None
    effective_date: datetime.date | None
    status: str = Field(
        ...,
        description=_(
            "Validity on the day asked for (today by default): not_yet, in_force, "
            "partly_expired, expired, suspended or unknown."
        ),
    )
    status_label: str
    facts_uncertain: bool
    permalink: str

    @staticmethod
    def resolve_type(document):
        return document.doc_type

    @staticmethod
    def resolve_type_label(document):
        return str(document.get_doc_type_display())

    @staticmethod
    def resolve_status(document):
        return document.validity

    @staticmethod
    def resolve_status_label(document):
        return str(Status(document.validity).label)

    @staticmethod
    def resolve_facts_uncertain(document):
        return document.is_uncertain

    @staticmethod
    def resolve_permalink(document, context):
        return _absolute(context, document.get_absolute_url())


class HistoryOut(Schema):
    date: datetime.date
    label: str
    kind: str | None = Field(..., description=_("The event's kind; empty for issue and start."))
    by: str | None = Field(..., description=_("The number of the document that caused it."))
    part_affected: str
    note: str
    status: str = Field(..., description=_("The validity this step left the document in."))
    status_label: str


class RelatedOut(Schema):
    id: int
    number: str
    title: str
    permalink: str


class RelationOut(Schema):
    relation: str = Field(..., description=_("amends, replaces, guides, basis or references."))
    direction: str = Field(
        ...,
        description=_(
            "outgoing: this document amends (replaces, …) the other; incoming: the other one "
            "amends (replaces, …) this one."
        ),
    )
    label: str
    note: str
    document: RelatedOut
    status: str = Field(..., description=_("The other document's validity on the same day."))
    status_label: str


class AttachmentOut(Schema):
    name: str
    authoritative: bool
    url: str


class DocumentDetailOut(DocumentOut):
    """A document as its page shows it, its validity on the day ``on``."""

    on: datetime.date = Field(..., description=_("The day the validity is given for."))
    language: str
    has_full_text: bool
    body_html: str = Field(..., description=_("The full text, rendered and sanitised."))
    note: str
    sources: list = Field(..., description=_("Where the library took the document from."))
    history: list[HistoryOut]
    relations: list[RelationOut]
    attachments: list[AttachmentOut]
    updated_at: datetime.datetime

    # What the endpoint worked out for the day (``Document.history`` is the audit trail).
    @staticmethod
    def resolve_on(document):
        return document.api_day

    @staticmethod
    def resolve_has_full_text(document):
        return bool(document.body)

    @staticmethod
    def resolve_history(document):
        return document.api_history

    @staticmethod
    def resolve_relations(document):
        return document.api_relations

    @staticmethod
    def resolve_attachments(document, context):
        return [
            {
                "name": item.original_name,
                "authoritative": item.is_authoritative,
                "url": _absolute(context, item.get_absolute_url()),
            }
            for item in document.attachments.all()
        ]


class LibraryFilters(Schema):
    """The library page's filters; its FilterSet reads them. An unknown value is an error
    here, where the page drops it and says so."""

    q: str | None = Field(
        None,
        description=_(
            "A number (19/2023/QH15) or words, with or without diacritics; a “phrase in "
            "quotes”. At most 200 characters are used."
        ),
    )
    type: DocType | None = None
    body: str | None = Field(None, description=_("An issuing body's slug."))
    field: str | None = Field(None, description=_("A field of law's slug."))
    status: Validity | None = Field(None, description=_("Validity on the day as_of."))
    year_from: int | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR)
    year_to: int | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR)
    as_of: datetime.date | None = Field(
        None, description=_("The day for the validity, today by default.")
    )
    sort: SortOrder | None = Field(None, description=_("Most relevant first by default."))


@router.get(
    "/documents",
    response=list[DocumentOut],
    url_name="legaldocs-list",
    summary=_("Legal documents"),
    description=_(
        "The library's search: a number finds its documents, words are found with or "
        "without diacritics, ranked as on the library page; filtered as there."
    ),
)
@paginate(Pages)
def documents(request, filters: Query[LibraryFilters]):
    library = library_filters(request.GET)
    if library.form.errors:
        raise InvalidInput(library.form.errors.as_data())
    result = selectors.search(
        library.search_query,
        filters=library,
        sort=library.sort_order,
        as_of=library.validity_day,
    )
    return result.queryset


@router.get(
    "/documents/lookup",
    response=list[DocumentOut],
    url_name="legaldocs-lookup",
    summary=_("Documents by number"),
    description=_(
        "The documents with this number and symbol, matched as the library matches a number: "
        "spaces, case, đ/d and dashes do not matter, and 19/2023 also finds 19/2023/QH15. "
        "No document with it answers an empty list."
    ),
)
@paginate(Pages)
def lookup(
    request,
    # The pattern documents what the library reads as a number; the selector decides.
    number: Annotated[str, WithJsonSchema({"type": "string", "pattern": NUMBER_PATTERN})],
    on: Day | None = None,
):
    found = selectors.by_number(number, on)
    if found is None:
        raise InvalidInput(
            {
                "number": ValidationError(
                    _("Give a number as written on the document, for example 19/2023/QH15."),
                    code="invalid",
                )
            }
        )
    return found


@router.get(
    "/documents/{document_id}",
    response=DocumentDetailOut,
    url_name="legaldocs-detail",
    summary=_("One legal document"),
    description=_(
        "What the document's page shows: its validity on the day on (today by default), the "
        "history of its validity, its relations in both directions with the other "
        "documents' validity on that day, and its files."
    ),
)
def document(request, document_id: int, on: Day | None = None):
    found = get_object_in_scope(selectors.document_pages(), AnonymousUser(), pk=document_id)
    day = on or today()
    events = list(found.events.all())
    # ``validity`` is what the list's rows carry (annotated); here it is the day's.
    found.validity = Status(status_on(found, day, events)).value
    found.api_day = day
    found.api_history = [_history_row(row) for row in history(found, events)]
    found.api_relations = [
        _relation_row(request, row) for row in selectors.relations_of(found, day)
    ]
    return found


def _history_row(row):
    event = row["event"]
    return {
        "date": row["date"],
        "label": str(row["label"]),
        "kind": event.kind if event else None,
        "by": event.source_document.number if event and event.source_document else None,
        "part_affected": event.part_affected if event else "",
        "note": event.note if event else "",
        "status": Status(row["status"]).value,
        "status_label": str(row["status_label"]),
    }


def _relation_row(request, row):
    other = row["document"]
    return {
        "relation": row["kind"],
        "direction": "outgoing" if row["direction"] == "out" else "incoming",
        "label": str(row["label"]),
        "note": row["note"],
        "document": {
            "id": other.pk,
            "number": other.number,
            "title": other.title,
            "permalink": request.build_absolute_uri(other.get_absolute_url()),
        },
        "status": Status(row["status"]).value,
        "status_label": str(row["status_label"]),
    }


public_read("legaldocs-list", public_cache.LEGALDOCS)
public_read("legaldocs-lookup", public_cache.LEGALDOCS)
public_read("legaldocs-detail", public_cache.LEGALDOCS)
