"""The complaints API (issue #14): the public statistics, the consumer's filing and tracking,
and the business's inbox of forwarded complaints.

Every endpoint calls what the pages call: the filing wizard's forms and
``services.file_complaint``, ``services.find_for_tracking`` / ``find_by_token``, the
workflow's services (``complaints.workflow`` decides who may make a step and when, 409
otherwise) and ``selectors.business_inbox``. An app holds no page session, so the proof that
the caller filed a complaint travels with each request: their account, or the secret
tracking token (``token``), or — to read, add information or give feedback, as the tracking
page allows — the code with the contact given when filing (``contact``). Without a proof the
complaint is 404, like a code that does not exist.

Consumer and business answers hold personal data: each says ``Cache-Control: private,
no-store``, errors included (:func:`private`).
"""

import datetime
import functools
import hashlib
import re

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja import Status as Answer
from ninja.decorators import decorate_view
from ninja.errors import HttpError, Throttled
from ninja.pagination import paginate

from portal import public_cache
from portal.api import (
    Pages,
    cleaned,
    file_download,
    optional_session_auth,
    public_read,
    session_auth,
)
from portal.errors import InvalidInput
from portal.ratelimit import client_over_limit

from . import selectors, services
from .filters import OwnComplaintFilter
from .forms import (
    ActionForm,
    AddInfoForm,
    AskForm,
    BusinessStepForm,
    ConsentForm,
    FeedbackForm,
    FilesForm,
    ReopenForm,
    TrackForm,
    WhatForm,
    WhoForm,
    WithdrawForm,
    complaint_data,
    consent_text,
    publish_consent_text,
)
from .models import (
    CONSENT_VERSION,
    OPEN_STATUSES,
    PUBLISH_CONSENT_VERSION,
    AccessLog,
    Complaint,
)
from .workflow import WORKFLOW

router = Router(tags=[gettext_lazy("Complaints")])

# The code as the pages' URLs take it (complaints.urls.ComplaintCodeConverter).
CODE_PATTERN = re.compile(r"KN-\d{4}-\d{6,}")
# The tracking page's limit of code + contact guesses per client (complaints.views.track).
TRACK_LIMIT = (30, 300)

NOT_MATCHED = gettext_lazy(
    "No complaint matches this code with this e-mail or phone. Check both and try again."
)


def private(view):
    """No cache may keep the answer, whatever it is (an error too): it may name the consumer."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        response = view(*args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapper


def _limited(name, request, limit, window):
    # The pages' counters ("complaints:filing", "complaints:track"): a client cannot double
    # its tries by using the API beside the pages.
    if client_over_limit(f"complaints:{name}", request, limit, window):
        raise Throttled(wait=window)


def _signed_in(request):
    user = request.auth
    return user if getattr(user, "is_authenticated", False) else None


def _form_errors(*forms):
    errors = {}
    for form in forms:
        for field, messages in form.errors.items():
            errors.setdefault(field, []).extend(str(m) for m in messages)
    return errors


# --- Output -----------------------------------------------------------------------------


class ComplaintEventOut(Schema):
    time: datetime.datetime
    kind: str
    status: str = Field(..., description=gettext_lazy("The status it moved to, if it did."))
    actor_role: str
    message: str


class ComplaintAttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class ComplaintStepOut(Schema):
    kind: str
    label: str
    owed_by: str
    started_on: datetime.date
    due_on: datetime.date | None = Field(
        ..., description=gettext_lazy("Empty while the clock is paused.")
    )


class ComplaintConsumerOut(Schema):
    name: str
    phone: str
    email: str
    address: str
    represented_name: str
    vulnerable_group: str


class ComplaintMatchingWarningOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    summary: str
    matched_by: str = Field(
        ...,
        description=gettext_lazy(
            "gtin: the same product's barcode; business: names the same registered business."
        ),
    )
    how_to_check: str
    remedy: str
    recall_time_place: str
    url: str


def _matching(request, complaint_or_data):
    """The published warnings and recalls about the complaint's product or business."""
    return [
        {
            "id": w.pk,
            "kind": w.kind,
            "kind_label": w.get_kind_display(),
            "title": w.title,
            "summary": w.summary,
            "matched_by": "gtin" if w.matched_by_gtin else "business",
            "how_to_check": w.how_to_check,
            "remedy": w.remedy,
            "recall_time_place": w.recall_time_place,
            "url": request.build_absolute_uri(w.get_absolute_url()),
        }
        for w in selectors.matching_warnings(complaint_or_data)
    ]


class ComplaintOut(Schema):
    code: str
    status: str
    status_label: str
    channel: str
    received_at: datetime.datetime
    forwarded_at: datetime.datetime | None
    handled_at: datetime.datetime | None
    consumer: ComplaintConsumerOut
    business_name: str
    business_tax_code: str
    business_address: str
    business_website: str
    province: str
    sector: str | None
    issue: str | None
    transaction_date: datetime.date | None
    amount: int | None
    product_name: str
    gtin: str
    matching_warnings: list[ComplaintMatchingWarningOut] = Field(
        ...,
        description=gettext_lazy(
            "Published warnings and recalls about the same product (barcode) or business."
        ),
    )
    description: str
    request: str
    satisfied: bool | None
    reopen_requested_at: datetime.datetime | None = Field(
        ...,
        description=gettext_lazy(
            "Set while the consumer's request to look at the result again awaits the "
            "officer's decision."
        ),
    )
    reopen_until: datetime.date | None = Field(
        ...,
        description=gettext_lazy(
            "The last day the consumer may ask to look at the result again "
            "(COMPLAINTS_REOPEN_DAYS after the result)."
        ),
    )
    step: ComplaintStepOut | None = Field(
        ..., description=gettext_lazy("The statutory step running now and its deadline.")
    )
    attachments: list[ComplaintAttachmentOut]
    events: list[ComplaintEventOut]
    allowed: list[str] = Field(
        ...,
        description=gettext_lazy(
            "The steps the caller may make now (add_info, withdraw, feedback, ask_reopen, "
            "withdraw_publish_consent; acknowledge, end_negotiation, report_result, decline, "
            "message)."
        ),
    )


class ComplaintRowOut(Schema):
    code: str
    status: str
    status_label: str
    received_at: datetime.datetime
    forwarded_at: datetime.datetime | None
    business_name: str
    province: str
    step_due: datetime.date | None
    overdue: bool

    @staticmethod
    def resolve_status_label(row):
        return row.get_status_display()

    @staticmethod
    def resolve_province(row):
        return row.province.display_name

    @staticmethod
    def resolve_overdue(row):
        return bool(
            row.status in OPEN_STATUSES and row.step_due and row.step_due < timezone.localdate()
        )


def _step(complaint):
    step = selectors.current_step(complaint)
    if step is None:
        return None
    return {
        "kind": step.kind,
        "label": step.get_kind_display(),
        "owed_by": step.party,
        "started_on": step.started_on,
        "due_on": step.due_on,
    }


def _detail(complaint, allowed, request):
    return {
        "code": complaint.code,
        "status": complaint.status,
        "status_label": complaint.get_status_display(),
        "channel": complaint.channel,
        "received_at": complaint.received_at,
        "forwarded_at": complaint.forwarded_at,
        "handled_at": complaint.handled_at,
        "consumer": {
            "name": complaint.complainant_name,
            "phone": complaint.complainant_phone or "",
            "email": complaint.complainant_email or "",
            "address": complaint.complainant_address or "",
            "represented_name": complaint.represented_name or "",
            "vulnerable_group": complaint.vulnerable_group or "",
        },
        "business_name": complaint.business_name,
        "business_tax_code": complaint.business_tax_code or "",
        "business_address": complaint.business_address or "",
        "business_website": complaint.business_website or "",
        "province": complaint.province.display_name,
        "sector": complaint.sector.display_name if complaint.sector_id else None,
        "issue": complaint.issue.display_name if complaint.issue_id else None,
        "transaction_date": complaint.transaction_date,
        "amount": complaint.amount,
        "product_name": complaint.product_name,
        "gtin": complaint.gtin,
        "matching_warnings": _matching(request, complaint),
        "description": complaint.description,
        "request": complaint.request,
        "satisfied": complaint.satisfied,
        "reopen_requested_at": complaint.reopen_requested_at,
        "reopen_until": services.reopen_deadline(complaint),
        "step": _step(complaint),
        "attachments": [
            {"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size}
            for a in complaint.attachments.all()
        ],
        "events": [
            {
                "time": e.created_at,
                "kind": e.kind,
                "status": e.to_status,
                "actor_role": e.actor_role,
                "message": e.message,
            }
            for e in selectors.timeline(complaint)
        ],
        "allowed": allowed,
    }


# --- Public statistics ------------------------------------------------------------------


class ComplaintMonthOut(Schema):
    month: int
    label: str
    count: int | str | None


class ComplaintStatusCountOut(Schema):
    status: str
    label: str
    count: int | str | None


class ComplaintProvinceStatsOut(Schema):
    name: str
    count: int | str | None
    resolved: int | str | None
    steps: int
    on_time_share: float | None


class ComplaintSectorStatsOut(Schema):
    name: str
    count: int | str | None


class ComplaintBusinessStatsOut(Schema):
    name: str
    tax_code: str
    steps: int
    late: int
    on_time_share: float | None


class ComplaintStatisticsOut(Schema):
    year: int
    years: list[int]
    total: int | str = Field(
        ...,
        description=gettext_lazy(
            'Counts of 1 or 2 are published as "<3", and a count hidden so that they cannot '
            'be worked out as "…".'
        ),
    )
    total_shown: bool
    resolved_share: float | None
    answered_share: float | None
    by_month: list[ComplaintMonthOut]
    by_status: list[ComplaintStatusCountOut]
    by_province: list[ComplaintProvinceStatsOut]
    by_sector: list[ComplaintSectorStatsOut]
    by_business: list[ComplaintBusinessStatsOut]


@router.get(
    "/complaints/statistics",
    response=ComplaintStatisticsOut,
    url_name="complaints-statistics",
    summary=gettext_lazy("Complaint statistics"),
    description=gettext_lazy(
        "The figures of the statistics page for a year (this year by default, the last six "
        "years available): complaints by month, status, province and sector, and the "
        "statutory steps on time."
    ),
)
def statistics(request, year: int | None = None):
    years = selectors.available_years()
    if year is None:
        year = years[0]
    elif year not in years:
        raise InvalidInput(
            {"year": [_("Choose one of the years %(years)s.") % {"years": _list(years)}]}
        )
    return {**selectors.public_statistics(year), "years": years}


def _list(values):
    return ", ".join(str(v) for v in values)


# --- Filing -----------------------------------------------------------------------------


class ComplaintConsentOut(Schema):
    version: str = Field(..., description=gettext_lazy("Send it back as consent_version."))
    text: str
    publish_version: str = Field(
        ...,
        description=gettext_lazy(
            "The optional consent to publishing an anonymised summary: send it back as "
            "consent_publish_version with consent_publish."
        ),
    )
    publish_text: str


@router.get(
    "/complaints/consent",
    response=ComplaintConsentOut,
    url_name="complaints-consent",
    summary=gettext_lazy("The consent to processing of a complaint's personal data"),
    description=gettext_lazy(
        "Show this text to the consumer before filing; the complaint carries the version "
        "they agreed to, and a complaint agreeing to an older version is refused."
    ),
)
@decorate_view(private)
def consent(request):
    return {
        "version": CONSENT_VERSION,
        "text": consent_text(),
        "publish_version": PUBLISH_CONSENT_VERSION,
        "publish_text": str(publish_consent_text()),
    }


class ComplaintFilingIn(Schema):
    """The fields of the filing wizard's steps (about you, the business, what happened,
    what you ask for, consent), checked by the same forms."""

    complainant_name: str | None = None
    complainant_phone: str | None = None
    complainant_email: str | None = None
    complainant_address: str | None = None
    is_representative: bool = False
    represented_name: str | None = None
    vulnerable_group: str | None = None
    business_id: int | None = Field(
        None, description=gettext_lazy("A registered business (see /businesses).")
    )
    business_name: str | None = None
    business_tax_code: str | None = None
    business_address: str | None = None
    business_website: str | None = None
    province: int | None = Field(
        None,
        description=gettext_lazy(
            "A province's id; a former province's (before 1 July 2025) files the complaint "
            "with the province it is now part of."
        ),
    )
    sector: int | None = None
    issue: int | None = None
    transaction_date: datetime.date | None = None
    amount: int | None = None
    product_name: str | None = None
    gtin: str | None = Field(
        None,
        description=gettext_lazy(
            "Optional: the product's barcode (GTIN-8, -12, -13 or -14, with its check digit)."
        ),
    )
    description: str | None = None
    request: str | None = None
    association: int | None = None
    consent_processing: bool = False
    consent_publish: bool = False
    consent_version: str | None = Field(
        None, description=gettext_lazy("The version of GET /complaints/consent agreed to.")
    )
    consent_publish_version: str | None = Field(
        None,
        description=gettext_lazy(
            "With consent_publish: the publish_version of GET /complaints/consent agreed to."
        ),
    )
    submission_key: str | None = Field(
        None,
        min_length=16,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description=gettext_lazy(
            "Optional: a random key (a UUID) the app makes once per complaint and sends again "
            "when it retries, so that a retry after a lost answer files nothing twice."
        ),
    )


class ComplaintFiledOut(Schema):
    code: str
    status: str
    token: str | None = Field(
        ...,
        description=gettext_lazy(
            "The secret tracking token, given once (also e-mailed): keep it to follow, "
            "withdraw or add to the complaint without an account. Empty when a retry with "
            "the same submission_key finds the complaint already filed."
        ),
    )
    tracking_url: str | None
    matching_warnings: list[ComplaintMatchingWarningOut] = Field(
        ...,
        description=gettext_lazy(
            "Published warnings and recalls about the same product (barcode) or business: "
            "show the consumer what to do."
        ),
    )


def _form_data(payload):
    """The payload as the wizard's forms read a posted form."""
    data = {}
    for name, value in payload.dict().items():
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


@router.post(
    "/complaints",
    response={201: ComplaintFiledOut, 200: ComplaintFiledOut},
    auth=optional_session_auth,
    url_name="complaints-file",
    summary=gettext_lazy("File a complaint"),
    description=gettext_lazy(
        "A multipart form with the fields of the filing form and up to 10 files (images or "
        "PDF, 10 MB each, checked by their content). Anyone may file; a signed-in consumer "
        "finds it under /complaints/mine. Limited per client like the form "
        "(COMPLAINTS_FILING_RATE). 201: filed; 200: already filed with this submission_key."
    ),
)
@decorate_view(private)
def file(
    request,
    payload: Form[ComplaintFilingIn],
    files: File[list[UploadedFile]] = None,
):
    data = _form_data(payload)
    steps = [form_class(data=data) for form_class in (WhoForm, BusinessStepForm, WhatForm, AskForm)]
    consent_form = ConsentForm(data=data)
    files_form = FilesForm(data={}, files=MultiValueDict({"files": list(files or [])}))
    forms = [*steps, files_form, consent_form]
    # Every form checked (not all() stopping at the first): the answer lists every error.
    valid = [form.is_valid() for form in forms]
    errors = _form_errors(*forms)
    if payload.consent_version != CONSENT_VERSION:
        # Agreeing to a text that has changed since is no agreement to the current one.
        errors.setdefault("consent_version", []).append(
            _(
                "The consent text has changed: show the consumer the current one "
                "(GET /complaints/consent) and send its version %(version)s."
            )
            % {"version": CONSENT_VERSION}
        )
    if payload.consent_publish and payload.consent_publish_version != PUBLISH_CONSENT_VERSION:
        errors.setdefault("consent_publish_version", []).append(
            _(
                "The publishing consent text has changed: show the consumer the current one "
                "(GET /complaints/consent) and send its version %(version)s."
            )
            % {"version": PUBLISH_CONSENT_VERSION}
        )
    if not all(valid) or errors:
        raise InvalidInput(errors)
    _limited("filing", request, *settings.COMPLAINTS_FILING_RATE)
    typed = {}
    for form in steps:
        typed.update(form.cleaned_data)
    typed.update(consent_form.cleaned_data)
    complaint, token = services.file_complaint(
        data=complaint_data(
            {
                **typed,
                "consent_text": str(consent_text()),
                "consent_publish_text": str(publish_consent_text()),
            }
        ),
        files=files_form.cleaned_data["files"],
        user=_signed_in(request),
        submission_key=_submission_key(request, payload.submission_key),
        language=get_language(),
    )
    if token is None:
        # A retry: only the token's hash is kept, so it cannot be given again (it was
        # e-mailed, and the account that filed it lists it).
        return Answer(
            200,
            {
                "code": complaint.code,
                "status": complaint.status,
                "token": None,
                "tracking_url": None,
                "matching_warnings": _matching(request, complaint),
            },
        )
    return Answer(
        201,
        {
            "code": complaint.code,
            "status": complaint.status,
            "token": token,
            "tracking_url": request.build_absolute_uri(
                reverse("complaints:track_token", args=[token])
            ),
            "matching_warnings": _matching(request, complaint),
        },
    )


def _submission_key(request, key):
    """The app's retry key as stored: apart from the wizard's keys, and per account when
    signed in, so that one account's key never finds another's complaint."""
    if not key:
        return None
    user = _signed_in(request)
    owner = f"u{user.pk}" if user is not None else "anonymous"
    return hashlib.sha256(f"api:{owner}:{key}".encode()).hexdigest()


# --- Tracking and the consumer's steps --------------------------------------------------


def _consumer_allowed(request, complaint, filer):
    actor = services.complainant(complaint, _signed_in(request))
    allowed = [
        name
        for name in ("add_info", "feedback", "withdraw")
        if WORKFLOW.can(name, actor, complaint) and (filer or name != "withdraw")
    ]
    if services.can_ask_reopen(complaint, actor):
        allowed.append("ask_reopen")
    if filer and WORKFLOW.can("withdraw_publish_consent", actor, complaint):
        allowed.append("withdraw_publish_consent")
    return allowed


def _consumer_detail(request, complaint, *, filer):
    return _detail(complaint, _consumer_allowed(request, complaint, filer), request)


class ComplaintTrackIn(Schema):
    code: str = Field(..., max_length=20, examples=["KN-2026-000123"])
    contact: str = Field(..., max_length=254)


@router.post(
    "/complaints/track",
    response=ComplaintOut,
    auth=optional_session_auth,
    url_name="complaints-track",
    summary=gettext_lazy("Track a complaint by its code and contact"),
    description=gettext_lazy(
        "The code with the e-mail or phone given when filing. Both must match; any mismatch "
        "is the same 404, and tries are limited per client."
    ),
)
@decorate_view(private)
def track(request, payload: ComplaintTrackIn):
    form = TrackForm(data=payload.dict())
    cleaned(form)
    _limited("track", request, *TRACK_LIMIT)
    complaint = services.find_for_tracking(form.cleaned_data["code"], form.cleaned_data["contact"])
    if complaint is None:
        raise HttpError(404, str(NOT_MATCHED))
    complaint = selectors.complaint_detail_queryset().get(pk=complaint.pk)
    return _consumer_detail(request, complaint, filer=_owns(request, complaint))


@router.get(
    "/complaints/by-token/{token}",
    response=ComplaintOut,
    auth=optional_session_auth,
    url_name="complaints-by-token",
    summary=gettext_lazy("Track a complaint by its secret token"),
)
@decorate_view(private)
def by_token(request, token: str):
    found = services.find_by_token(token)
    if found is None:
        raise Http404
    complaint = selectors.complaint_detail_queryset().get(pk=found.pk)
    return _consumer_detail(request, complaint, filer=True)


class ComplaintStatusFilter(Schema):
    status: str | None = Field(None, description=gettext_lazy('"open", or one status; empty: all.'))


def _own_filter(queryset, filters):
    filterset = OwnComplaintFilter({"status": filters.status or ""}, queryset=queryset)
    if not filterset.is_valid():
        raise InvalidInput(filterset.errors)
    return filterset.qs


@router.get(
    "/complaints/mine",
    response=list[ComplaintRowOut],
    auth=session_auth,
    url_name="complaints-mine",
    summary=gettext_lazy("My complaints"),
    description=gettext_lazy("The complaints filed with this account, newest first."),
)
@decorate_view(private)
@paginate(Pages)
def mine(request, filters: Query[ComplaintStatusFilter]):
    return _own_filter(selectors.consumer_complaints(request.auth), filters)


def _code(code):
    if not CODE_PATTERN.fullmatch(code or ""):
        raise Http404
    return code


def _owns(request, complaint):
    user = _signed_in(request)
    return bool(user is not None and complaint.user_id == user.pk)


@router.get(
    "/complaints/mine/{code}",
    response=ComplaintOut,
    auth=session_auth,
    url_name="complaints-mine-detail",
    summary=gettext_lazy("One of my complaints"),
)
@decorate_view(private)
def mine_detail(request, code: str):
    complaint = (
        selectors.complaint_detail_queryset()
        .owned_by(request.auth)
        .filter(code=_code(code))
        .first()
    )
    if complaint is None:
        raise Http404
    return _consumer_detail(request, complaint, filer=True)


def _proved(request, code, *, token=None, contact=None):
    """The complaint ``code`` and whether the caller filed it: their account or the secret
    token prove it; the contact given when filing shows the case (the business knows it
    too, so it proves less). Anything else is 404, the same as an unknown code."""
    complaint = Complaint.objects.filter(code=_code(code)).first()
    if complaint is None:
        raise Http404
    if _owns(request, complaint):
        return complaint, True
    if token and services.find_by_token(token) == complaint:
        return complaint, True
    if contact:
        _limited("track", request, *TRACK_LIMIT)
        if services.find_for_tracking(code, contact) == complaint:
            return complaint, False
    raise Http404


def _answer(request, complaint, filer):
    fresh = selectors.complaint_detail_queryset().get(pk=complaint.pk)
    return _consumer_detail(request, fresh, filer=filer)


class ComplaintProofIn(Schema):
    token: str | None = Field(
        None, max_length=100, description=gettext_lazy("The secret tracking token.")
    )
    contact: str | None = Field(
        None,
        max_length=254,
        description=gettext_lazy("Or the e-mail or phone given when filing."),
    )


class ComplaintAddInfoIn(ComplaintProofIn):
    message: str | None = None


@router.post(
    "/complaints/{code}/info",
    response=ComplaintOut,
    auth=optional_session_auth,
    url_name="complaints-add-info",
    summary=gettext_lazy("Add information or files to a complaint"),
    description=gettext_lazy(
        "A multipart form: the message and/or files, with the proof (an account that filed "
        "it, the token, or the contact). When information was asked for, the complaint goes "
        "back to the agency and its deadline runs again."
    ),
)
@decorate_view(private)
def add_info(
    request, code: str, payload: Form[ComplaintAddInfoIn], files: File[list[UploadedFile]] = None
):
    complaint, filer = _proved(request, code, token=payload.token, contact=payload.contact)
    form = AddInfoForm(
        data={"message": payload.message or ""},
        files=MultiValueDict({"files": list(files or [])}),
    )
    cleaned(form)
    services.consumer_add_info(
        complaint,
        actor=services.complainant(complaint, _signed_in(request)),
        message=form.cleaned_data["message"],
        files=form.cleaned_data["files"],
    )
    return _answer(request, complaint, filer)


class ComplaintFeedbackIn(ComplaintProofIn):
    satisfied: bool
    message: str | None = None


@router.post(
    "/complaints/{code}/feedback",
    response=ComplaintOut,
    auth=optional_session_auth,
    url_name="complaints-feedback",
    summary=gettext_lazy("Give feedback on the result"),
    description=gettext_lazy("Possible once the business has answered (409 before)."),
)
@decorate_view(private)
def feedback(request, code: str, payload: ComplaintFeedbackIn):
    complaint, filer = _proved(request, code, token=payload.token, contact=payload.contact)
    form = FeedbackForm(
        data={"satisfied": "1" if payload.satisfied else "0", "message": payload.message or ""}
    )
    cleaned(form)
    services.give_feedback(
        complaint,
        actor=services.complainant(complaint, _signed_in(request)),
        satisfied=form.cleaned_data["satisfied"],
        message=form.cleaned_data["message"],
    )
    return _answer(request, complaint, filer)


class ComplaintReopenIn(ComplaintProofIn):
    message: str | None = Field(
        None, description=gettext_lazy("Why the complaint should be looked at again.")
    )


@router.post(
    "/complaints/{code}/reopen",
    response=ComplaintOut,
    auth=optional_session_auth,
    url_name="complaints-reopen",
    summary=gettext_lazy("Ask to look at the result again"),
    description=gettext_lazy(
        "Once the business has answered, a consumer who is not satisfied may ask, within "
        "COMPLAINTS_REOPEN_DAYS of the result, for the complaint to be looked at again; the "
        "province's officers decide to reopen it to negotiation or to close it with the other "
        "ways to settle the dispute. 409 when it is not possible (any more)."
    ),
)
@decorate_view(private)
def ask_reopen(request, code: str, payload: ComplaintReopenIn):
    complaint, filer = _proved(request, code, token=payload.token, contact=payload.contact)
    form = ReopenForm(data={"message": payload.message or ""})
    cleaned(form)
    services.ask_reopen(
        complaint,
        actor=services.complainant(complaint, _signed_in(request)),
        reason=form.cleaned_data["message"],
    )
    return _answer(request, complaint, filer)


class ComplaintWithdrawIn(Schema):
    token: str | None = Field(
        None,
        max_length=100,
        description=gettext_lazy("The secret tracking token, unless signed in as the filer."),
    )
    confirm: bool = False
    message: str | None = None


@router.post(
    "/complaints/{code}/withdraw",
    response=ComplaintOut,
    auth=optional_session_auth,
    url_name="complaints-withdraw",
    summary=gettext_lazy("Withdraw a complaint"),
    description=gettext_lazy(
        "Only whoever filed it (their account or the secret token), while it is open; "
        "confirm must be true."
    ),
)
@decorate_view(private)
def withdraw(request, code: str, payload: ComplaintWithdrawIn):
    complaint, filer = _proved(request, code, token=payload.token)
    form = WithdrawForm(data=_form_data(payload))
    cleaned(form)
    services.withdraw(
        complaint,
        actor=services.complainant(complaint, _signed_in(request)),
        message=form.cleaned_data["message"],
    )
    return _answer(request, complaint, filer)


class ComplaintTokenIn(Schema):
    token: str | None = Field(
        None,
        max_length=100,
        description=gettext_lazy("The secret tracking token, unless signed in as the filer."),
    )


@router.post(
    "/complaints/{code}/publishing-consent/withdraw",
    response=ComplaintOut,
    auth=optional_session_auth,
    url_name="complaints-withdraw-publishing-consent",
    summary=gettext_lazy("Withdraw the consent to publish a summary"),
    description=gettext_lazy(
        "Only whoever filed it (their account or the secret token), at any time: no summary "
        "of the complaint is published, and one already published is taken down."
    ),
)
@decorate_view(private)
def withdraw_publishing_consent(request, code: str, payload: ComplaintTokenIn):
    complaint, filer = _proved(request, code, token=payload.token)
    services.withdraw_publish_consent(
        complaint, actor=services.complainant(complaint, _signed_in(request))
    )
    return _answer(request, complaint, filer)


# --- The business's inbox ---------------------------------------------------------------


BUSINESS_STEPS = ("acknowledge", "end_negotiation", "report_result", "decline", "message")


def _inbox_complaint(request, code):
    complaint = (
        selectors.business_inbox(request.auth)
        .select_related("issue")
        .prefetch_related("attachments")
        .filter(code=_code(code))
        .first()
    )
    if complaint is None:
        raise Http404
    return complaint


def _business_detail(request, complaint):
    user = request.auth
    allowed = [
        name for name in BUSINESS_STEPS if name == "message" or WORKFLOW.can(name, user, complaint)
    ]
    return _detail(complaint, allowed, request)


@router.get(
    "/business/complaints",
    response=list[ComplaintRowOut],
    auth=session_auth,
    url_name="complaints-business-list",
    summary=gettext_lazy("Complaints forwarded to my businesses"),
    description=gettext_lazy(
        "The complaints the agencies forwarded to the businesses this account is an approved "
        "member of, most recently forwarded first."
    ),
)
@decorate_view(private)
@paginate(Pages)
def business_list(request, filters: Query[ComplaintStatusFilter]):
    return _own_filter(selectors.business_inbox(request.auth), filters)


@router.get(
    "/business/complaints/{code}",
    response=ComplaintOut,
    auth=session_auth,
    url_name="complaints-business-detail",
    summary=gettext_lazy("A complaint forwarded to my business"),
    description=gettext_lazy("Each reading is written to the complaint's access log."),
)
@decorate_view(private)
def business_detail(request, code: str):
    complaint = _inbox_complaint(request, code)
    # The access log names the reader from request.user, which an app's token does not set.
    request.user = request.auth
    services.log_access(request, complaint)
    return _business_detail(request, complaint)


@router.get(
    "/business/complaints/{code}/attachments/{attachment_id}",
    auth=session_auth,
    url_name="complaints-business-attachment",
    summary=gettext_lazy("Download a complaint's file"),
    description=gettext_lazy(
        "A file the consumer attached (see attachments in the complaint). Each download is "
        "written to the complaint's access log."
    ),
    response={200: None},
    openapi_extra=file_download(),
)
@decorate_view(private)
def business_attachment(request, code: str, attachment_id: int):
    complaint = _inbox_complaint(request, code)
    attachment = complaint.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    request.user = request.auth  # for the access log, as in business_detail
    services.log_access(request, complaint, AccessLog.Action.DOWNLOAD, attachment=attachment)
    return attachment.response()


class ComplaintBusinessStepIn(Schema):
    message: str | None = None


class ComplaintResultIn(Schema):
    resolved: bool
    message: str | None = None


class ComplaintEndNegotiationIn(Schema):
    ended_on: datetime.date | None = Field(
        None, description=gettext_lazy("Today when empty; never in the future.")
    )
    message: str | None = None


def _business_step(request, code, action, payload):
    complaint = _inbox_complaint(request, code)
    data = {"action": action, **_form_data(payload)}
    if "resolved" in payload.dict():
        data["resolved"] = "1" if payload.resolved else "0"
    form = ActionForm(data=data)
    values = cleaned(form)
    kwargs = {"actor": request.auth, "message": values["message"]}
    if action == "acknowledge":
        services.acknowledge(complaint, **kwargs)
    elif action == "end_negotiation":
        services.end_negotiation(complaint, ended_on=values["ended_on"], **kwargs)
    elif action == "report_result":
        services.report_result(complaint, resolved=bool(values["resolved"]), **kwargs)
    elif action == "decline":
        services.decline(complaint, **kwargs)
    else:
        services.post_message(complaint, **kwargs)
    return _business_detail(request, _inbox_complaint(request, code))


@router.post(
    "/business/complaints/{code}/acknowledge",
    response=ComplaintOut,
    auth=session_auth,
    url_name="complaints-business-acknowledge",
    summary=gettext_lazy("Acknowledge a forwarded complaint"),
    description=gettext_lazy(
        "Confirms receipt and opens the negotiation: 7 working days from the receipt of the "
        "forwarded complaint (Law 19/2023/QH15, Article 57)."
    ),
)
@decorate_view(private)
def acknowledge(request, code: str, payload: ComplaintBusinessStepIn):
    return _business_step(request, code, "acknowledge", payload)


@router.post(
    "/business/complaints/{code}/messages",
    response=ComplaintOut,
    auth=session_auth,
    url_name="complaints-business-reply",
    summary=gettext_lazy("Reply on a complaint's timeline"),
)
@decorate_view(private)
def reply(request, code: str, payload: ComplaintBusinessStepIn):
    return _business_step(request, code, "message", payload)


@router.post(
    "/business/complaints/{code}/end-negotiation",
    response=ComplaintOut,
    auth=session_auth,
    url_name="complaints-business-end-negotiation",
    summary=gettext_lazy("Record the end of the negotiation"),
    description=gettext_lazy("The result is then due within 5 working days."),
)
@decorate_view(private)
def end_negotiation(request, code: str, payload: ComplaintEndNegotiationIn):
    return _business_step(request, code, "end_negotiation", payload)


@router.post(
    "/business/complaints/{code}/result",
    response=ComplaintOut,
    auth=session_auth,
    url_name="complaints-business-result",
    summary=gettext_lazy("Report the result of the negotiation"),
    description=gettext_lazy("resolved: whether an agreement was reached; message: the result."),
)
@decorate_view(private)
def report_result(request, code: str, payload: ComplaintResultIn):
    return _business_step(request, code, "report_result", payload)


@router.post(
    "/business/complaints/{code}/decline",
    response=ComplaintOut,
    auth=session_auth,
    url_name="complaints-business-decline",
    summary=gettext_lazy("Decline to negotiate"),
    description=gettext_lazy("In writing, with the reasons (Law 19/2023/QH15, Article 57)."),
)
@decorate_view(private)
def decline(request, code: str, payload: ComplaintBusinessStepIn):
    return _business_step(request, code, "decline", payload)


public_read(
    "complaints-statistics",
    public_cache.COMPLAINT_STATS,
    public_cache.PORTAL,
    seconds=public_cache.STATS_SECONDS,
)
