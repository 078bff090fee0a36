"""The self-assessment part's API endpoints (issue #14): the public results and business
pages, and a business's own assessments (start, fill, evidence, submit).

Public reads show what the public pages show (``public_views``): verified results only,
never answers, evidence, points or comments. A business's endpoints answer only its
members: anybody else, officers included, gets 404 for its assessments (officers review on
the portal's pages). Every write goes through :mod:`selfassess.services`, the same as the
pages, so the API cannot accept what the pages refuse.
"""

import re
from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from portal import public_cache
from portal.api import Pages, cleaned, file_download, public_read, session_auth
from portal.errors import InvalidInput, InvalidTransition, NotAllowed
from portal.models import TAX_CODE_PATTERN, Business
from portal.roles import get_actor, get_object_in_scope

from . import selectors, services
from .filters import OwnAssessmentFilter, PublicResultFilter
from .forms import StartForm
from .models import Assessment, AssessmentEvent, Criterion, Evidence
from .record import business_record
from .workflow import business_member

router = Router(tags=[gettext_lazy("Self-assessment")])

# A note longer than this is cut, as the page's autosave does.
NOTE_MAX = 4000


# --- Shared pieces ----------------------------------------------------------------------


class SelfassessRef(Schema):
    id: int
    name: str


class BandRef(Schema):
    code: str
    label: str


class CriteriaSetOut(Schema):
    id: int
    code: str
    version: int
    title: str
    title_en: str
    year: int | None
    is_practice: bool


def _named(row):
    return {"id": row.pk, "name": row.display_name} if row is not None else None


def _band(band):
    return {"code": band.code, "label": band.display_label} if band is not None else None


def _set(criteria_set):
    return {
        "id": criteria_set.pk,
        "code": criteria_set.code,
        "version": criteria_set.version,
        "title": criteria_set.title,
        "title_en": criteria_set.title_en,
        "year": criteria_set.year,
        "is_practice": criteria_set.is_practice,
    }


def _form_data(values):
    """Query values as the page's filter form receives them (unset ones left out)."""
    return {key: str(value) for key, value in values.items() if value not in (None, "")}


def _valid_filter(filterset):
    # The page reports a bad value and leaves it out; an app is told, and nothing is listed.
    cleaned(filterset.form)
    return filterset.qs


# --- Public results ---------------------------------------------------------------------


class PublicResultFilters(Schema):
    q: str | None = Field(
        None,
        max_length=100,
        description=gettext_lazy(
            "Business name (with or without diacritics) or its whole tax code."
        ),
    )
    province: int | None = Field(
        None,
        description=gettext_lazy("A province's id; a former province's is read as its successor."),
    )
    sector: int | None = Field(None, description=gettext_lazy("Sector id."))
    set: str | None = Field(None, max_length=60, description=gettext_lazy("Criteria set code."))
    year: int | None = Field(None, description=gettext_lazy("Year of the criteria set."))
    band: str | None = Field(None, max_length=30, description=gettext_lazy("Band code."))


class PublicCriteriaSetOut(Schema):
    code: str
    title: str
    title_en: str
    year: int | None


class PublicResultOut(Schema):
    """One business with a verified result: what the public list shows."""

    tax_code: str
    name: str
    short_name: str
    province: SelfassessRef
    sector: SelfassessRef | None
    criteria_set: PublicCriteriaSetOut
    band: BandRef | None = Field(
        ..., description=gettext_lazy("Empty when the set's thresholds are not published.")
    )
    verified_on: date | None


def _result_set(criteria_set):
    return {
        "code": criteria_set.code,
        "title": criteria_set.title,
        "title_en": criteria_set.title_en,
        "year": criteria_set.year,
    }


def _verified_on(assessment):
    return timezone.localdate(assessment.decided_at) if assessment.decided_at else None


def _public_row(assessment):
    """A public result from an assessment the selector loaded with its business, province,
    sector, set and band (no query of its own)."""
    business = assessment.business
    return {
        "tax_code": business.tax_code,
        "name": business.name,
        "short_name": business.short_name,
        "province": _named(business.province),
        "sector": _named(business.sector) if business.sector_id else None,
        "criteria_set": _result_set(assessment.criteria_set),
        "band": _band(assessment.band) if assessment.band_id else None,
        "verified_on": _verified_on(assessment),
    }


class _Rows:
    """A queryset paged by :class:`portal.api.Pages` whose page is turned into rows by
    ``convert`` once sliced: the answer is built from the page's objects only."""

    def __init__(self, queryset, convert):
        self.queryset = queryset
        self.convert = convert

    def count(self):
        return self.queryset.count()

    def capped_count(self, limit):
        # As portal.pagination counts a queryset: up to ``limit`` rows, without ordering.
        return self.queryset.order_by()[:limit].count()

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        return [self.convert(row) for row in self.queryset[key]]

    # Django's paginator checks that a queryset is ordered.
    @property
    def ordered(self):
        return self.queryset.ordered


@router.get(
    "/businesses",
    response=list[PublicResultOut],
    url_name="selfassess-results",
    summary=gettext_lazy("Businesses with a verified self-assessment"),
    description=gettext_lazy(
        "The public results list: businesses whose latest self-assessment was verified, with "
        "the same filters and diacritic-blind search as the page. Answers, points and evidence "
        "are confidential and never shown."
    ),
)
@paginate(Pages)
def results(request, filters: Query[PublicResultFilters]):
    filterset = PublicResultFilter(
        _form_data(filters.model_dump()),
        queryset=selectors.public_results(),
        choices=selectors.public_filter_choices(),
    )
    return _Rows(_valid_filter(filterset), _public_row)


class BusinessTimelinessOut(Schema):
    steps: int
    late: int = Field(..., description=gettext_lazy("Done late, or still open after the deadline."))
    on_time_share: float | None = Field(
        ..., description=gettext_lazy("Percentage on time; empty below the publishing minimum.")
    )
    on_time: int
    overdue: int = Field(
        ...,
        description=gettext_lazy("Of the late steps, those still open after the deadline."),
    )


class VerificationSignalsOut(Schema):
    """Counts only: no complaint or person is named."""

    complaints_open: int
    complaints_overdue: int
    warnings: int


class VerifiedResultOut(Schema):
    criteria_set: PublicCriteriaSetOut
    band: BandRef | None
    verified_on: date | None
    score: float = Field(..., description=gettext_lazy("The verified score, in percent."))
    signals_at_verification: VerificationSignalsOut | None = Field(
        ...,
        description=gettext_lazy(
            "The complaints open and the warnings in force when the result was verified; "
            "empty for results verified before this was recorded."
        ),
    )


class BusinessWarningOut(Schema):
    id: int
    url: str = Field(..., description=gettext_lazy("The warning's page on the portal."))
    kind: str
    kind_label: str
    title: str
    published_on: date | None
    withdrawn_on: date | None = Field(
        ..., description=gettext_lazy("Set when the warning was withdrawn (its page says so).")
    )


class PublicBusinessOut(Schema):
    tax_code: str
    name: str
    short_name: str
    address: str
    province: SelfassessRef
    sector: SelfassessRef | None
    website: str
    complaint_steps: BusinessTimelinessOut = Field(
        ..., description=gettext_lazy("The business's statutory complaint steps on time.")
    )
    current: VerifiedResultOut | None = Field(
        ..., description=gettext_lazy("The published result: the latest decision, if verified.")
    )
    verified: list[VerifiedResultOut]
    warnings: list[BusinessWarningOut] = Field(
        ...,
        description=gettext_lazy(
            "Published warnings and recalls naming the business, then the withdrawn ones."
        ),
    )
    nothing_published: bool = Field(
        ...,
        description=gettext_lazy(
            "No verified result, no complaint step to count and no warning or recall."
        ),
    )


def _verified(assessment):
    return {
        "criteria_set": _result_set(assessment.criteria_set),
        "band": _band(assessment.band) if assessment.band_id else None,
        "verified_on": _verified_on(assessment),
        "score": float(assessment.percent),
        "signals_at_verification": assessment.signals_at_verification,
    }


def _day(moment):
    return timezone.localdate(moment) if moment else None


def _warning(request, warning):
    return {
        "id": warning.pk,
        "url": request.build_absolute_uri(warning.get_absolute_url()),
        "kind": warning.kind,
        "kind_label": warning.get_kind_display(),
        "title": warning.title,
        "published_on": _day(warning.published_at),
        "withdrawn_on": _day(warning.withdrawn_at) if warning.withdrawn_at else None,
    }


_NO_STEPS = {"steps": 0, "late": 0, "on_time_share": None, "on_time": 0, "overdue": 0}


@router.get(
    "/businesses/{tax_code}",
    response=PublicBusinessOut,
    url_name="selfassess-business",
    summary=gettext_lazy("A business's public page"),
    description=gettext_lazy(
        "What the business's public page shows (its public record): its registered details, "
        "its complaint steps on time, its verified self-assessments and the warnings and "
        "recalls naming it."
    ),
)
def business_page(request, tax_code: str):
    # Not a tax code: nothing to look up (and no NUL byte ever reaches the database).
    if not re.fullmatch(TAX_CODE_PATTERN, tax_code):
        raise Http404
    business = get_object_or_404(
        Business.objects.select_related("province", "sector"), tax_code=tax_code
    )
    record = business_record(business)
    return {
        "tax_code": business.tax_code,
        "name": business.name,
        "short_name": business.short_name,
        "address": business.address,
        "province": _named(business.province),
        "sector": _named(business.sector) if business.sector_id else None,
        "website": business.website,
        "complaint_steps": record.timeliness or _NO_STEPS,
        "current": _verified(record.current) if record.current else None,
        "verified": [_verified(a) for a in record.results],
        "warnings": [_warning(request, w) for w in record.warnings],
        "nothing_published": record.nothing_published,
    }


public_read("selfassess-results", public_cache.SELFASSESS, public_cache.PORTAL)
# The record shows warnings and complaint steps too, as the business's page does.
public_read(
    "selfassess-business",
    public_cache.SELFASSESS,
    public_cache.PORTAL,
    public_cache.WARNINGS,
    public_cache.COMPLAINT_STATS,
    seconds=public_cache.STATS_SECONDS,
)


# --- A business's assessments -----------------------------------------------------------


def _own(request, pk):
    """The assessment, for a member of its business only: 404 for anyone else."""
    user = request.auth
    assessment = get_object_in_scope(
        Assessment.objects.select_related("business", "criteria_set", "band"), user, pk=pk
    )
    if not business_member(get_actor(user), assessment):
        raise NotAllowed(f"assessment {pk}: not a member of its business")
    return assessment


class AssessmentRowOut(Schema):
    id: int
    business: SelfassessRef
    tax_code: str
    criteria_set: CriteriaSetOut
    status: str
    status_label: str
    editable: bool
    percent: Decimal
    band: BandRef | None
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None


def _row(assessment):
    business = assessment.business
    return {
        "id": assessment.pk,
        "business": {"id": business.pk, "name": business.name},
        "tax_code": business.tax_code,
        "criteria_set": _set(assessment.criteria_set),
        "status": assessment.status,
        "status_label": assessment.get_status_display(),
        "editable": assessment.is_editable,
        "percent": assessment.percent,
        "band": _band(assessment.band) if assessment.band_id else None,
        "created_at": assessment.created_at,
        "submitted_at": assessment.submitted_at,
        "decided_at": assessment.decided_at,
    }


class AssessmentFilters(Schema):
    status: Assessment.Status | None = None


@router.get(
    "/assessments",
    response=list[AssessmentRowOut],
    auth=session_auth,
    url_name="selfassess-assessments",
    summary=gettext_lazy("My businesses' assessments"),
    description=gettext_lazy(
        "The self-assessments of the businesses the signed-in person is a member of, newest first."
    ),
)
@paginate(Pages)
def my_assessments(request, filters: Query[AssessmentFilters]):
    filterset = OwnAssessmentFilter(
        _form_data(filters.model_dump()), queryset=selectors.assessments_of_user(request.auth)
    )
    return _Rows(_valid_filter(filterset), _row)


@router.get(
    "/criteria-sets",
    response=list[CriteriaSetOut],
    url_name="selfassess-sets",
    summary=gettext_lazy("Criteria sets open for assessments"),
)
def startable_sets(request):
    return [_set(row) for row in selectors.startable_sets()]


public_read("selfassess-sets", public_cache.SELFASSESS)


class AssessmentStartIn(Schema):
    business: int = Field(..., description=gettext_lazy("Id of one of my businesses."))
    criteria_set: int = Field(..., description=gettext_lazy("Id of a criteria set open now."))


class AnswerChoiceOut(Schema):
    value: str
    label: str


class AssessmentAnswerOut(Schema):
    value: str
    note: str
    updated_at: datetime | None


class AssessmentEvidenceOut(Schema):
    id: int
    criterion: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime


class AssessmentCriterionOut(Schema):
    id: int
    code: str
    text: str
    guidance: str
    kind: str
    choices: list[AnswerChoiceOut]
    points: int | None
    evidence_required: bool
    answer: AssessmentAnswerOut | None
    evidence: list[AssessmentEvidenceOut]
    comment: str = Field(
        ..., description=gettext_lazy("The officer's comment of the latest request for changes.")
    )


class AssessmentGroupOut(Schema):
    id: int
    code: str
    title: str
    points: Decimal
    max_points: Decimal
    answered: int
    total: int
    criteria: list[AssessmentCriterionOut]


class AssessmentScoreOut(Schema):
    points: Decimal
    max_points: Decimal
    percent: Decimal
    uses_points: bool
    screening_passed: bool | None
    passed: bool | None
    band: BandRef | None
    answered: int
    total: int
    progress: int


class AssessmentMissingOut(Schema):
    criterion: int
    code: str
    message: str


class AssessmentEventOut(Schema):
    kind: str
    label: str
    at: datetime
    note: str


class AssessmentOut(AssessmentRowOut):
    score: AssessmentScoreOut
    missing: list[AssessmentMissingOut] = Field(
        ..., description=gettext_lazy("What stops a submission (empty once it can be sent).")
    )
    groups: list[AssessmentGroupOut]
    events: list[AssessmentEventOut]


def _score(score):
    return {
        "points": score.points,
        "max_points": score.max_points,
        "percent": score.percent,
        "uses_points": score.uses_points,
        "screening_passed": score.screening_passed,
        "passed": score.passed,
        "band": _band(score.band),
        "answered": score.answered,
        "total": score.total,
        "progress": score.progress,
    }


def _evidence(item):
    return {
        "id": item.pk,
        "criterion": item.criterion_id,
        "name": item.original_name,
        "content_type": item.content_type,
        "size": item.size,
        "uploaded_at": item.uploaded_at,
    }


def _latest_comments(assessment):
    event = (
        assessment.events.filter(kind=AssessmentEvent.Kind.CHANGES_REQUESTED)
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return {}
    return {c.criterion_id: c.text for c in event.comments.all()}


def _detail(assessment):
    score = selectors.score_of(assessment)
    answers = {a.criterion_id: a for a in assessment.answers.all()}
    files = {}
    for item in assessment.evidence.order_by("uploaded_at", "pk"):
        files.setdefault(item.criterion_id, []).append(_evidence(item))
    comments = _latest_comments(assessment)
    missing = services.missing_items(assessment) if assessment.is_editable else []
    groups = []
    for subtotal in score.groups:
        group = subtotal.group
        criteria = []
        for criterion in group.criteria_list:
            answer = answers.get(criterion.pk)
            criteria.append(
                {
                    "id": criterion.pk,
                    "code": criterion.code,
                    "text": criterion.text,
                    "guidance": criterion.guidance,
                    "kind": criterion.kind,
                    "choices": [
                        {"value": c.value, "label": str(c.label)} for c in criterion.choices
                    ],
                    "points": criterion.points,
                    "evidence_required": criterion.evidence_required,
                    "answer": {
                        "value": answer.value,
                        "note": answer.note,
                        "updated_at": answer.updated_at,
                    }
                    if answer
                    else None,
                    "evidence": files.get(criterion.pk, []),
                    "comment": comments.get(criterion.pk, ""),
                }
            )
        groups.append(
            {
                "id": group.pk,
                "code": group.code,
                "title": group.title,
                "points": subtotal.points,
                "max_points": subtotal.max_points,
                "answered": subtotal.answered,
                "total": subtotal.total,
                "criteria": criteria,
            }
        )
    return _row(assessment) | {
        "score": _score(score),
        "missing": [{"criterion": c.pk, "code": c.code, "message": m} for c, m in missing],
        "groups": groups,
        "events": [
            {"kind": e.kind, "label": e.get_kind_display(), "at": e.at, "note": e.note}
            for e in assessment.events.all()
        ],
    }


@router.post(
    "/assessments",
    response={200: AssessmentOut, 201: AssessmentOut},
    auth=session_auth,
    url_name="selfassess-start",
    summary=gettext_lazy("Start an assessment"),
    description=gettext_lazy(
        "Start a self-assessment of one of my businesses against a criteria set open now. "
        "When one is already open for the same business and set, that one is returned (200)."
    ),
)
def start(request, payload: AssessmentStartIn):
    user = request.auth
    actor = get_actor(user)
    if not actor.business_ids:
        raise NotAllowed(f"user {user.pk}: no business to assess")
    # The page's form: only an open set, only one of the person's businesses.
    form = StartForm(
        {"business": payload.business, "criteria_set": payload.criteria_set},
        sets=selectors.startable_sets(),
        businesses=Business.objects.filter(pk__in=actor.business_ids),
    )
    data = cleaned(form)
    business, criteria_set = data["business"], data["criteria_set"]
    already = Assessment.objects.filter(
        business=business, criteria_set=criteria_set, status__in=Assessment.EDITABLE
    ).exists()
    assessment = services.start_assessment(user=user, business=business, criteria_set=criteria_set)
    return Status(200 if already else 201, _detail(_own(request, assessment.pk)))


@router.get(
    "/assessments/{assessment_id}",
    response=AssessmentOut,
    auth=session_auth,
    url_name="selfassess-assessment",
    summary=gettext_lazy("An assessment, with its criteria, answers, score and what is missing"),
)
def assessment_detail(request, assessment_id: int):
    return _detail(_own(request, assessment_id))


class AssessmentAnswerIn(Schema):
    criterion: int
    value: str = Field(
        "",
        max_length=15,
        description=gettext_lazy("One of the criterion's choices; empty clears the answer."),
    )
    note: str | None = Field(
        None,
        description=gettext_lazy(
            "The explanation (cut at 4,000 characters); left out, the stored one is kept."
        ),
    )


class AssessmentAnswersIn(Schema):
    answers: list[AssessmentAnswerIn] = Field(..., min_length=1, max_length=500)


class AssessmentSavedOut(Schema):
    score: AssessmentScoreOut
    screening_failed: bool
    saved_at: datetime


@router.patch(
    "/assessments/{assessment_id}/answers",
    response=AssessmentSavedOut,
    auth=session_auth,
    url_name="selfassess-answers",
    summary=gettext_lazy("Save answers"),
    description=gettext_lazy(
        "Save some answers, as the page saves each one as it is typed: the answers not sent "
        "are kept, the last write wins, and either every answer sent is saved or none is."
    ),
)
def save_answers(request, assessment_id: int, payload: AssessmentAnswersIn):
    assessment = _own(request, assessment_id)
    criteria = {c.pk: c for c in Criterion.objects.filter(criteria_set=assessment.criteria_set)}
    items, errors = {}, {}
    for index, item in enumerate(payload.answers):
        criterion = criteria.get(item.criterion)
        if criterion is None:
            errors[f"answers.{index}.criterion"] = [_("Unknown criterion.")]
        elif item.value and item.value not in criterion.choices:
            errors[f"answers.{index}.value"] = [_("This answer is not one of the choices.")]
        else:
            note = item.note[:NOTE_MAX] if item.note is not None else None
            items[criterion] = (item.value, note)
    if errors:
        raise InvalidInput(errors)
    score = services.save_answers(assessment=assessment, items=items, user=request.auth)
    return {
        "score": _score(score),
        "screening_failed": bool(score.failed_screening),
        "saved_at": timezone.now(),
    }


@router.post(
    "/assessments/{assessment_id}/evidence",
    response={201: AssessmentEvidenceOut},
    auth=session_auth,
    url_name="selfassess-evidence-add",
    summary=gettext_lazy("Attach an evidence file"),
    description=gettext_lazy(
        "A multipart form with the criterion's id and the file (PDF, image or office document, "
        "at most 20 MB), checked by its content."
    ),
)
def add_evidence(
    request, assessment_id: int, criterion: Form[int], file: File[UploadedFile | None] = None
):
    assessment = _own(request, assessment_id)
    if file is None:
        # Checked after the scope, so that another business's assessment answers 404.
        raise InvalidInput({"file": [forms.Field.default_error_messages["required"]]})
    row = Criterion.objects.filter(pk=criterion, criteria_set=assessment.criteria_set).first()
    if row is None:
        raise InvalidInput({"criterion": [_("Unknown criterion.")]})
    try:
        evidence = services.add_evidence(
            assessment=assessment, criterion=row, upload=file, user=request.auth
        )
    except InvalidTransition:
        raise
    except InvalidInput as exc:
        # What is wrong is the file: say so on its field.
        raise InvalidInput({"file": exc.messages}) from exc
    return Status(201, _evidence(evidence))


@router.delete(
    "/assessments/{assessment_id}/evidence/{evidence_id}",
    response={204: None},
    auth=session_auth,
    url_name="selfassess-evidence-delete",
    summary=gettext_lazy("Remove an evidence file"),
)
def delete_evidence(request, assessment_id: int, evidence_id: int):
    assessment = _own(request, assessment_id)
    evidence = get_object_or_404(Evidence, pk=evidence_id, assessment=assessment)
    services.delete_evidence(evidence=evidence, user=request.auth)
    return Status(204, None)


@router.get(
    "/assessments/{assessment_id}/evidence/{evidence_id}",
    auth=session_auth,
    url_name="selfassess-evidence-file",
    summary=gettext_lazy("Download an evidence file"),
    response={200: None},
    openapi_extra=file_download(),
)
def evidence_file(request, assessment_id: int, evidence_id: int):
    assessment = _own(request, assessment_id)
    return get_object_or_404(Evidence, pk=evidence_id, assessment=assessment).response()


@router.post(
    "/assessments/{assessment_id}/submit",
    response=AssessmentOut,
    auth=session_auth,
    url_name="selfassess-submit",
    summary=gettext_lazy("Submit for review"),
    description=gettext_lazy(
        "Send the assessment to the Department of Industry and Trade. While answers or "
        "evidence are missing the answer is 422 with each missing item under "
        "fields['criteria.<id>']; once submitted or decided, 409."
    ),
)
def submit(request, assessment_id: int):
    assessment = _own(request, assessment_id)
    try:
        services.submit(assessment=assessment, user=request.auth)
    except InvalidTransition:
        raise
    except InvalidInput as exc:
        if exc.code != "incomplete":
            raise
        fields = {}
        for criterion, message in services.missing_items(assessment):
            fields.setdefault(f"criteria.{criterion.pk}", []).append(str(message))
        raise InvalidInput({"__all__": exc.messages, **fields}) from exc
    return _detail(_own(request, assessment_id))
