"""Public API endpoints of warnings and recalls (issue #14): the list with the page's own
filters and search, one warning, and the barcode lookup. No account needed: every read is
the public's (``ConsumerWarning.objects.visible_to`` an anonymous user, whoever asks), so an
answer never depends on a session and the shared cache may keep it."""

import datetime
from typing import Annotated, Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import WithJsonSchema

from portal import public_cache
from portal.api import Pages, cleaned, public_read
from portal.errors import InvalidInput

from . import selectors
from .filters import parse_filters
from .gtin import normalise_gtin, validate_gtin
from .models import ConsumerWarning

# The choices as enums in the schema (apps and schemathesis see them); an empty value is
# left out, as a missing one is.
Kind = Literal[tuple(ConsumerWarning.Kind.values)]
Hazard = Literal[tuple(ConsumerWarning.Hazard.values)]
Risk = Literal[tuple(value for value in ConsumerWarning.Risk.values if value)]

router = Router(tags=[_("Warnings and recalls")])

# 8 to 14 digits, with the spaces, dots and dashes people type between them.
GTIN_PATTERN = r"^[0-9][0-9 .-]{6,30}[0-9]$"


def _absolute(context, path):
    request = context.get("request") if context else None
    return request.build_absolute_uri(path) if request is not None else path


class PhotoOut(Schema):
    url: str
    alt_text: str
    width: int
    height: int

    @staticmethod
    def resolve_url(photo, context):
        return _absolute(context, photo.get_absolute_url())


class WarningOut(Schema):
    """A warning as the public list shows it."""

    id: int
    slug: str
    url: str = Field(..., description=_("The warning's page on the portal."))
    status: str = Field(..., description=_("published, or withdrawn (its page says so)."))
    kind: str
    kind_label: str
    title: str
    summary: str
    product_name: str
    brand: str
    model_number: str
    batch: str
    gtin: str
    sector: str = Field(..., description=_("The sector's code (see /sectors)."))
    sector_name: str
    hazard: str
    hazard_label: str
    risk_level: str
    risk_label: str
    measures: list[str]
    measure_labels: list[str]
    responsible_business: str
    affected_provinces: list[str] = Field(
        ...,
        description=_("Codes of the provinces concerned; empty: the whole country."),
    )
    published_at: datetime.datetime | None = Field(
        ..., description=_("Empty for an imported notice whose source gives no date.")
    )
    updated_at: datetime.datetime | None
    photos: list[PhotoOut]

    @staticmethod
    def resolve_url(warning, context):
        return _absolute(context, warning.get_absolute_url())

    @staticmethod
    def resolve_kind_label(warning):
        return str(warning.get_kind_display())

    @staticmethod
    def resolve_sector(warning):
        return warning.sector.code

    @staticmethod
    def resolve_sector_name(warning):
        return warning.sector.display_name

    @staticmethod
    def resolve_hazard_label(warning):
        return str(warning.get_hazard_display())

    @staticmethod
    def resolve_risk_label(warning):
        return str(warning.get_risk_level_display())

    @staticmethod
    def resolve_measures(warning):
        return list(warning.measures or [])

    @staticmethod
    def resolve_measure_labels(warning):
        return [str(label) for label in warning.measure_labels]

    @staticmethod
    def resolve_responsible_business(warning):
        return warning.responsible

    @staticmethod
    def resolve_affected_provinces(warning):
        return [province.code or "" for province in warning.provinces.all()]

    @staticmethod
    def resolve_photos(warning):
        return list(warning.photos.all())


class RecallOut(Schema):
    """What a recall notice must say (Luật 19/2023/QH15 Điều 33; Nghị định 55/2024/NĐ-CP)."""

    defect_group: str
    defect_group_label: str
    defect: str
    risk: str
    identification: str
    time_place_method: str
    remedy: str
    contact: str


class SourceOut(Schema):
    issuing_body: str
    reference_number: str
    url: str
    note: str
    date: datetime.date | None


class EventOut(Schema):
    action: str
    action_label: str
    at: datetime.datetime
    note: str
    changed_fields: list[str]


class WarningDetailOut(WarningOut):
    """A warning as its page shows it."""

    body_markdown: str
    body_html: str = Field(..., description=_("The body rendered and sanitised, as the page."))
    production_from: datetime.date | None
    production_to: datetime.date | None
    production_period: str
    quantity: str
    origin_country: str
    how_to_check: str
    recall: RecallOut | None = Field(..., description=_("Only for a recall."))
    source: SourceOut
    update_note: str
    withdrawn_at: datetime.datetime | None
    withdrawal_reason: str
    history: list[EventOut]

    @staticmethod
    def resolve_body_markdown(warning):
        return warning.body

    @staticmethod
    def resolve_production_period(warning):
        return warning.production_note

    @staticmethod
    def resolve_recall(warning):
        if not warning.is_recall:
            return None
        return {
            "defect_group": warning.defect_group,
            "defect_group_label": str(warning.get_defect_group_display()),
            "defect": warning.defect,
            "risk": warning.risk_description,
            "identification": warning.identification,
            "time_place_method": warning.recall_time_place,
            "remedy": warning.remedy,
            "contact": warning.contact,
        }

    @staticmethod
    def resolve_source(warning):
        return {
            "issuing_body": warning.source_agency,
            "reference_number": warning.reference_number,
            "url": warning.source_url,
            "note": warning.source_note,
            "date": warning.issued_on,
        }

    @staticmethod
    def resolve_history(warning):
        return [
            {
                "action": event.action,
                "action_label": str(event.get_action_display()),
                "at": event.at,
                "note": event.note,
                "changed_fields": [c["field"] for c in event.changes.get("fields", [])],
            }
            for event in selectors.public_events(warning)
        ]


class WarningFilters(Schema):
    """The public list's filters: the page's own FilterSet reads them (and their ``from`` and
    ``to`` aliases); an unknown value is an error here, where the page drops it."""

    q: str | None = Field(
        None, description=_("Words to find, with or without diacritics ('am sieu toc').")
    )
    gtin: str | None = Field(None, description=_("Barcode (GTIN-8, -12, -13 or -14)."))
    kind: Kind | None = None
    sector: str | None = Field(None, description=_("A sector's code (see /sectors)."))
    hazard: Hazard | None = None
    risk: Risk | None = None
    province: str | None = Field(
        None,
        description=_(
            "A province's code, or a former province's name or slug (read as its successor): "
            "the warnings naming it and those for the whole country."
        ),
    )
    date_from: datetime.date | None = Field(None, description=_("Published on or after."))
    date_to: datetime.date | None = Field(None, description=_("Published on or before."))


def _public():
    # The public's view whoever asks: a session cookie or token changes nothing here.
    return AnonymousUser()


@router.get(
    "/warnings",
    response=list[WarningOut],
    url_name="warnings-list",
    summary=_("Warnings and recalls"),
    description=_(
        "Published warnings and recalls, newest first (a notice whose date is unknown last), "
        "with the same filters and diacritic-blind search as the portal's list."
    ),
)
@paginate(Pages)
def warnings(request, filters: Query[WarningFilters]):
    warning_filter = parse_filters(request.GET)
    cleaned(warning_filter.form)
    return selectors.listed_warnings(warning_filter)


@router.get(
    "/warnings/gtin/{gtin}",
    response=list[WarningOut],
    url_name="warnings-gtin",
    summary=_("Warnings for a barcode"),
    description=_(
        "The published warnings about a product with this barcode (GTIN-8, -12, -13 or -14; "
        "a GTIN-13 also finds its GTIN-14 with a leading zero). A barcode with no warning "
        "answers an empty list, not 404; a malformed one answers 422."
    ),
)
@paginate(Pages)
def warnings_for_gtin(
    request,
    # The pattern documents the form; the check digit is checked below, with its own message.
    gtin: Annotated[str, WithJsonSchema({"type": "string", "pattern": GTIN_PATTERN})],
):
    code = normalise_gtin(gtin)
    try:
        if not code:  # only separators: the filter would match everything
            raise ValidationError(_("Type the digits under the barcode."), code="required")
        validate_gtin(code)
    except ValidationError as error:
        raise InvalidInput({"gtin": error.error_list}) from error
    return selectors.listed_warnings(parse_filters({"gtin": code}))


@router.get(
    "/warnings/{warning_id}",
    response=WarningDetailOut,
    url_name="warnings-detail",
    summary=_("One warning"),
    description=_(
        "What the warning's page shows. A withdrawn warning still answers, with its status, "
        "date and reason, as its page does; a draft is not found."
    ),
)
def warning(request, warning_id: int):
    return selectors.warning_for(_public(), warning_id)


public_read("warnings-list", public_cache.WARNINGS, public_cache.PORTAL)
public_read("warnings-gtin", public_cache.WARNINGS, public_cache.PORTAL)
public_read("warnings-detail", public_cache.WARNINGS, public_cache.PORTAL)
