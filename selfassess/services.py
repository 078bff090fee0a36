"""Every write of the self-assessment part."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import public_cache, recipients
from portal.errors import InvalidInput, InvalidTransition, NotAllowed
from portal.files import KINDS, validate_upload
from portal.jobs import enqueue
from portal.models import Sector
from portal.notifications import compose, page
from portal.roles import get_actor
from portal.text import nfc

from . import formats, selectors
from .models import (
    ANSWER_CHOICES,
    Answer,
    Assessment,
    AssessmentEvent,
    Band,
    CriteriaGroup,
    CriteriaSet,
    Criterion,
    Evidence,
)
from .record import signals_snapshot
from .workflow import (
    ASSESSMENT_WORKFLOW,
    CRITERIA_SET_WORKFLOW,
    DECISIONS,
    business_member,
)


class FrozenSet(InvalidInput):
    """A set that has assessments cannot be replaced: import it under a new version."""


# --- Criteria sets ---------------------------------------------------------------------


def _fill_set(criteria_set, data):
    """Replace the groups, criteria and bands of an unfrozen set with ``data``."""
    criteria_set.bands.all().delete()
    criteria_set.criteria.all().delete()
    criteria_set.groups.all().delete()
    Band.objects.bulk_create(Band(criteria_set=criteria_set, **b) for b in data["bands"])
    groups = {}
    for g in data["groups"]:
        groups[g["code"]] = CriteriaGroup.objects.create(criteria_set=criteria_set, **g)
    for c in data["criteria"]:
        fields = {k: v for k, v in c.items() if k != "group_code"}
        group = groups[c["group_code"]]
        Criterion.objects.create(group=group, criteria_set=criteria_set, **fields)


@transaction.atomic
def import_criteria_set(data):
    """Create (or, while it has no assessments, replace) a set from validated file data.
    Returns (criteria_set, created). A frozen set raises FrozenSet: make a new version."""
    values = formats.normalise(data)
    fields = dict(values["set"])
    sector_code = fields.pop("sector_code")
    sector = Sector.objects.filter(code=sector_code).first() if sector_code else None
    if sector_code and sector is None:
        raise formats.CriteriaFileError(
            [
                formats.FileError(
                    ("sector",), _("Unknown sector code %(code)s.") % {"code": sector_code}
                )
            ]
        )
    existing = CriteriaSet.objects.filter(code=fields["code"], version=fields["version"]).first()
    if existing is not None:
        if existing.is_frozen:
            raise FrozenSet(
                _(
                    "Version %(version)s of %(code)s already has assessments and is frozen; "
                    "import it under a new version number."
                )
                % {"version": existing.version, "code": existing.code},
                code="frozen",
            )
        for key, value in fields.items():
            setattr(existing, key, value)
        existing.sector = sector
        existing.save()
        _fill_set(existing, values)
        return existing, False
    criteria_set = CriteriaSet.objects.create(sector=sector, **fields)
    _fill_set(criteria_set, values)
    return criteria_set, True


def import_file(text, name=""):
    """Parse, validate and import a JSON or YAML file. Raises CriteriaFileError."""
    data = formats.parse(text, formats.detect_format(name, text))
    return import_criteria_set(data)


@transaction.atomic
def new_version(criteria_set):
    """Copy a set (groups, criteria, bands) into the next version, as a draft."""
    data = formats.export_data(criteria_set)
    latest = CriteriaSet.objects.filter(code=criteria_set.code).order_by("-version").first().version
    data["version"] = latest + 1
    data["status"] = CriteriaSet.Status.DRAFT
    copy, _created = import_criteria_set(data)
    copy.previous = criteria_set
    copy.save(update_fields=["previous"])
    return copy


SET_TRANSITIONS = {CriteriaSet.Status.ACTIVE: "activate", CriteriaSet.Status.RETIRED: "retire"}


def set_status(criteria_set, status, *, user):
    """Activate or retire a set (ministry staff, from the back office)."""
    if status not in SET_TRANSITIONS:
        raise InvalidInput(_("A criteria set can only be activated or retired."), code="status")
    with CRITERIA_SET_WORKFLOW.transition(criteria_set, SET_TRANSITIONS[status], user=user):
        pass
    return criteria_set


# --- Filling in ------------------------------------------------------------------------


def start_assessment(*, user, business, criteria_set):
    if business.pk not in get_actor(user).business_ids:
        raise NotAllowed(f"user {user.pk} is not a member of business {business.pk}")
    if criteria_set.status != CriteriaSet.Status.ACTIVE or not criteria_set.criteria.exists():
        raise InvalidInput(
            _("This criteria set cannot be used for assessments."), code="set_not_usable"
        )
    open_one = Assessment.objects.filter(
        business=business, criteria_set=criteria_set, status__in=Assessment.EDITABLE
    ).first()
    if open_one is not None:
        return open_one
    with transaction.atomic():
        # A new row, not a transition: the draft is where the workflow starts.
        assessment = Assessment.objects.create(
            business=business, criteria_set=criteria_set, created_by=user
        )
        AssessmentEvent.objects.create(
            assessment=assessment, kind=AssessmentEvent.Kind.STARTED, actor=user
        )
    return assessment


def _lock_editable(assessment, user):
    """Lock the assessment row for a change of its answers or files (inside the caller's
    transaction), so that a submission waits for the change or the change sees the
    submission; refuse when the user is not a member or it can no longer be changed."""
    row = Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
    if row is None or not business_member(get_actor(user), row):
        raise NotAllowed(f"assessment {assessment.pk}: not a member of its business")
    if not row.is_editable:
        raise InvalidTransition(
            _("This assessment is %(status)s and can no longer be changed.")
            % {"status": row.get_status_display().lower()},
            code="not_editable",
        )
    return row


@transaction.atomic
def save_answer(*, assessment, criterion, value, note=None, user):
    """Store one answer; the last write wins (two tabs never create two rows)."""
    _lock_editable(assessment, user)
    _store_answer(assessment, criterion, value, note, user)
    return refresh_score(assessment)


def _store_answer(assessment, criterion, value, note, user):
    if criterion.criteria_set_id != assessment.criteria_set_id:
        raise InvalidInput(
            _("This criterion is not part of the assessment's set."), code="criterion"
        )
    value = value or ""
    if value and value not in ANSWER_CHOICES[criterion.kind]:
        raise InvalidInput(_("This answer is not one of the choices."), code="choice")
    fields = {"value": value, "updated_by": user, "updated_at": timezone.now()}
    if note is not None:
        fields["note"] = nfc(note)[:4000]
    updated = Answer.objects.filter(assessment=assessment, criterion=criterion).update(**fields)
    if not updated:
        try:
            with transaction.atomic():
                Answer.objects.create(assessment=assessment, criterion=criterion, **fields)
        except IntegrityError:
            # The other tab created it a moment ago: overwrite, as the later write.
            Answer.objects.filter(assessment=assessment, criterion=criterion).update(**fields)


@transaction.atomic
def save_answers(*, assessment, items, user):
    """Save several answers ({criterion: (value, note)}) from a no-JS form post."""
    _lock_editable(assessment, user)
    for criterion, (value, note) in items.items():
        _store_answer(assessment, criterion, value, note, user)
    return refresh_score(assessment)


def refresh_score(assessment):
    """Recompute the score and keep its copy on the row (never set by hand)."""
    score = selectors.score_of(assessment)
    Assessment.objects.filter(pk=assessment.pk).update(
        total_points=score.points,
        max_points=score.max_points,
        percent=score.percent,
        screening_passed=score.screening_passed,
        band=score.band,
    )
    assessment.total_points = score.points
    assessment.max_points = score.max_points
    assessment.percent = score.percent
    assessment.screening_passed = score.screening_passed
    assessment.band = score.band
    return score


@transaction.atomic
def add_evidence(*, assessment, criterion, upload, user):
    _lock_editable(assessment, user)
    if criterion.criteria_set_id != assessment.criteria_set_id:
        raise InvalidInput(
            _("This criterion is not part of the assessment's set."), code="criterion"
        )
    validate_upload(upload, KINDS[Evidence.upload_kinds], Evidence.max_upload_bytes)
    # The file's type and size are recorded by the model (portal.attachments).
    return Evidence.objects.create(
        assessment=assessment,
        criterion=criterion,
        file=upload,
        original_name=nfc(upload.name)[:255],
        uploaded_by=user,
    )


@transaction.atomic
def delete_evidence(*, evidence, user):
    _lock_editable(evidence.assessment, user)
    name, storage = evidence.file.name, evidence.file.storage
    evidence.delete()
    # The file goes only once the removal is committed.
    transaction.on_commit(lambda: storage.delete(name))


def missing_items(assessment):
    """What stops a submission: unanswered criteria, required evidence not attached, a
    failed screening criterion. A list of (criterion, message)."""
    criteria_set = selectors.load_structure(assessment.criteria_set)
    answers = selectors.answers_map(assessment)
    with_evidence = set(assessment.evidence.values_list("criterion_id", flat=True))
    missing = []
    for group in criteria_set.groups_list:
        for criterion in group.criteria_list:
            value = answers.get(criterion.pk, "")
            if not value:
                missing.append((criterion, _("Not answered.")))
            elif criterion.kind == Criterion.Kind.SCREENING and value == "fail":
                missing.append(
                    (criterion, _("Screening criterion not met: the business cannot take part."))
                )
            # Evidence backs a positive answer; "no" needs none and "not answered" is
            # already listed.
            needs_file = criterion.evidence_required and value in ("yes", "plan", "implemented")
            if needs_file and criterion.pk not in with_evidence:
                missing.append((criterion, _("Evidence is required: attach at least one file.")))
    return missing


@transaction.atomic
def submit(*, assessment, user):
    """Send the assessment for review (a member of its business)."""
    with ASSESSMENT_WORKFLOW.transition(assessment, "submit", user=user) as change:
        row = change.row
        if row.criteria_set.is_practice:
            raise InvalidInput(_("A practice check is not submitted for review."), code="practice")
        if missing_items(row):
            raise InvalidInput(_("Some answers or evidence are still missing."), code="incomplete")
        refresh_score(row)
        now = timezone.now()
        row.submitted_at = now
        row.first_submitted_at = row.first_submitted_at or now
    from . import tasks

    enqueue(tasks.notify_event, change.extra["event"].pk)
    return assessment


@transaction.atomic
def review(*, assessment, officer, decision, note="", comments=None):
    """Verify, ask for changes (with comments per criterion) or reject (with a reason)."""
    if decision not in DECISIONS:
        raise InvalidInput({"decision": [_("Choose a decision.")]})
    comments = {c: nfc(t).strip() for c, t in (comments or {}).items() if t and t.strip()}
    note = nfc(note or "").strip()
    with ASSESSMENT_WORKFLOW.transition(
        assessment, DECISIONS[decision], user=officer, note=note, comments=comments
    ) as change:
        row = change.row
        if any(c.criteria_set_id != row.criteria_set_id for c in comments):
            raise InvalidInput(
                _("This criterion is not part of the assessment's set."), code="criterion"
            )
        if decision == "reject" and not note:
            raise InvalidInput({"note": [_("Give the reason for rejecting the assessment.")]})
        if decision == "changes" and not (note or comments):
            raise InvalidInput(
                _("Say what should be changed, overall or per criterion."), code="changes"
            )
        refresh_score(row)
        row.decided_at = timezone.now()
        row.decided_by = officer
        if change.target == Assessment.Status.VERIFIED:
            # The public result says what the reviewer could see open at that moment.
            row.signals_at_verification = signals_snapshot(row.business)
    if change.target in (Assessment.Status.VERIFIED, Assessment.Status.REJECTED):
        refresh_public(assessment.business_id)
    from . import tasks

    event = change.extra["event"]
    enqueue(tasks.notify_event, event.pk)
    return event


def refresh_public(business_id):
    """Publish the business's latest decided assessment when it is verified, and only it."""
    latest = (
        Assessment.objects.filter(
            business_id=business_id,
            status__in=(Assessment.Status.VERIFIED, Assessment.Status.REJECTED),
            criteria_set__is_practice=False,
        )
        .order_by("-decided_at", "-pk")
        .first()
    )
    keep = latest.pk if latest and latest.status == Assessment.Status.VERIFIED else None
    Assessment.objects.filter(business_id=business_id, is_public=True).exclude(pk=keep).update(
        is_public=False
    )
    if keep:
        Assessment.objects.filter(pk=keep).update(is_public=True)
    # Queryset updates send no signal: the public results change here.
    public_cache.bump(public_cache.SELFASSESS)


# --- E-mail ----------------------------------------------------------------------------


def event_mail(event_pk):
    """The messages about an event, each in its recipients' language: a submission goes to
    the province's officers, a review decision to the business's address and its members."""
    event = (
        AssessmentEvent.objects.select_related("assessment__business", "assessment__criteria_set")
        .filter(pk=event_pk)
        .first()
    )
    if event is None:
        return []
    assessment = event.assessment
    business = assessment.business
    context = {
        "event": event,
        "assessment": assessment,
        "business": business,
        "comments": list(event.comments.select_related("criterion")),
        "path": page("selfassess:detail", assessment.pk),
    }
    if event.kind == AssessmentEvent.Kind.SUBMITTED:
        to = recipients.province_officers(business.province_id)
        return compose("selfassess/email/submitted", to, context)
    to = recipients.business_members(business, with_business_address=True)
    return compose("selfassess/email/decision", to, context)
