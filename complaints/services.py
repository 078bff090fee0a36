"""Writes on complaints: filing, the statutory workflow, deadlines, access logging."""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.jobs import enqueue
from portal.roles import get_actor

from . import workdays
from .models import (
    CONSENT_VERSION,
    HANDLED_STATUSES,
    OPEN_STATUSES,
    STEP_RULES,
    AccessLog,
    Attachment,
    Channel,
    CodeCounter,
    Complaint,
    ComplaintEvent,
    ComplaintStep,
    Status,
    Step,
    Visibility,
)

MAX_ATTACHMENTS = 10


class TransitionError(ValidationError):
    """A workflow action that is not allowed in the complaint's current state."""


# --- Codes and tracking tokens ----------------------------------------------------------------


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _next_number(year):
    """Take the next number of ``year``. The UPDATE comes first so that it takes the row
    lock (PostgreSQL) or the write lock (SQLite) before anything is read: two filings can
    never read the same value."""
    updated = CodeCounter.objects.filter(year=year).update(last=F("last") + 1)
    if not updated:
        try:
            with transaction.atomic():
                CodeCounter.objects.create(year=year, last=1)
                return 1
        except IntegrityError:  # another filing created the year's row first
            CodeCounter.objects.filter(year=year).update(last=F("last") + 1)
    return CodeCounter.objects.values_list("last", flat=True).get(year=year)


def format_code(year, number):
    return f"KN-{year}-{number:06d}"


def consent_sentence():
    """The processing-consent sentence of the current version (shown on the form)."""
    from .forms import CONSENT_TEXT

    return CONSENT_TEXT


# --- Filing -----------------------------------------------------------------------------------


def file_complaint(
    *,
    data,
    files=(),
    stored_files=(),
    user=None,
    channel=Channel.WEB,
    created_by=None,
    submission_key=None,
):
    """Create a complaint from validated form data, with new ``files`` (uploads) and
    ``stored_files`` (already saved by the form's file step: dicts with path, name, mime,
    size). Returns ``(complaint, token)``; the token is shown once and e-mailed, only its hash
    is kept. ``submission_key`` makes a repeated
    submission of the same form return the first complaint (with ``token`` None)."""
    if submission_key:
        existing = Complaint.objects.filter(submission_key=submission_key).first()
        if existing:
            return existing, None
    data = dict(data)
    consent_text = data.pop("consent_text", "") or str(consent_sentence())
    files = list(files)
    stored_files = list(stored_files)
    if len(files) + len(stored_files) > MAX_ATTACHMENTS:
        raise ValidationError(_("You can attach at most 10 files."))
    token = secrets.token_urlsafe(24)
    now = timezone.now()
    try:
        with transaction.atomic():
            year = timezone.localdate(now).year
            number = _next_number(year)
            complaint = Complaint(
                **data,
                code=format_code(year, number),
                tracking_hash=hash_token(token),
                submission_key=submission_key,
                channel=channel,
                user=user if getattr(user, "is_authenticated", False) else None,
                created_by=created_by,
                received_at=now,
                consent_version=CONSENT_VERSION,
                consent_text=consent_text,
            )
            if not complaint.consent_processing:
                raise ValidationError(_("Consent to processing is required."))
            complaint.save()
            for upload in files:
                add_attachment(complaint, upload, user=created_by or complaint.user)
            for stored in stored_files:
                # Already checked by content when uploaded during the form's steps.
                Attachment.objects.create(
                    complaint=complaint,
                    file=stored["path"],
                    original_name=stored["name"][:255],
                    content_type=stored["mime"],
                    size=stored["size"],
                    uploaded_by=complaint.user,
                )
            _start_step(complaint, Step.FORWARD, timezone.localdate(now))
            _event(
                complaint,
                ComplaintEvent.Kind.FILED,
                actor=created_by or complaint.user,
                to_status=Status.SUBMITTED,
                message=_("Complaint received through: %(channel)s")
                % {"channel": complaint.get_channel_display()},
            )
    except IntegrityError:
        # A parallel submission of the same form won the race: return its complaint.
        if submission_key:
            existing = Complaint.objects.filter(submission_key=submission_key).first()
            if existing:
                return existing, None
        raise
    from . import tasks

    if complaint.complainant_email:
        enqueue(tasks.send_filing_confirmation, complaint.pk, token)
    enqueue(tasks.notify_new_complaint, complaint.pk)
    return complaint, token


def add_attachment(complaint, upload, user=None):
    from portal.files import validate_upload

    mime = validate_upload(upload)
    upload.seek(0)
    return Attachment.objects.create(
        complaint=complaint,
        file=upload,
        original_name=(upload.name or "tep")[:255],
        content_type=mime,
        size=upload.size,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )


def find_for_tracking(code, contact):
    """The complaint with ``code`` whose e-mail or phone matches ``contact``, else None.
    Both must match, so that a code alone reveals nothing."""
    code = (code or "").strip().upper()
    contact = (contact or "").strip()
    if not code or not contact:
        return None
    complaint = Complaint.objects.filter(code=code).first()
    if complaint is None:
        return None
    email_ok = complaint.complainant_email and (
        complaint.complainant_email.lower() == contact.lower()
    )
    phone_ok = complaint.complainant_phone and (
        normalise_phone(complaint.complainant_phone) == normalise_phone(contact)
    )
    return complaint if (email_ok or phone_ok) else None


def find_by_token(token):
    if not token or len(token) > 100:
        return None
    return Complaint.objects.filter(tracking_hash=hash_token(token)).first()


def normalise_phone(value):
    """Vietnamese numbers as 0xxxxxxxxx; +84 / 84 prefixes folded."""
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    if (value or "").strip().startswith("+84") or (digits.startswith("84") and len(digits) == 11):
        digits = "0" + digits[2:]
    return digits


# --- Deadlines --------------------------------------------------------------------------------


def _start_step(complaint, kind, start_date, due=None):
    days, party = STEP_RULES[kind]
    due = due or workdays.add_working_days(start_date, days)
    step = ComplaintStep.objects.create(
        complaint=complaint,
        kind=kind,
        party=party,
        province_id=complaint.province_id,
        business_id=complaint.business_id,
        started_on=start_date,
        due_on=due,
    )
    complaint.current_step = kind
    complaint.step_due = due
    complaint.save(update_fields=["current_step", "step_due", "updated_at"])
    return step


def _finish_step(complaint, now=None, counts=True):
    """Complete the open step. ``counts`` False (withdrawal) leaves timeliness unset."""
    now = now or timezone.now()
    step = complaint.steps.filter(completed_at__isnull=True).first()
    if step is not None:
        step.completed_at = now
        if counts and step.due_on:
            step.on_time = timezone.localdate(now) <= step.due_on
            if not step.on_time:
                complaint.is_late = True
        step.save(update_fields=["completed_at", "on_time"])
    complaint.current_step = ""
    complaint.step_due = None
    return step


def _pause_clock(complaint, today):
    step = complaint.steps.filter(completed_at__isnull=True).first()
    if step is not None and step.due_on:
        step.paused_remaining = max(workdays.working_days_between(today, step.due_on), 0)
        step.due_on = None
        step.save(update_fields=["paused_remaining", "due_on"])
    complaint.step_due = None


def _resume_clock(complaint, today):
    step = complaint.steps.filter(completed_at__isnull=True).first()
    if step is not None and step.paused_remaining is not None:
        step.due_on = workdays.add_working_days(today, step.paused_remaining)
        step.paused_remaining = None
        step.save(update_fields=["paused_remaining", "due_on"])
        complaint.step_due = step.due_on


# --- Timeline ---------------------------------------------------------------------------------


def _role(user):
    return get_actor(user).role if user is not None else "consumer"


def _event(
    complaint, kind, *, actor=None, from_status="", to_status="", message="", internal=False
):
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_role=_role(actor) if getattr(actor, "is_authenticated", False) else "consumer",
        message=message,
        visibility=Visibility.INTERNAL if internal else Visibility.PUBLIC,
    )


def _move(complaint, to_status, *, actor, message="", allowed_from):
    if complaint.status not in allowed_from:
        raise TransitionError(
            _("This action is not possible while the complaint is “%(status)s”.")
            % {"status": complaint.get_status_display()}
        )
    previous = complaint.status
    complaint.status = to_status
    complaint.save()
    _event(
        complaint,
        ComplaintEvent.Kind.STATUS,
        actor=actor,
        from_status=previous,
        to_status=to_status,
        message=message,
    )
    from . import tasks

    enqueue(tasks.notify_status_change, complaint.pk)
    return complaint


# --- Roles ------------------------------------------------------------------------------------


def is_staff_for(user, complaint):
    actor = get_actor(user)
    return actor.is_officer and actor.can_see_province(complaint.province_id)


def is_business_for(user, complaint):
    actor = get_actor(user)
    return bool(
        complaint.business_id
        and complaint.business_id in actor.business_ids
        and complaint.forwarded_at
    )


def _require(condition):
    if not condition:
        # Views fetch complaints through visible_to first; reaching here means the role is
        # wrong for this action, which is reported like any missing page.
        from django.http import Http404

        raise Http404


# --- Staff actions ----------------------------------------------------------------------------


@transaction.atomic
def request_info(complaint, *, actor, message):
    _require(is_staff_for(actor, complaint))
    if not (message or "").strip():
        raise ValidationError(_("Say what information is needed."))
    _move(
        complaint, Status.NEEDS_INFO, actor=actor, message=message, allowed_from=[Status.SUBMITTED]
    )
    _pause_clock(complaint, timezone.localdate())
    complaint.save(update_fields=["step_due", "updated_at"])
    return complaint


@transaction.atomic
def forward(complaint, *, actor, business=None, message=""):
    _require(is_staff_for(actor, complaint))
    if business is not None:
        complaint.business = business
        complaint.business_name = complaint.business_name or business.name
        complaint.business_tax_code = business.tax_code
    if complaint.status == Status.NEEDS_INFO:
        raise TransitionError(_("Wait for the consumer's information before forwarding."))
    now = timezone.now()
    _finish_step(complaint, now)
    complaint.forwarded_at = now
    _move(
        complaint, Status.FORWARDED, actor=actor, message=message, allowed_from=[Status.SUBMITTED]
    )
    ComplaintStep.objects.filter(complaint=complaint).update(business_id=complaint.business_id)
    _start_step(complaint, Step.ACKNOWLEDGE, timezone.localdate(now))
    if complaint.business_id:
        from . import tasks

        enqueue(tasks.notify_business, complaint.pk)
    return complaint


@transaction.atomic
def refer(complaint, *, actor, agency=None, other="", message=""):
    _require(is_staff_for(actor, complaint))
    if agency is None and not (other or "").strip():
        raise ValidationError(_("Choose the agency the complaint is referred to, or name it."))
    complaint.referred_to = agency
    complaint.referred_to_other = (other or "").strip()
    now = timezone.now()
    _finish_step(complaint, now)
    complaint.handled_at = now
    where = agency.name if agency else complaint.referred_to_other
    text = _("Referred to: %(where)s.") % {"where": where}
    if message:
        text = text + " " + message
    _move(
        complaint,
        Status.REFERRED,
        actor=actor,
        message=text,
        allowed_from=[Status.SUBMITTED, Status.NEEDS_INFO],
    )
    return complaint


@transaction.atomic
def reject(complaint, *, actor, ground, message=""):
    from .models import RejectionGround

    _require(is_staff_for(actor, complaint))
    if ground not in RejectionGround.values:
        raise ValidationError(_("Choose one of the five grounds of Article 58."))
    complaint.rejection_ground = ground
    now = timezone.now()
    _finish_step(complaint, now)
    complaint.handled_at = now
    text = str(RejectionGround(ground).label)
    if message:
        text = text + ". " + message
    _move(
        complaint,
        Status.REJECTED,
        actor=actor,
        message=text,
        allowed_from=[Status.SUBMITTED, Status.NEEDS_INFO],
    )
    return complaint


@transaction.atomic
def close(complaint, *, actor, message=""):
    _require(is_staff_for(actor, complaint))
    complaint.closed_at = timezone.now()
    return _move(
        complaint, Status.CLOSED, actor=actor, message=message, allowed_from=HANDLED_STATUSES[:-1]
    )


@transaction.atomic
def assign(complaints, *, actor, assignee):
    """Bulk assignment to an officer who may handle each complaint."""
    changed = 0
    for complaint in complaints:
        _require(is_staff_for(actor, complaint))
        if assignee is not None and not is_staff_for(assignee, complaint):
            raise ValidationError(_("This officer cannot handle complaints of that province."))
        if complaint.assigned_to_id == (assignee.pk if assignee else None):
            continue
        complaint.assigned_to = assignee
        complaint.save(update_fields=["assigned_to", "updated_at"])
        _event(
            complaint,
            ComplaintEvent.Kind.ASSIGNED,
            actor=actor,
            message=assignee.get_full_name() or assignee.email if assignee else "",
            internal=True,
        )
        changed += 1
    return changed


# --- Business actions (staff may record them for a business without an account) -------------


def _business_or_staff(actor, complaint):
    _require(is_business_for(actor, complaint) or is_staff_for(actor, complaint))


@transaction.atomic
def acknowledge(complaint, *, actor, message=""):
    """The business confirms receipt and opens negotiation."""
    _business_or_staff(actor, complaint)
    now = timezone.now()
    _finish_step(complaint, now)
    _move(
        complaint, Status.NEGOTIATING, actor=actor, message=message, allowed_from=[Status.FORWARDED]
    )
    # The 7 working days to negotiate run from receipt of the forwarded request
    # (Điều 57 khoản 5), not from the acknowledgement.
    received = timezone.localdate(complaint.forwarded_at or now)
    due = workdays.add_working_days(received, STEP_RULES[Step.NEGOTIATE][0])
    _start_step(complaint, Step.NEGOTIATE, timezone.localdate(now), due=due)
    return complaint


@transaction.atomic
def end_negotiation(complaint, *, actor, ended_on=None, message=""):
    """Negotiation is over; the result must be reported within 5 working days."""
    _business_or_staff(actor, complaint)
    if complaint.status != Status.NEGOTIATING or complaint.current_step != Step.NEGOTIATE:
        raise TransitionError(_("The negotiation is not under way."))
    today = timezone.localdate()
    ended_on = ended_on or today
    if ended_on > today:
        raise ValidationError(_("The end of the negotiation cannot be in the future."))
    _finish_step(complaint, timezone.make_aware(_midday(ended_on)))
    complaint.negotiation_ended_on = ended_on
    _start_step(complaint, Step.REPORT, ended_on)
    _event(
        complaint,
        ComplaintEvent.Kind.MESSAGE,
        actor=actor,
        message=message or _("The negotiation has ended; the result will be reported."),
    )
    return complaint


def _midday(day):
    import datetime

    return datetime.datetime.combine(day, datetime.time(12))


@transaction.atomic
def report_result(complaint, *, actor, resolved, message):
    _business_or_staff(actor, complaint)
    if not (message or "").strip():
        raise ValidationError(_("Describe the result of the negotiation."))
    if complaint.status != Status.NEGOTIATING:
        raise TransitionError(_("The negotiation is not under way."))
    now = timezone.now()
    if complaint.current_step == Step.NEGOTIATE:
        # Reported at once: the negotiation ended today.
        _finish_step(complaint, now)
        complaint.negotiation_ended_on = timezone.localdate(now)
        _start_step(complaint, Step.REPORT, complaint.negotiation_ended_on)
    _finish_step(complaint, now)
    complaint.handled_at = now
    return _move(
        complaint,
        Status.RESOLVED if resolved else Status.UNRESOLVED,
        actor=actor,
        message=message,
        allowed_from=[Status.NEGOTIATING],
    )


@transaction.atomic
def decline(complaint, *, actor, message):
    """The business refuses to negotiate, in writing with its reasons (Điều 57 khoản 6)."""
    _business_or_staff(actor, complaint)
    if not (message or "").strip():
        raise ValidationError(_("Give the reasons for declining, in writing."))
    now = timezone.now()
    if complaint.status not in (Status.FORWARDED, Status.NEGOTIATING):
        raise TransitionError(_("The complaint is not waiting for the business."))
    _finish_step(complaint, now)
    complaint.handled_at = now
    return _move(
        complaint,
        Status.BUSINESS_DECLINED,
        actor=actor,
        message=message,
        allowed_from=[Status.FORWARDED, Status.NEGOTIATING],
    )


@transaction.atomic
def post_message(complaint, *, actor, message, internal=False):
    if not (message or "").strip():
        raise ValidationError(_("Write a message."))
    staff = is_staff_for(actor, complaint)
    _require(staff or is_business_for(actor, complaint))
    kind = ComplaintEvent.Kind.NOTE if internal and staff else ComplaintEvent.Kind.MESSAGE
    return _event(
        complaint, kind, actor=actor, message=message.strip(), internal=internal and staff
    )


# --- Consumer actions (the view has checked ownership or the tracking proof) -----------------


@transaction.atomic
def consumer_add_info(complaint, *, user=None, message, files=()):
    files = list(files)
    if not (message or "").strip() and not files:
        raise ValidationError(_("Write the information or attach a file."))
    if complaint.status not in OPEN_STATUSES:
        raise TransitionError(_("The complaint is no longer open."))
    if complaint.attachments.count() + len(files) > MAX_ATTACHMENTS:
        raise ValidationError(_("You can attach at most 10 files."))
    for upload in files:
        add_attachment(complaint, upload, user=user)
    _event(complaint, ComplaintEvent.Kind.INFO_ADDED, actor=user, message=(message or "").strip())
    from . import tasks

    enqueue(tasks.notify_consumer_reply, complaint.pk)
    if complaint.status == Status.NEEDS_INFO:
        _move(complaint, Status.SUBMITTED, actor=user, allowed_from=[Status.NEEDS_INFO])
        _resume_clock(complaint, timezone.localdate())
        complaint.save(update_fields=["step_due", "updated_at"])
    return complaint


@transaction.atomic
def withdraw(complaint, *, user=None, message=""):
    if complaint.status not in OPEN_STATUSES:
        raise TransitionError(_("The complaint is no longer open."))
    now = timezone.now()
    _finish_step(complaint, now, counts=False)
    complaint.closed_at = now
    return _move(
        complaint, Status.WITHDRAWN, actor=user, message=message, allowed_from=OPEN_STATUSES
    )


@transaction.atomic
def give_feedback(complaint, *, user=None, satisfied, message=""):
    if complaint.status not in (Status.RESOLVED, Status.UNRESOLVED, Status.BUSINESS_DECLINED):
        raise TransitionError(_("Feedback is possible once the business has answered."))
    complaint.satisfied = bool(satisfied)
    complaint.save(update_fields=["satisfied", "updated_at"])
    verdict = _("Satisfied with the result.") if satisfied else _("Not satisfied with the result.")
    text = verdict + (" " + message.strip() if message and message.strip() else "")
    _event(complaint, ComplaintEvent.Kind.FEEDBACK, actor=user, message=text)
    return complaint


# --- Scheduled job ----------------------------------------------------------------------------


def flag_overdue_steps(today=None):
    """Mark steps whose deadline passed and remind whoever owes them, once per step."""
    from portal.jobs import claim

    from . import tasks

    today = today or timezone.localdate()
    flagged = 0
    steps = ComplaintStep.objects.filter(
        completed_at__isnull=True, overdue_flagged_at__isnull=True, due_on__lt=today
    ).values_list("pk", flat=True)
    for step_pk in list(steps.iterator()):
        if claim("complaints.overdue_step", step_pk) is None:
            continue
        with transaction.atomic():
            step = (
                ComplaintStep.objects.select_for_update()
                .select_related("complaint")
                .get(pk=step_pk)
            )
            step.overdue_flagged_at = timezone.now()
            step.save(update_fields=["overdue_flagged_at"])
            complaint = step.complaint
            complaint.is_late = True
            complaint.save(update_fields=["is_late", "updated_at"])
            _event(
                complaint,
                ComplaintEvent.Kind.OVERDUE,
                message=_("Deadline missed: %(step)s (due %(due)s).")
                % {"step": step.get_kind_display(), "due": step.due_on.strftime("%d/%m/%Y")},
                internal=True,
            )
            enqueue(tasks.send_overdue_reminder, step.pk)
        flagged += 1
    return flagged


# --- Personal-data access log ---------------------------------------------------------------


def log_access(request, complaint, action=AccessLog.Action.VIEW, detail=""):
    # REMOTE_ADDR is the client's address (portal.middleware.ClientIPMiddleware handles
    # proxies); X-Forwarded-For as sent by the client could be anything.
    ip = request.META.get("REMOTE_ADDR") or None
    return AccessLog.objects.create(
        complaint=complaint, user=request.user, action=action, detail=detail[:255], ip_address=ip
    )


# --- Abandoned form drafts -------------------------------------------------------------------


def purge_abandoned_drafts(days=2):
    """Delete files uploaded in form sessions that were never sent, after ``days`` days:
    personal data is not kept longer than the process needs it."""
    import shutil
    from pathlib import Path

    from portal.files import private_storage

    root = Path(private_storage.path("complaints/drafts"))
    if not root.is_dir():
        return 0
    # Draft folders whose files belong to a complaint now (paths are drafts/<key>/<file>).
    sent = {
        name.split("/")[2]
        for name in Attachment.objects.filter(file__startswith="complaints/drafts/")
        .values_list("file", flat=True)
        .iterator()
    }
    cutoff = timezone.now().timestamp() - days * 86400
    removed = 0
    for folder in root.iterdir():
        if not folder.is_dir() or folder.stat().st_mtime > cutoff or folder.name in sent:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


# --- Retention -------------------------------------------------------------------------------

ERASED = "—"


def erase_expired_personal_data(now=None):
    """Erase the personal data of complaints finished more than
    ``COMPLAINTS_RETENTION_YEARS`` years ago (default 5): names, contacts, narrative,
    attachments and their history go; status, dates, province, sector and business stay for
    the statistics. Idempotent."""
    import datetime

    from django.conf import settings

    now = now or timezone.now()
    years = getattr(settings, "COMPLAINTS_RETENTION_YEARS", 5)
    cutoff = now - datetime.timedelta(days=365 * years)
    expired = (
        Complaint.objects.exclude(status__in=OPEN_STATUSES)
        .filter(anonymised_at__isnull=True)
        .filter(
            models.Q(closed_at__lt=cutoff) | models.Q(closed_at__isnull=True, handled_at__lt=cutoff)
        )
        .values_list("pk", flat=True)
    )
    erased = 0
    for pk in list(expired[:5000]):
        with transaction.atomic():
            complaint = Complaint.objects.select_for_update().get(pk=pk)
            for attachment in complaint.attachments.all():
                attachment.file.delete(save=False)
                attachment.delete()
            for name in ("complainant_name", "description", "request"):
                setattr(complaint, name, ERASED)
            for name in (
                "complainant_phone",
                "complainant_email",
                "complainant_address",
                "represented_name",
                "business_address",
                "business_website",
                "consent_text",
            ):
                setattr(complaint, name, "")
            complaint.user = None
            complaint.anonymised_at = now
            complaint.save()
            complaint.history.all().delete()
            complaint.events.update(message="")
        erased += 1
    return erased
