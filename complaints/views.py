import os
import re
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict, ErrorList
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.csvexport import csv_response
from portal.errors import InvalidInput, InvalidTransition, NotAllowed, add_to_form
from portal.files import IMAGES_AND_PDF, private_storage, sniff
from portal.models import TAX_CODE_PATTERN, Business, Province
from portal.permissions import (
    business_member_required,
    complaint_handler_required,
    login_required,
)
from portal.ratelimit import client_over_limit
from portal.roles import get_actor, get_object_in_scope
from portal.templatetags.people import full_name

from . import selectors, services
from .filters import OwnComplaintFilter, StaffComplaintFilter
from .forms import (
    WIZARD_STEPS,
    ActionForm,
    AddInfoForm,
    AssignForm,
    DataDecisionForm,
    DataRequestForm,
    FeedbackForm,
    ReopenForm,
    StaffEntryForm,
    TrackForm,
    WithdrawForm,
    complaint_data,
)
from .models import AccessLog, Attachment, Complaint, DataRequest, IssueCategory
from .workflow import WORKFLOW

DRAFT_KEY = services.DRAFT_SESSION_KEY
FILED_KEY = "complaint_filed"
ACCESS_KEY = "complaints_access"
# Complaints this session proved it filed (the filing itself, or the secret link): only they
# may withdraw or ask to correct or erase. The code with the phone or e-mail shows the case,
# but the business complained about knows both.
FILER_KEY = "complaints_filer"
UNSAVED_KEY = "complaints_unsaved"
STEP_SLUGS = [slug for slug, _label, _form in WIZARD_STEPS]
PAGE_SIZE = 25
TAX_CODE = re.compile(TAX_CODE_PATTERN, re.ASCII)


# --- Filing wizard ----------------------------------------------------------------------------


def _draft(request):
    draft = request.session.get(DRAFT_KEY)
    if draft and services.draft_expired(draft):
        # Abandoned for longer than services.DRAFT_DAYS: what was typed (name, phone) goes;
        # its files go with the daily purge_abandoned_drafts.
        request.session.pop(DRAFT_KEY, None)
        draft = None
    if not draft:
        draft = {"key": uuid.uuid4().hex, "data": {}, "files": []}
    return draft


def _save_draft(request, draft):
    draft["saved"] = timezone.now().isoformat()
    request.session[DRAFT_KEY] = draft
    request.session.modified = True
    # The session row holds the draft: it expires with the draft, DRAFT_DAYS after its last
    # change, and the daily clearing of expired sessions deletes it.
    request.session.set_expiry(services.DRAFT_DAYS * 86400)


def _bind(form_class, draft, slug):
    stored = draft["data"].get(slug)
    if stored is None:
        return None
    return form_class(data=MultiValueDict(stored))


def _first_incomplete(draft, upto):
    """The first step before ``upto`` whose stored data does not validate. A step that
    validated when it was posted is marked in the draft (kept server-side in the session),
    so the later steps do not validate it again with its queries; the final step validates
    every step anew before filing."""
    done = draft.get("valid", ())
    for slug, _label, form_class in WIZARD_STEPS[: STEP_SLUGS.index(upto)]:
        if slug == "tep" or slug in done:
            continue
        form = _bind(form_class, draft, slug)
        if form is None or not form.is_valid():
            return slug
    return None


def _mark_valid(draft, slug, valid):
    done = [s for s in draft.get("valid", []) if s != slug]
    draft["valid"] = done + [slug] if valid else done


def _initial_for(request, slug):
    user = request.user
    if slug == "nguoi-gui" and user.is_authenticated:
        return {
            "complainant_name": full_name(user) if user.first_name or user.last_name else "",
            "complainant_email": user.email,
        }
    return None


def _step_context(slug, form, draft):
    index = STEP_SLUGS.index(slug)
    return {
        "form": form,
        "slug": slug,
        "steps": [
            {"slug": s, "label": label, "number": i + 1, "done": i < index, "current": i == index}
            for i, (s, label, _f) in enumerate(WIZARD_STEPS)
        ],
        "step_number": index + 1,
        "step_label": WIZARD_STEPS[index][1],
        "previous": STEP_SLUGS[index - 1] if index else None,
        "files": draft["files"],
    }


PREFILL_PARAM = "doanh-nghiep"


@require_GET
def file_start(request):
    draft = _draft(request)
    business = _business_to_prefill(request.GET.get(PREFILL_PARAM))
    if business is not None:
        # From the business's public page: its step filled in, the rest of the draft kept.
        draft["data"]["doanh-nghiep"] = {
            "business_id": [str(business.pk)],
            "business_name": [business.name],
            "business_tax_code": [business.tax_code],
            "business_address": [business.address],
            # A business registered under a former province: its successor handles it.
            "province": [str((business.province.current_unit() or business.province).pk)],
        }
        _mark_valid(draft, "doanh-nghiep", False)
        _save_draft(request, draft)
    missing = _first_incomplete(draft, "xac-nhan")
    return redirect("complaints:file_step", missing or "nguoi-gui")


def _business_to_prefill(tax_code):
    """The registered business of ``tax_code``; None (ignored without a word) for a code
    that is malformed or that no registered business has."""
    tax_code = (tax_code or "").strip()
    if not TAX_CODE.fullmatch(tax_code):
        return None
    return Business.objects.select_related("province__successor").filter(tax_code=tax_code).first()


def _over_limit(name, request, limit, window):
    return client_over_limit(f"complaints:{name}", request, limit, window)


def _rate_limited(request):
    # (filings, seconds) per client address; the concurrency test raises it.
    limit, window = getattr(settings, "COMPLAINTS_FILING_RATE", (10, 3600))
    return _over_limit("filing", request, limit, window)


@require_http_methods(["GET", "POST"])
def file_step(request, slug):
    if slug not in STEP_SLUGS:
        raise Http404
    draft = _draft(request)
    missing = _first_incomplete(draft, slug)
    if missing:
        if request.method == "POST" and slug == "xac-nhan" and request.session.get(FILED_KEY):
            # A second click on "send" after the first one went through.
            return redirect("complaints:file_done")
        return redirect("complaints:file_step", missing)
    form_class = WIZARD_STEPS[STEP_SLUGS.index(slug)][2]

    if slug == "tep":
        return _files_step(request, draft)
    if slug == "xac-nhan":
        return _review_step(request, draft)

    if request.method == "POST":
        form = form_class(data=request.POST)
        # Keep what was typed even when it has errors: going back must not lose it.
        draft["data"][slug] = {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}
        _mark_valid(draft, slug, form.is_valid())
        _save_draft(request, draft)
        if form.is_valid():
            if request.POST.get("go") == "back" and STEP_SLUGS.index(slug) > 0:
                return redirect("complaints:file_step", STEP_SLUGS[STEP_SLUGS.index(slug) - 1])
            return redirect("complaints:file_step", STEP_SLUGS[STEP_SLUGS.index(slug) + 1])
    else:
        form = _bind(form_class, draft, slug) or form_class(initial=_initial_for(request, slug))
    context = _step_context(slug, form, draft)
    if slug == "noi-dung":
        # Issue id → sector id, so that the script can show only the chosen sector's issues.
        context["issue_map"] = {
            str(pk): sector_id
            for pk, sector_id in IssueCategory.objects.filter(is_active=True).values_list(
                "pk", "sector_id"
            )
        }
    return render(request, "complaints/file_step.html", context)


def _files_step(request, draft):
    form_class = WIZARD_STEPS[STEP_SLUGS.index("tep")][2]
    if request.method == "POST":
        remove = request.POST.get("remove")
        if remove is not None:
            draft["files"] = [f for f in draft["files"] if f["id"] != remove]
            _save_draft(request, draft)
            return redirect("complaints:file_step", "tep")
        form = form_class(data=request.POST, files=request.FILES)
        if form.is_valid():
            uploads = form.cleaned_data["files"]
            if len(draft["files"]) + len(uploads) > services.MAX_ATTACHMENTS:
                form.add_error("files", _("You can attach at most 10 files."))
            else:
                for upload in uploads:
                    draft["files"].append(_store_draft_file(draft, upload))
                _save_draft(request, draft)
                if request.POST.get("go") == "back":
                    return redirect("complaints:file_step", "yeu-cau")
                if request.POST.get("go") == "upload":
                    return redirect("complaints:file_step", "tep")
                return redirect("complaints:file_step", "xac-nhan")
    else:
        form = form_class()
    return render(request, "complaints/file_step.html", _step_context("tep", form, draft))


def _store_draft_file(draft, upload):
    # The form has already checked the bytes; this names the file by that same kind.
    mime = sniff(upload)
    file_id = uuid.uuid4().hex
    path = private_storage.save(
        f"complaints/drafts/{draft['key']}/{file_id}.{IMAGES_AND_PDF[mime]}", upload
    )
    return {
        "id": file_id,
        "path": path,
        "name": os.path.basename(upload.name or "tep")[:255],
        "mime": mime,
        "size": upload.size,
    }


def _review_step(request, draft):
    form_class = WIZARD_STEPS[-1][2]
    forms_by_step = {
        slug: _bind(fc, draft, slug)
        for slug, _l, fc in WIZARD_STEPS
        if slug not in ("tep", "xac-nhan")
    }
    cleaned = {}
    for slug, form in forms_by_step.items():
        if form is None or not form.is_valid():
            # Valid when posted, no longer now (say a province merged since): ask again.
            _mark_valid(draft, slug, False)
            _save_draft(request, draft)
            return redirect("complaints:file_step", slug)
        cleaned.update(form.cleaned_data)
    cleaned["province_note"] = forms_by_step["doanh-nghiep"].province_note
    if request.method == "POST":
        form = form_class(data=request.POST)
        if request.POST.get("go") == "back":
            return redirect("complaints:file_step", "tep")
        if form.is_valid():
            if _rate_limited(request):
                return render(
                    request,
                    "complaints/rate_limited.html",
                    status=429,
                )
            data = complaint_data(
                {
                    **cleaned,
                    **form.cleaned_data,
                    "consent_text": str(form.fields["consent_processing"].label),
                    "consent_publish_text": str(form.fields["consent_publish"].label),
                }
            )
            try:
                complaint, token = services.file_complaint(
                    data=data,
                    stored_files=draft["files"],
                    user=request.user,
                    submission_key=draft["key"],
                    language=request.LANGUAGE_CODE,
                )
            except InvalidInput as exc:
                add_to_form(form, exc)
            else:
                request.session.pop(DRAFT_KEY, None)
                request.session.set_expiry(None)  # back to the portal's session length
                if token or not request.session.get(FILED_KEY):
                    request.session[FILED_KEY] = {"code": complaint.code, "token": token}
                _grant_access(request, complaint, filer=True)
                return redirect("complaints:file_done")
    else:
        form = form_class()
    context = _step_context("xac-nhan", form, draft)
    context["summary"] = cleaned
    context.update(_matching(cleaned))
    return render(request, "complaints/file_review.html", context)


def _matching(complaint_or_data):
    """The published warnings and recalls about the complaint's product or business, and
    whether one is a recall of the very product (same barcode): the page says so first."""
    warnings = selectors.matching_warnings(complaint_or_data)
    return {
        "matching_warnings": warnings,
        "product_recalled": any(w.is_recall and w.matched_by_gtin for w in warnings),
    }


@require_GET
def file_done(request):
    filed = request.session.get(FILED_KEY)
    if not filed:
        return redirect("complaints:file")
    link = None
    if filed.get("token"):
        link = request.build_absolute_uri(reverse("complaints:track_token", args=[filed["token"]]))
        # Shown once: the secret does not stay in the session store (it was also e-mailed).
        request.session[FILED_KEY] = {"code": filed["code"], "token": None}
    complaint = Complaint.objects.only("gtin", "gtin_key", "business_id").filter(code=filed["code"])
    matching = _matching(complaint[0]) if complaint else {}
    return render(
        request,
        "complaints/file_done.html",
        {"code": filed["code"], "link": link, **matching},
    )


# --- Tracking by the consumer -----------------------------------------------------------------


def _grant_access(request, complaint, *, filer=False):
    for key in (ACCESS_KEY, FILER_KEY) if filer else (ACCESS_KEY,):
        allowed = [pk for pk in request.session.get(key, []) if pk != complaint.pk]
        request.session[key] = (allowed + [complaint.pk])[-20:]


def _is_filer(request, complaint):
    """Whether this visitor proved they filed ``complaint``: their account, the filing
    session or the secret link — not only the code and the contact."""
    owner = request.user.is_authenticated and complaint.user_id == request.user.pk
    return owner or complaint.pk in request.session.get(FILER_KEY, [])


def _consumer_complaint(request, code):
    """The complaint if this visitor proved they filed it (tracking check, secret link or
    their account); 404 otherwise, exactly like a code that does not exist."""
    complaint = selectors.complaint_detail_queryset().filter(code=code).first()
    owner = (
        complaint is not None
        and request.user.is_authenticated
        and complaint.user_id == request.user.pk
    )
    if complaint is None or not (owner or complaint.pk in request.session.get(ACCESS_KEY, [])):
        raise NotAllowed(f"complaint {code}: not this visitor's")
    return complaint


@require_http_methods(["GET", "POST"])
def track(request):
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Guessing codes and contacts must stay slow.
        if _over_limit("track", request, 30, 300):
            return render(request, "complaints/rate_limited.html", status=429)
        complaint = services.find_for_tracking(
            form.cleaned_data["code"], form.cleaned_data["contact"]
        )
        if complaint is not None:
            _grant_access(request, complaint)
            return redirect("complaints:track_detail", complaint.code)
        form.add_error(
            None,
            _(
                "No complaint matches this code with this e-mail or phone. "
                "Check both and try again."
            ),
        )
    return render(request, "complaints/track.html", {"form": form})


@require_GET
def track_token(request, token):
    complaint = services.find_by_token(token)
    if complaint is None:
        raise Http404
    _grant_access(request, complaint, filer=True)
    # Redirect so that the secret does not stay in the address bar or in Referer headers.
    return redirect("complaints:track_detail", complaint.code)


FILER_ONLY = gettext_lazy(
    "To withdraw the complaint or to ask about your personal data, open the tracking link "
    "you were given when you filed (also sent by e-mail), or sign in with the account you "
    "filed with. You can also call the hotline."
)

# The consumer's actions: address → (form, transition).
CONSUMER_ACTIONS = {
    "bo-sung": (AddInfoForm, "add_info"),
    "danh-gia": (FeedbackForm, "feedback"),
    "rut": (WithdrawForm, "withdraw"),
    "mo-lai": (ReopenForm, "ask_reopen"),
}

# The page holds the four forms at once, each with a "message" box: their own ids keep the
# labels pointing to the right box (the posted names stay the same).
CONSUMER_FORM_IDS = {
    "bo-sung": "id_info_%s",
    "danh-gia": "id_feedback_%s",
    "rut": "id_withdraw_%s",
    "mo-lai": "id_reopen_%s",
}


def _consumer_can(action, actor, complaint):
    """Whether the page still draws the form of ``action``: asking to look again also needs
    the period still open, which the workflow does not know."""
    if action == "mo-lai":
        return services.can_ask_reopen(complaint, actor)
    return WORKFLOW.can(CONSUMER_ACTIONS[action][1], actor, complaint)


@require_GET
def track_detail(request, code):
    complaint = _consumer_complaint(request, code)
    actor = services.complainant(complaint, request.user)
    kept = _typed(request, complaint, lambda action: _consumer_can(action, actor, complaint))
    forms = {
        action: form_class(
            initial={"message": kept["typed"].get(action, "")}, auto_id=CONSUMER_FORM_IDS[action]
        )
        for action, (form_class, _name) in CONSUMER_ACTIONS.items()
    }
    refused = None
    for action, errors in kept.get("errors", {}).items():
        if errors:
            # The refused form again, with its errors on its fields (see _keep_typed).
            refused = forms[action]
            refused._errors = ErrorDict(
                {
                    name: ErrorList(
                        msgs,
                        error_class="nonfield" if name == NON_FIELD_ERRORS else None,
                        renderer=refused.renderer,
                        field_id=None if name == NON_FIELD_ERRORS else refused[name].auto_id,
                    )
                    for name, msgs in errors.items()
                    if name == NON_FIELD_ERRORS or name in refused.fields
                }
            )
    return render(
        request,
        "complaints/track_detail.html",
        {
            "complaint": complaint,
            "events": selectors.timeline(complaint),
            "step": selectors.current_step(complaint),
            "info_form": forms["bo-sung"],
            "feedback_form": forms["danh-gia"],
            "withdraw_form": forms["rut"],
            "reopen_form": forms["mo-lai"],
            "refused_form": refused,
            "can_reopen": services.can_ask_reopen(complaint, actor),
            "reopen_deadline": services.reopen_deadline(complaint),
            "unsaved": kept["unsaved"],
            "data_form": DataRequestForm(auto_id="id_data_%s"),
            "data_requests": complaint.data_requests.select_related("decided_by"),
            "is_filer": _is_filer(request, complaint),
            "filer_only": FILER_ONLY,
            **_matching(complaint),
        },
    )


@require_POST
def track_publish_consent(request, code):
    """The filer takes back the consent to publish a summary (narratives take a published
    one down at once)."""
    complaint = _consumer_complaint(request, code)
    if not _is_filer(request, complaint):
        messages.error(request, FILER_ONLY)
        return redirect("complaints:track_detail", complaint.code)
    try:
        services.withdraw_publish_consent(
            complaint, actor=services.complainant(complaint, request.user)
        )
    except InvalidTransition as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Your consent is withdrawn: no summary of this complaint will be published.")
        )
    return redirect("complaints:track_detail", complaint.code)


@require_POST
def track_data_request(request, code):
    """The consumer asks to correct a detail or to erase their personal data."""
    complaint = _consumer_complaint(request, code)
    if not _is_filer(request, complaint):
        messages.error(request, FILER_ONLY)
        return redirect("complaints:track_detail", complaint.code)
    actor = services.complainant(complaint, request.user)
    # A few requests a day are plenty; more is someone flooding the officers.
    if _over_limit("data_request", request, 5, 3600):
        return render(request, "complaints/rate_limited.html", status=429)
    form = DataRequestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.ask_data_change(
                complaint,
                actor=actor,
                kind=data["kind"],
                field=data["field"],
                new_value=data["new_value"],
                message=data["message"],
            )
        except InvalidInput as exc:
            add_to_form(form, exc)
        else:
            messages.success(
                request, _("Your request has been recorded. You will be told of the decision.")
            )
            return redirect("complaints:track_detail", complaint.code)
    messages.error(
        request, _("The request could not be recorded: %(errors)s") % {"errors": _errors(form)}
    )
    return redirect("complaints:track_detail", complaint.code)


@require_POST
def track_action(request, code, action):
    complaint = _consumer_complaint(request, code)
    # _consumer_complaint has checked the proof: this visitor is the complainant.
    actor = services.complainant(complaint, request.user)
    if action not in CONSUMER_ACTIONS:
        raise Http404
    if action == "rut" and not _is_filer(request, complaint):
        messages.error(request, FILER_ONLY)
        return redirect("complaints:track_detail", complaint.code)
    form = CONSUMER_ACTIONS[action][0](request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "bo-sung":
                services.consumer_add_info(
                    complaint, actor=actor, message=data["message"], files=data["files"]
                )
                messages.success(request, _("Your information has been added."))
            elif action == "danh-gia":
                services.give_feedback(
                    complaint, actor=actor, satisfied=data["satisfied"], message=data["message"]
                )
                messages.success(request, _("Thank you for your feedback."))
            elif action == "mo-lai":
                services.ask_reopen(complaint, actor=actor, reason=data["message"])
                messages.success(
                    request,
                    _(
                        "Your request has been sent: the Department of Industry and Trade "
                        "decides whether to reopen the complaint."
                    ),
                )
            else:
                services.withdraw(complaint, actor=actor, message=data["message"])
                messages.success(request, _("Your complaint has been withdrawn."))
            return redirect("complaints:track_detail", complaint.code)
        except InvalidInput as exc:
            add_to_form(form, exc)
    messages.error(
        request, _("The action could not be done: %(errors)s") % {"errors": _errors(form)}
    )
    _keep_typed(request, complaint, action, errors=form.errors)
    return redirect("complaints:track_detail", complaint.code)


def _errors(form):
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _keep_typed(request, complaint, action, errors=None):
    """An action was refused and the page redirects: keep the text that was typed, once,
    for the next page of this complaint (see :func:`_typed`), and the form's errors so that
    the page can show them on its fields and in a focused summary."""
    text = request.POST.get("message", "")
    if text.strip() or errors:
        request.session[UNSAVED_KEY] = {
            "code": complaint.code,
            "action": action,
            "text": text,
            "errors": {name: [str(e) for e in msgs] for name, msgs in (errors or {}).items()},
        }


def _typed(request, complaint, available):
    """The text of the action refused just before, if it was on ``complaint``:
    ``typed`` fills that action's form again; ``unsaved`` is shown to copy when
    ``available(action)`` says the page has no form for that action any more."""
    kept = request.session.pop(UNSAVED_KEY, None)
    if not kept or kept["code"] != complaint.code:
        return {"typed": {}, "unsaved": ""}
    shown = available(kept["action"])
    return {
        "typed": {kept["action"]: kept["text"]},
        "unsaved": "" if shown else kept["text"],
        "errors": {kept["action"]: kept.get("errors") or {}} if shown else {},
    }


@require_GET
def track_export(request, code):
    """Everything the portal holds about the consumer in this complaint, as JSON (the right
    to see and export one's data, Luật 91/2025/QH15)."""
    complaint = _consumer_complaint(request, code)
    data = selectors.export_for_consumer(complaint)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{complaint.code}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def track_attachment(request, code, pk):
    return _serve_attachment(request, _consumer_complaint(request, code), pk, log=False)


def _serve_attachment(request, complaint, pk, *, log=True):
    """Stream one of ``complaint``'s files; the caller has already checked the complaint's
    scope. Staff and business downloads are written to the access log."""
    attachment = Attachment.objects.filter(complaint=complaint, pk=pk).first()
    if attachment is None:
        raise NotAllowed(f"attachment {pk} of complaint {complaint.pk}")
    if log:
        # The file's number, not its name: names are the consumer's ("CCCD_Nguyen_Thi_Hoa")
        # and the log outlives the erasure of the complaint's personal data.
        services.log_access(request, complaint, AccessLog.Action.DOWNLOAD, attachment=attachment)
    return attachment.response()


@login_required
@require_GET
def my_complaints(request):
    complaints = selectors.consumer_complaints(request.user)
    return _own_list(request, complaints, "complaints/my_list.html")


def _own_list(request, complaints, template, **context):
    """A consumer's or a business's own complaints, filtered by status and paged."""
    filterset = OwnComplaintFilter(request.GET or None, queryset=complaints)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"page": page, "filter": filterset, **context})


# --- Staff back office ------------------------------------------------------------------------


@complaint_handler_required
@require_http_methods(["GET", "POST"])
def staff_list(request):
    base = selectors.staff_list(request.user)
    if request.method == "POST":
        form = AssignForm(
            request.POST,
            complaints=Complaint.objects.handled_by(request.user),
            officers=selectors.officers_in_scope(request.user),
        )
        if form.is_valid():
            try:
                count = services.assign(
                    form.cleaned_data["selected"],
                    actor=request.user,
                    assignee=form.cleaned_data["assignee"],
                )
                messages.success(request, _("%(count)s complaint(s) assigned.") % {"count": count})
            except InvalidInput as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.error(request, _("Tick at least one complaint and choose an officer."))
        return redirect(request.get_full_path())
    filterset = StaffComplaintFilter(request.GET or None, queryset=base, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/staff_list.html",
        {
            "filter": filterset,
            "page": page,
            "officers": selectors.officers_in_scope(request.user),
            "today": timezone.localdate(),
            "overdue_count": base.overdue().count(),
        },
    )


@complaint_handler_required
@require_http_methods(["GET", "POST"])
def staff_new(request):
    actor = get_actor(request.user)
    if not (actor.is_authority or actor.province_ids):
        # An association receives complaints addressed to it; it does not enter them.
        raise NotAllowed("staff_new: not a complaint-handling agency")
    provinces = Province.objects.current().order_by("name")
    if not actor.is_authority:
        provinces = provinces.filter(pk__in=actor.province_ids)
    form = StaffEntryForm(request.POST or None, request.FILES or None, provinces=provinces)
    if request.method == "POST" and form.is_valid():
        # The consumer agreed (by phone, letter or in person) to the same sentence as online.
        data = complaint_data(
            {**form.cleaned_data, "consent_text": str(services.consent_sentence())}
        )
        try:
            complaint, _token = services.file_complaint(
                data=data,
                files=form.cleaned_data["files"],
                channel=form.cleaned_data["channel"],
                created_by=request.user,
            )
        except InvalidInput as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Complaint %(code)s entered.") % {"code": complaint.code})
            return redirect("complaints:staff_detail", complaint.code)
    return render(request, "complaints/staff_new.html", {"form": form})


def _action_context(request, complaint):
    user = request.user
    is_staff = services.is_staff_for(user, complaint)
    is_business = services.is_business_for(user, complaint)
    return {
        **_typed(
            request,
            complaint,
            lambda action: (
                action not in WORKFLOW.transitions or WORKFLOW.can(action, user, complaint)
            ),
        ),
        "complaint": complaint,
        "step": selectors.current_step(complaint),
        "action_form": ActionForm(),
        "is_staff": is_staff,
        "is_business": is_business,
        # An association may only read and write messages.
        "can_decide": is_staff or is_business,
    }


@complaint_handler_required
@require_GET
def staff_detail(request, code):
    complaint = get_object_in_scope(
        selectors.complaint_detail_queryset().handled_by(request.user), request.user, code=code
    )
    services.log_access(request, complaint)
    context = _action_context(request, complaint)
    # Internal notes and who read the file are the agency's own: an association the
    # complaint is addressed to sees the public timeline only.
    agency = context["is_staff"]
    context["events"] = selectors.timeline(complaint, internal=agency)
    context["access_logs"] = complaint.access_logs.select_related("user")[:10] if agency else []
    requests = complaint.data_requests.select_related("decided_by")
    context["data_requests"] = requests if agency else []
    context["decision_form"] = DataDecisionForm()
    context.update(_matching(complaint))
    if complaint.reopen_requested_at and context["is_staff"]:
        context["reopen_request"] = selectors.reopen_request(complaint)
        context["next_routes"] = services.next_routes()
    return render(request, "complaints/staff_detail.html", context)


@complaint_handler_required
@require_POST
def staff_data_decide(request, code, pk):
    """The agency's officer accepts or refuses a consumer's request about their data."""
    complaint = get_object_in_scope(
        Complaint.objects.handled_by(request.user), request.user, code=code
    )
    data_request = DataRequest.objects.filter(complaint=complaint, pk=pk).first()
    if data_request is None:
        raise NotAllowed(f"data request {pk} of complaint {complaint.pk}")
    form = DataDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_data_request(
                data_request,
                actor=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("The decision has been recorded."))
            return redirect("complaints:staff_detail", complaint.code)
    messages.error(request, _errors(form))
    return redirect("complaints:staff_detail", complaint.code)


def _do_action(request, complaint):
    """Make the posted action; on a refusal say why and keep what was typed."""
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        _keep_typed(request, complaint, request.POST.get("action", ""))
        return
    data = form.cleaned_data
    action = data["action"]
    user = request.user
    kwargs = {"actor": user, "message": data["message"]}
    handlers = {
        "request_info": lambda: services.request_info(complaint, **kwargs),
        "forward": lambda: services.forward(
            complaint,
            business=Business.objects.filter(tax_code=data["tax_code"]).first()
            if data["tax_code"]
            else None,
            **kwargs,
        ),
        "refer": lambda: services.refer(
            complaint, agency=data["agency"], other=data["other"], **kwargs
        ),
        "reject": lambda: services.reject(complaint, ground=data["ground"], **kwargs),
        "close": lambda: services.close(complaint, **kwargs),
        "reopen": lambda: services.reopen(complaint, **kwargs),
        "close_with_routes": lambda: services.close_with_routes(complaint, **kwargs),
        "acknowledge": lambda: services.acknowledge(complaint, **kwargs),
        "end_negotiation": lambda: services.end_negotiation(
            complaint, ended_on=data["ended_on"], **kwargs
        ),
        "report_result": lambda: services.report_result(
            complaint, resolved=bool(data["resolved"]), **kwargs
        ),
        "decline": lambda: services.decline(complaint, **kwargs),
        "message": lambda: services.post_message(complaint, internal=data["internal"], **kwargs),
        "assign_me": lambda: services.assign([complaint], actor=user, assignee=user),
    }
    if action not in handlers:
        raise NotAllowed(f"unknown action {action}")
    try:
        handlers[action]()
    except InvalidInput as exc:
        messages.error(request, " ".join(exc.messages))
        _keep_typed(request, complaint, action)
    else:
        messages.success(request, _("Saved."))


@complaint_handler_required
@require_POST
def staff_action(request, code):
    complaint = get_object_in_scope(
        Complaint.objects.handled_by(request.user), request.user, code=code
    )
    _do_action(request, complaint)
    return redirect("complaints:staff_detail", complaint.code)


@complaint_handler_required
@require_GET
def staff_attachment(request, code, pk):
    complaint = get_object_in_scope(
        Complaint.objects.handled_by(request.user), request.user, code=code
    )
    return _serve_attachment(request, complaint, pk)


# --- Business inbox ---------------------------------------------------------------------------


def _business_complaint(request, code):
    return get_object_in_scope(selectors.business_inbox(request.user), request.user, code=code)


@business_member_required
@require_GET
def business_inbox(request):
    complaints = selectors.business_inbox(request.user)
    template = "complaints/business_inbox.html"
    return _own_list(request, complaints, template, today=timezone.localdate())


@business_member_required
@require_GET
def business_detail(request, code):
    complaint = _business_complaint(request, code)
    services.log_access(request, complaint)
    context = _action_context(request, complaint)
    context["events"] = selectors.timeline(complaint)
    return render(request, "complaints/business_detail.html", context)


@business_member_required
@require_POST
def business_action(request, code):
    complaint = _business_complaint(request, code)
    if request.POST.get("action") not in (
        "acknowledge",
        "end_negotiation",
        "report_result",
        "decline",
        "message",
    ):
        raise NotAllowed("not a business action")
    _do_action(request, complaint)
    return redirect("complaints:business_detail", complaint.code)


@business_member_required
@require_GET
def business_attachment(request, code, pk):
    return _serve_attachment(request, _business_complaint(request, code), pk)


# --- Public statistics ------------------------------------------------------------------------


def _stats_year(request):
    years = selectors.available_years()
    try:
        year = int(request.GET.get("nam", years[0]))
    except (TypeError, ValueError):
        year = years[0]
    return year if year in years else years[0], years


@require_GET
def stats(request):
    year, years = _stats_year(request)
    data = selectors.public_statistics(year)
    return render(request, "complaints/stats.html", {"stats": data, "years": years, "year": year})


@require_GET
def stats_csv(request):
    year, _years = _stats_year(request)
    data = selectors.public_statistics(year)
    s = selectors.suppress
    rows = [
        *([_("Month"), row["label"], s(row["count"]), ""] for row in data["by_month"]),
        *([_("Status"), row["label"], s(row["count"]), ""] for row in data["by_status"]),
        *(
            [_("Province"), row["name"], s(row["count"]), row["on_time_share"]]
            for row in data["by_province"]
        ),
        *([_("Sector"), row["name"], s(row["count"]), ""] for row in data["by_sector"]),
        *([_("Business"), row["name"], "", row["on_time_share"]] for row in data["by_business"]),
    ]
    return csv_response(
        [_("Table"), _("Item"), _("Complaints"), _("Steps on time (%)")],
        rows,
        f"thong-ke-khieu-nai-{year}.csv",
    )
