from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.errors import InvalidInput, NotAllowed, add_to_form
from portal.models import Business
from portal.pdf import pdf_response
from portal.permissions import (
    business_member_required,
    login_required,
    ministry_required,
    officer_required,
)
from portal.roles import get_actor, get_object_in_scope

from . import formats, selectors, services
from .filters import OwnAssessmentFilter, QueueFilter
from .forms import ImportForm, ReviewForm, StartForm
from .models import (
    EVIDENCE_MAX_BYTES,
    Assessment,
    AssessmentEvent,
    CriteriaSet,
    Criterion,
    Evidence,
    ReviewComment,
)
from .record import business_record
from .scoring import compute_score
from .workflow import ASSESSMENT_WORKFLOW, business_member, reviewer


def _assessment(request, pk, *, member=False, reviewing=False):
    """The assessment through its scope (404 outside it). ``member``: only the business's
    own members (the people who may change it); ``reviewing``: only the officers who may
    decide on it."""
    assessment = get_object_in_scope(
        Assessment.objects.select_related("business__province", "criteria_set", "band"),
        request.user,
        pk=pk,
    )
    actor = get_actor(request.user)
    if member and not business_member(actor, assessment):
        raise NotAllowed(f"assessment {pk}: not a member of its business")
    if reviewing and not reviewer(actor, assessment):
        raise NotAllowed(f"assessment {pk}: not a reviewer of it")
    return assessment


def _evidence_by_criterion(evidence):
    """The evidence files by criterion id."""
    files = {}
    for item in evidence:
        files.setdefault(item.criterion_id, []).append(item)
    return files


def _error_text(exc):
    return " ".join(exc.messages)


@require_GET
def index(request):
    actor = get_actor(request.user)
    context = {
        "sets": CriteriaSet.objects.visible_to(request.user)
        .exclude(status=CriteriaSet.Status.DRAFT)
        .annotate(criteria_count=Count("criteria"))
        .select_related("sector")
        .order_by("is_practice", "-year", "title"),
        "actor": actor,
    }
    if actor.business_ids:
        own_filter = OwnAssessmentFilter(
            request.GET or None, queryset=selectors.assessments_of_user(request.user)
        )
        own_filter.form.is_valid()
        context["own_filter"] = own_filter
        context["assessments"] = own_filter.qs
        context["start_form"] = StartForm(
            sets=selectors.startable_sets(),
            businesses=Business.objects.filter(pk__in=actor.business_ids),
        )
    if actor.is_officer:
        context["to_review"] = selectors.review_queue(
            request.user, status=Assessment.Status.SUBMITTED
        ).count()
    return render(request, "selfassess/index.html", context)


@business_member_required
@require_POST
def start(request):
    actor = get_actor(request.user)
    form = StartForm(
        request.POST,
        sets=selectors.startable_sets(),
        businesses=Business.objects.filter(pk__in=actor.business_ids),
    )
    if not form.is_valid():
        messages.error(request, _("Choose a criteria set and a business."))
        return redirect("selfassess:index")
    try:
        assessment = services.start_assessment(
            user=request.user,
            business=form.cleaned_data["business"],
            criteria_set=form.cleaned_data["criteria_set"],
        )
    except InvalidInput as exc:
        messages.error(request, _error_text(exc))
        return redirect("selfassess:index")
    first = assessment.criteria_set.groups.filter(criteria__isnull=False).order_by("order").first()
    return redirect("selfassess:fill", pk=assessment.pk, group_pk=first.pk)


def _history(assessment):
    return assessment.events.select_related("actor").prefetch_related(
        Prefetch(
            "comments",
            queryset=ReviewComment.objects.select_related("criterion").order_by(
                "criterion__group__order", "criterion__order"
            ),
        )
    )


@login_required
@require_GET
def detail(request, pk):
    assessment = _assessment(request, pk)
    actor = get_actor(request.user)
    score = selectors.score_of(assessment)
    is_member = assessment.business_id in actor.business_ids
    context = {
        "assessment": assessment,
        "criteria_set": assessment.criteria_set,
        "score": score,
        "events": _history(assessment),
        "is_member": is_member,
        "can_review": ASSESSMENT_WORKFLOW.can("verify", request.user, assessment),
        "first_group": next((g for g in score.groups if g.group.criteria_list), None),
    }
    return render(request, "selfassess/detail.html", context)


def _latest_comments(assessment):
    """The comments of the latest request for changes, by criterion id."""
    event = (
        assessment.events.filter(kind=AssessmentEvent.Kind.CHANGES_REQUESTED)
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return {}
    return {c.criterion_id: c.text for c in event.comments.all()}


@business_member_required
@require_http_methods(["GET", "POST"])
def fill(request, pk, group_pk):
    assessment = _assessment(request, pk, member=True)
    criteria_set = selectors.load_structure(assessment.criteria_set)
    group = next((g for g in criteria_set.groups_list if g.pk == group_pk), None)
    if group is None:
        raise Http404
    answers = {a.criterion_id: a for a in assessment.answers.filter(criterion__group=group)}
    typed, errors = {}, {}
    if request.method == "POST":
        if not assessment.is_editable:
            messages.error(request, _("This assessment can no longer be changed."))
            return redirect(assessment)
        typed, errors = _save_group(request, assessment, group)
        # What concerns the whole page (submitted meanwhile, a file that could not be
        # removed) is shown above it; the rest next to its criterion.
        general = errors.pop(None, [])
        if not errors and not general:
            messages.success(request, _("Your answers are saved."))
            target = group
            if "save_next" in request.POST:
                target = _next_group(criteria_set, group) or group
                if target is group:
                    if criteria_set.is_practice:
                        return redirect(assessment)
                    return redirect("selfassess:submit", pk=assessment.pk)
            return redirect("selfassess:fill", pk=assessment.pk, group_pk=target.pk)
        for text in general:
            messages.error(request, text)
        if errors:
            messages.error(request, _("Some answers could not be saved; see the messages below."))
        answers = {a.criterion_id: a for a in assessment.answers.filter(criterion__group=group)}
    score = selectors.score_of(assessment)
    evidence = _evidence_by_criterion(
        assessment.evidence.filter(criterion__group=group).order_by("uploaded_at")
    )
    comments = _latest_comments(assessment)
    rows = []
    for criterion in group.criteria_list:
        answer = answers.get(criterion.pk)
        value, note = (answer.value, answer.note) if answer else ("", "")
        if criterion.pk in typed:
            value, note = typed[criterion.pk]
        rows.append(
            {
                "criterion": criterion,
                "value": value,
                "note": note,
                "evidence": evidence.get(criterion.pk, []),
                "errors": errors.get(criterion.pk, []),
                "comment": comments.get(criterion.pk, ""),
            }
        )
    stopped = bool(score.failed_screening) and any(
        c.kind != Criterion.Kind.SCREENING for c in group.criteria_list
    )
    context = {
        "assessment": assessment,
        "criteria_set": criteria_set,
        "group": group,
        "rows": rows,
        "score": score,
        "stopped": stopped,
        "next_group": _next_group(criteria_set, group),
        "editable": assessment.is_editable,
        "max_mb": EVIDENCE_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "selfassess/fill.html", context)


def _next_group(criteria_set, group):
    groups = [g for g in criteria_set.groups_list if g.criteria_list]
    for index, candidate in enumerate(groups):
        if candidate.pk == group.pk and index + 1 < len(groups):
            return groups[index + 1]
    return None


def _save_group(request, assessment, group):
    """Answers, new files and removals of one group page (the no-JS path)."""
    typed, errors, items = {}, {}, {}
    for criterion in group.criteria_list:
        value = request.POST.get(f"answer_{criterion.pk}", "")
        note = request.POST.get(f"note_{criterion.pk}", "")[:4000]
        typed[criterion.pk] = (value, note)
        if value and value not in criterion.choices:
            errors.setdefault(criterion.pk, []).append(_("This answer is not one of the choices."))
        else:
            items[criterion] = (value, note)
    try:
        services.save_answers(assessment=assessment, items=items, user=request.user)
    except InvalidInput as exc:
        errors.setdefault(None, []).append(_error_text(exc))
    remove = request.POST.get("delete_evidence", "")
    if remove.isdecimal():
        evidence = Evidence.objects.filter(assessment=assessment, pk=remove).first()
        if evidence is not None:
            try:
                services.delete_evidence(evidence=evidence, user=request.user)
            except InvalidInput as exc:
                errors.setdefault(None, []).append(_error_text(exc))
    for criterion in group.criteria_list:
        for upload in request.FILES.getlist(f"evidence_{criterion.pk}"):
            try:
                services.add_evidence(
                    assessment=assessment, criterion=criterion, upload=upload, user=request.user
                )
            except InvalidInput as exc:
                errors.setdefault(criterion.pk, []).append(_error_text(exc))
    return typed, errors


@business_member_required
@require_POST
def autosave(request, pk):
    """One answer saved from the page script (fetch). The last write wins."""
    assessment = _assessment(request, pk, member=True)
    try:
        criterion_pk = int(request.POST.get("criterion", ""))
    except ValueError:
        return JsonResponse({"ok": False, "error": _("Unknown criterion.")}, status=400)
    criterion = Criterion.objects.filter(
        pk=criterion_pk, criteria_set_id=assessment.criteria_set_id
    ).first()
    if criterion is None:
        return JsonResponse({"ok": False, "error": _("Unknown criterion.")}, status=400)
    note = request.POST.get("note")
    try:
        score = services.save_answer(
            assessment=assessment,
            criterion=criterion,
            value=request.POST.get("value", ""),
            note=note[:4000] if note is not None else None,
            user=request.user,
        )
    except InvalidInput as exc:
        return JsonResponse({"ok": False, "error": _error_text(exc)}, status=400)
    return JsonResponse(
        {
            "ok": True,
            "answered": score.answered,
            "total": score.total,
            "progress": score.progress,
            "screening_failed": bool(score.failed_screening),
            "saved_at": timezone.localtime().strftime("%H:%M:%S"),
        }
    )


@login_required
@require_GET
def evidence_file(request, pk, evidence_pk):
    assessment = _assessment(request, pk)
    evidence = get_object_or_404(Evidence, pk=evidence_pk, assessment=assessment)
    return evidence.response()


@business_member_required
@require_http_methods(["GET", "POST"])
def submit(request, pk):
    assessment = _assessment(request, pk, member=True)
    score = selectors.score_of(assessment)
    missing = services.missing_items(assessment) if assessment.is_editable else []
    if request.method == "POST":
        try:
            services.submit(assessment=assessment, user=request.user)
        except InvalidInput as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request,
                _(
                    "Your assessment is submitted. The Department of Industry and Trade will "
                    "review it; you will be told by e-mail."
                ),
            )
            return redirect(assessment)
    groups_by_criterion = {c.pk: g.group for g in score.groups for c in g.group.criteria_list}
    context = {
        "assessment": assessment,
        "score": score,
        "missing": [
            {"criterion": c, "message": m, "group": groups_by_criterion.get(c.pk)}
            for c, m in missing
        ],
    }
    return render(request, "selfassess/submit.html", context)


@officer_required
@require_GET
def queue(request):
    filterset = QueueFilter(
        request.GET or None,
        queryset=selectors.review_queue(request.user),
        nationwide=get_actor(request.user).is_ministry,
    )
    filterset.form.is_valid()
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "selfassess/queue.html",
        {"page": page, "form": filterset.form, "filter": filterset},
    )


@officer_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    assessment = _assessment(request, pk, reviewing=True)
    criteria_set = selectors.load_structure(assessment.criteria_set)
    answers = {a.criterion_id: a for a in assessment.answers.all()}
    evidence = _evidence_by_criterion(assessment.evidence.all())
    form = ReviewForm(request.POST or None)
    typed_comments = {}
    if request.method == "POST":
        criteria = {c.pk: c for g in criteria_set.groups_list for c in g.criteria_list}
        for key, value in request.POST.items():
            if key.startswith("comment_") and key[8:].isdecimal() and int(key[8:]) in criteria:
                typed_comments[int(key[8:])] = value[:4000]
        if form.is_valid():
            try:
                comments = {criteria[k]: v for k, v in typed_comments.items()}
                # The form's fields are the decision and its note.
                services.review(
                    assessment=assessment,
                    officer=request.user,
                    comments=comments,
                    **form.cleaned_data,
                )
            except InvalidInput as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, _("The decision is recorded and the business told."))
                return redirect(assessment)
    groups = [
        {
            "group": g,
            "rows": [
                {
                    "criterion": c,
                    "answer": answers.get(c.pk),
                    "evidence": evidence.get(c.pk, []),
                    "comment": typed_comments.get(c.pk, ""),
                }
                for c in g.criteria_list
            ],
        }
        for g in criteria_set.groups_list
        if g.criteria_list
    ]
    context = {
        "assessment": assessment,
        "groups": groups,
        "form": form,
        "score": selectors.score_of(assessment),
        "can_decide": assessment.status in Assessment.REVIEWABLE,
        "events": _history(assessment),
        # What is open about the business now, so that the reviewer decides with it.
        "record": business_record(assessment.business, viewer=request.user),
    }
    return render(request, "selfassess/review.html", context)


@login_required
@require_GET
def result_pdf(request, pk):
    assessment = _assessment(request, pk)
    return pdf_response(request, assessment, back_url=assessment.get_absolute_url())


@require_http_methods(["GET", "POST"])
def quick_check(request):
    """The practice set for anyone, signed in or not: the result is computed on the spot
    and nothing is stored."""
    criteria_set = selectors.practice_set()
    if criteria_set is None:
        return render(request, "selfassess/quick_check.html", {"criteria_set": None})
    selectors.load_structure(criteria_set)
    answers, score = {}, None
    if request.method == "POST":
        for group in criteria_set.groups_list:
            for criterion in group.criteria_list:
                value = request.POST.get(f"answer_{criterion.pk}", "")
                if value in criterion.choices:
                    answers[criterion.pk] = value
        score = compute_score(criteria_set, criteria_set.groups_list, answers)
    context = {"criteria_set": criteria_set, "answers": answers, "score": score}
    return render(request, "selfassess/quick_check.html", context)


# --- Criteria sets ---------------------------------------------------------------------


@require_GET
def set_detail(request, set_pk):
    criteria_set = get_object_or_404(
        CriteriaSet.objects.visible_to(request.user).select_related("sector"), pk=set_pk
    )
    selectors.load_structure(criteria_set)
    return render(request, "selfassess/set_detail.html", {"criteria_set": criteria_set})


@require_GET
def set_export(request, set_pk, fmt):
    if fmt not in ("json", "yaml"):
        raise Http404
    criteria_set = get_object_or_404(CriteriaSet.objects.visible_to(request.user), pk=set_pk)
    return formats.download(criteria_set, fmt)


@ministry_required
@require_http_methods(["GET", "POST"])
def set_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    file_errors = []
    if request.method == "POST" and form.is_valid():
        upload = request.FILES["file"]
        try:
            criteria_set, created = services.import_file(form.cleaned_data["file"], upload.name)
        except formats.CriteriaFileError as exc:
            file_errors = exc.errors
        except InvalidInput as exc:
            add_to_form(form, exc)
        else:
            if created:
                messages.success(request, _("The criteria set is imported as a new set."))
            else:
                messages.success(request, _("The criteria set is updated from the file."))
            return redirect("selfassess:set_detail", set_pk=criteria_set.pk)
    return render(request, "selfassess/set_import.html", {"form": form, "file_errors": file_errors})


@ministry_required
@require_POST
def set_new_version(request, set_pk):
    criteria_set = get_object_or_404(CriteriaSet, pk=set_pk)
    copy = services.new_version(criteria_set)
    messages.success(
        request,
        _("Version %(version)s is created as a draft; edit it in the back office.")
        % {"version": copy.version},
    )
    return redirect("selfassess:set_detail", set_pk=copy.pk)
