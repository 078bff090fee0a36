"""Writes on complaints: filing, the statutory workflow, deadlines, access logging."""

import hashlib
import secrets

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import personal_data, recipients
from portal.errors import InvalidInput, InvalidTransition, NotAllowed
from portal.files import KINDS, validate_upload
from portal.jobs import enqueue
from portal.models import Agency
from portal.notifications import compose, page
from portal.roles import SYSTEM, as_actor, get_actor
from portal.templatetags.people import full_name

from . import workdays
from .models import (
    CONSENT_VERSION,
    OPEN_STATUSES,
    PUBLISH_CONSENT_VERSION,
    STEP_RULES,
    AccessLog,
    Attachment,
    Channel,
    CodeCounter,
    Complaint,
    ComplaintEvent,
    ComplaintStep,
    DataRequest,
    Party,
    Status,
    Step,
)
from .workflow import (
    WORKFLOW,
    add_event,
    complainant,
    is_agency,
    is_association,
    is_business,
)

MAX_ATTACHMENTS = 10


# --- Codes and tracking tokens ----------------------------------------------------------------


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _next_number(year):
    """Take the next number of ``year``. The UPDATE takes the row lock (PostgreSQL) or the
    write lock (SQLite) and returns the new value in the same statement: two filings can
    never read the same value. The caller runs it last before its commit, so that the lock
    is held for microseconds, not for the rest of the filing."""
    table = connection.ops.quote_name(CodeCounter._meta.db_table)
    last, year_column = (connection.ops.quote_name(name) for name in ("last", "year"))
    # Names from the model, the year a parameter.
    sql = f"UPDATE {table} SET {last} = {last} + 1 WHERE {year_column} = %s RETURNING {last}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [year])
        row = cursor.fetchone()
    if row:
        return row[0]
    try:
        with transaction.atomic():
            CodeCounter.objects.create(year=year, last=1)
            return 1
    except IntegrityError:  # another filing created the year's row first
        pass
    with connection.cursor() as cursor:
        cursor.execute(sql, [year])
        return cursor.fetchone()[0]


def _provisional_code():
    """A unique placeholder until the number is taken at the end of the filing's
    transaction (never committed: the real code replaces it before the commit)."""
    return "~" + secrets.token_hex(9)


def format_code(year, number):
    return f"KN-{year}-{number:06d}"


def consent_sentence():
    """The processing-consent text of the current version (shown on the form)."""
    from .forms import consent_text

    return consent_text()


def publish_consent_sentence():
    """The publishing-consent text of the current version (shown on the form)."""
    from .forms import publish_consent_text

    return publish_consent_text()


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
    language=None,
):
    """Create a complaint from validated form data, with new ``files`` (uploads) and
    ``stored_files`` (already saved by the form's file step: dicts with path, name, mime,
    size). Returns ``(complaint, token)``; the token is shown once and e-mailed, only its hash
    is kept. ``submission_key`` makes a repeated
    submission of the same form return the first complaint (with ``token`` None).
    ``language`` is the one the consumer filed in (their e-mails are written in it)."""
    if submission_key:
        existing = Complaint.objects.filter(submission_key=submission_key).first()
        if existing:
            return existing, None
    data = dict(data)
    consent_text = data.pop("consent_text", "") or str(consent_sentence())
    # The publishing consent is optional: its version and the words agreed to are kept only
    # when it was given (the narratives publish nothing else).
    publish_text = data.pop("consent_publish_text", "") or str(publish_consent_sentence())
    if data.get("consent_publish"):
        data["consent_publish_version"] = PUBLISH_CONSENT_VERSION
        data["consent_publish_text"] = publish_text
    files = list(files)
    stored_files = list(stored_files)
    if len(files) + len(stored_files) > MAX_ATTACHMENTS:
        raise InvalidInput(_("You can attach at most 10 files."))
    token = secrets.token_urlsafe(24)
    now = timezone.now()
    try:
        with transaction.atomic():
            year = timezone.localdate(now).year
            provisional = _provisional_code()
            complaint = Complaint(
                **data,
                code=provisional,
                tracking_hash=hash_token(token),
                submission_key=submission_key,
                channel=channel,
                user=user if getattr(user, "is_authenticated", False) else None,
                created_by=created_by,
                received_at=now,
                consent_version=CONSENT_VERSION,
                consent_text=consent_text,
                **({"language": language} if language else {}),
            )
            if not complaint.consent_processing:
                raise InvalidInput(_("Consent to processing is required."))
            today = timezone.localdate(now)
            # The first step's fields go in with the row: one INSERT, one history row.
            complaint.current_step = Step.FORWARD
            complaint.step_due = workdays.add_working_days(today, STEP_RULES[Step.FORWARD][0])
            complaint.save()
            # Who filed: the officer who entered it, else the consumer.
            filer = created_by or complainant(complaint, complaint.user)
            for upload in files:
                add_attachment(complaint, upload, actor=filer)
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
            _start_step(complaint, Step.FORWARD, today, due=complaint.step_due)
            add_event(
                complaint,
                ComplaintEvent.Kind.FILED,
                actor=filer,
                to_status=Status.SUBMITTED,
                message=_("Complaint received through: %(channel)s")
                % {"channel": complaint.get_channel_display()},
            )
            # Last before the commit: the year's counter stays locked only for the number
            # and the two short UPDATEs that write it, so parallel filings do not queue
            # behind each other's inserts.
            complaint.code = format_code(year, _next_number(year))
            complaint.save_without_historical_record(update_fields=["code", "search_text"])
            complaint.history.filter(code=provisional).update(code=complaint.code)
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


def add_attachment(complaint, upload, *, actor):
    """Check ``upload`` by its content, then keep it (the shared ``Attachment`` records its
    name, type and size)."""
    validate_upload(upload, KINDS[Attachment.upload_kinds], Attachment.max_upload_bytes)
    upload.seek(0)
    return Attachment.objects.create(
        complaint=complaint,
        file=upload,
        original_name=(upload.name or "tep")[:255],
        uploaded_by_id=as_actor(actor).user_id,
    )


def find_for_tracking(code, contact):
    """The complaint with ``code`` whose e-mail or phone matches ``contact``, else None.
    Both must match, so that a code alone reveals nothing. The contact is compared by its
    keyed hash in the query (the stored contact data is encrypted)."""
    code = (code or "").strip().upper()
    contact = (contact or "").strip()
    if not code or not contact:
        return None
    return Complaint.objects.filter(code=code).with_contact(contact).first()


def find_by_token(token):
    if not token or len(token) > 100:
        return None
    return Complaint.objects.filter(tracking_hash=hash_token(token)).first()


# --- Deadlines --------------------------------------------------------------------------------


def _start_step(complaint, kind, start_date, due=None):
    days, party = STEP_RULES[kind]
    due = due or workdays.add_working_days(start_date, days)
    step = ComplaintStep.objects.create(
        complaint=complaint, kind=kind, party=party, started_on=start_date, due_on=due
    )
    # The caller saves the complaint (a transition saves its row once).
    complaint.current_step = kind
    complaint.step_due = due
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


# --- Roles (for showing buttons; the workflow checks again under the lock) -------------------


def is_staff_for(user, complaint):
    """The authority or the Sở Công Thương of the complaint's province."""
    return is_agency(get_actor(user), complaint)


def is_business_for(user, complaint):
    return is_business(get_actor(user), complaint)


def is_association_for(user, complaint):
    return is_association(get_actor(user), complaint)


def _required(text, message):
    if not (text or "").strip():
        raise InvalidInput(message)


# --- Staff actions ----------------------------------------------------------------------------


def request_info(complaint, *, actor, message):
    _required(message, _("Say what information is needed."))
    with WORKFLOW.transition(complaint, "request_info", user=actor, message=message) as change:
        _pause_clock(change.row, timezone.localdate())
    return complaint


def forward(complaint, *, actor, business=None, message=""):
    from . import tasks

    with WORKFLOW.transition(complaint, "forward", user=actor, message=message) as change:
        row = change.row
        if business is not None:
            row.business = business
            row.business_name = row.business_name or business.name
            row.business_tax_code = business.tax_code
        now = timezone.now()
        _finish_step(row, now)
        row.forwarded_at = now
        ComplaintStep.objects.filter(complaint=row).update(business_id=row.business_id)
        _start_step(row, Step.ACKNOWLEDGE, timezone.localdate(now))
        if row.business_id:
            enqueue(tasks.notify_business, row.pk)
    return complaint


def refer(complaint, *, actor, agency=None, other="", message=""):
    if agency is None and not (other or "").strip():
        raise InvalidInput(_("Choose the agency the complaint is referred to, or name it."))
    where = agency.name if agency else (other or "").strip()
    text = _("Referred to: %(where)s.") % {"where": where}
    if message:
        text = text + " " + message
    with WORKFLOW.transition(complaint, "refer", user=actor, message=text) as change:
        row = change.row
        row.referred_to = agency
        row.referred_to_other = (other or "").strip()
        if agency is not None and agency.kind == Agency.Kind.CONSUMER_ASSOCIATION:
            # Addressed to the association from now on: its members read it (Điều 57 k3).
            row.association = agency
        now = timezone.now()
        _finish_step(row, now)
        row.handled_at = now
    return complaint


def reject(complaint, *, actor, ground, message=""):
    from .models import RejectionGround

    if ground not in RejectionGround.values:
        raise InvalidInput(_("Choose one of the five grounds of Article 58."))
    text = str(RejectionGround(ground).label)
    if message:
        text = text + ". " + message
    with WORKFLOW.transition(complaint, "reject", user=actor, message=text) as change:
        row = change.row
        row.rejection_ground = ground
        now = timezone.now()
        _finish_step(row, now)
        row.handled_at = now
    return complaint


def close(complaint, *, actor, message=""):
    with WORKFLOW.transition(complaint, "close", user=actor, message=message) as change:
        change.row.closed_at = timezone.now()
    return complaint


@transaction.atomic
def assign(complaints, *, actor, assignee):
    """Bulk assignment to an officer who may handle each complaint."""
    changed = 0
    for complaint in complaints:
        if not is_staff_for(actor, complaint):
            raise NotAllowed(f"complaint {complaint.pk}: assign not allowed")
        if assignee is not None and not is_staff_for(assignee, complaint):
            raise InvalidInput(_("This officer cannot handle complaints of that province."))
        if complaint.assigned_to_id == (assignee.pk if assignee else None):
            continue
        complaint.assigned_to = assignee
        complaint.save(update_fields=["assigned_to", "updated_at"])
        name = full_name(assignee) if assignee else ""
        add_event(complaint, ComplaintEvent.Kind.ASSIGNED, actor=actor, message=name, internal=True)
        changed += 1
    return changed


# --- Business actions (staff may record them for a business without an account) -------------


def acknowledge(complaint, *, actor, message=""):
    """The business confirms receipt and opens negotiation."""
    with WORKFLOW.transition(complaint, "acknowledge", user=actor, message=message) as change:
        row = change.row
        now = timezone.now()
        _finish_step(row, now)
        # The 7 working days to negotiate run from receipt of the forwarded request
        # (Điều 57 khoản 5), not from the acknowledgement.
        received = timezone.localdate(row.forwarded_at or now)
        due = workdays.add_working_days(received, STEP_RULES[Step.NEGOTIATE][0])
        _start_step(row, Step.NEGOTIATE, timezone.localdate(now), due=due)
    return complaint


def end_negotiation(complaint, *, actor, ended_on=None, message=""):
    """Negotiation is over; the result must be reported within 5 working days."""
    today = timezone.localdate()
    ended_on = ended_on or today
    if ended_on > today:
        raise InvalidInput(_("The end of the negotiation cannot be in the future."))
    text = message or _("The negotiation has ended; the result will be reported.")
    with WORKFLOW.transition(
        complaint,
        "end_negotiation",
        user=actor,
        message=text,
        event=ComplaintEvent.Kind.MESSAGE,
    ) as change:
        row = change.row
        _finish_step(row, timezone.make_aware(_midday(ended_on)))
        row.negotiation_ended_on = ended_on
        _start_step(row, Step.REPORT, ended_on)
    return complaint


def _midday(day):
    import datetime

    return datetime.datetime.combine(day, datetime.time(12))


def report_result(complaint, *, actor, resolved, message):
    _required(message, _("Describe the result of the negotiation."))
    with WORKFLOW.transition(complaint, "report_result", user=actor, message=message) as change:
        row = change.row
        now = timezone.now()
        if row.current_step == Step.NEGOTIATE:
            # Reported at once: the negotiation ended today.
            _finish_step(row, now)
            row.negotiation_ended_on = timezone.localdate(now)
            _start_step(row, Step.REPORT, row.negotiation_ended_on)
        _finish_step(row, now)
        row.handled_at = now
        change.target = Status.RESOLVED if resolved else Status.UNRESOLVED
    return complaint


def decline(complaint, *, actor, message):
    """The business refuses to negotiate, in writing with its reasons (Điều 57 khoản 6)."""
    _required(message, _("Give the reasons for declining, in writing."))
    with WORKFLOW.transition(complaint, "decline", user=actor, message=message) as change:
        now = timezone.now()
        _finish_step(change.row, now)
        change.row.handled_at = now
    return complaint


@transaction.atomic
def post_message(complaint, *, actor, message, internal=False):
    """A message on the timeline: from the agency, the business or an association the
    complaint is addressed to (which supports the consumer but decides nothing)."""
    _required(message, _("Write a message."))
    staff = is_staff_for(actor, complaint)
    if not (staff or is_business_for(actor, complaint) or is_association_for(actor, complaint)):
        raise NotAllowed(f"complaint {complaint.pk}: message not allowed")
    kind = ComplaintEvent.Kind.NOTE if internal and staff else ComplaintEvent.Kind.MESSAGE
    return add_event(
        complaint, kind, actor=actor, message=message.strip(), internal=internal and staff
    )


# --- Consumer actions (the view proves who the consumer is: see workflow.complainant) --------


def consumer_add_info(complaint, *, actor, message, files=()):
    from . import tasks

    files = list(files)
    if not (message or "").strip() and not files:
        raise InvalidInput(_("Write the information or attach a file."))
    with WORKFLOW.transition(complaint, "add_info", user=actor) as change:
        row = change.row
        if row.attachments.count() + len(files) > MAX_ATTACHMENTS:
            raise InvalidInput(_("You can attach at most 10 files."))
        for upload in files:
            add_attachment(row, upload, actor=actor)
        add_event(row, ComplaintEvent.Kind.INFO_ADDED, actor=actor, message=(message or "").strip())
        enqueue(tasks.notify_consumer_reply, row.pk)
        if change.source == Status.NEEDS_INFO:
            change.target = Status.SUBMITTED
            _resume_clock(row, timezone.localdate())
    return complaint


def withdraw(complaint, *, actor, message=""):
    with WORKFLOW.transition(complaint, "withdraw", user=actor, message=message) as change:
        now = timezone.now()
        _finish_step(change.row, now, counts=False)
        change.row.closed_at = now
    return complaint


def withdraw_publish_consent(complaint, *, actor):
    """The consumer takes back the consent to publish an anonymised summary: a narrative is
    then never published, and one already published comes down (narratives.apps)."""
    text = _("Withdrew the consent to publish an anonymised summary.")
    with WORKFLOW.transition(
        complaint,
        "withdraw_publish_consent",
        user=actor,
        message=str(text),
        event=ComplaintEvent.Kind.DATA_REQUEST,
    ) as change:
        change.row.consent_publish = False
    return complaint


def give_feedback(complaint, *, actor, satisfied, message=""):
    verdict = _("Satisfied with the result.") if satisfied else _("Not satisfied with the result.")
    text = verdict + (" " + message.strip() if message and message.strip() else "")
    with WORKFLOW.transition(
        complaint, "feedback", user=actor, message=text, event=ComplaintEvent.Kind.FEEDBACK
    ) as change:
        change.row.satisfied = bool(satisfied)
    return complaint


# --- Looking at a result again (issue 15) ----------------------------------------------------


def reopen_days():
    """How many days after the result the consumer may ask (``COMPLAINTS_REOPEN_DAYS``)."""
    from django.conf import settings

    return settings.COMPLAINTS_REOPEN_DAYS


def reopen_deadline(complaint):
    """The last day the consumer may ask to look at the result again (in Viet Nam's
    time), or None when no result was given."""
    import datetime

    if not complaint.handled_at:
        return None
    return timezone.localdate(complaint.handled_at) + datetime.timedelta(days=reopen_days())


def can_ask_reopen(complaint, actor, today=None):
    """For showing the form: the workflow allows it and the period runs."""
    deadline = reopen_deadline(complaint)
    return (
        WORKFLOW.can("ask_reopen", actor, complaint)
        and deadline is not None
        and (today or timezone.localdate()) <= deadline
    )


def next_routes():
    """The ways left once negotiation did not settle the dispute (Law 19/2023/QH15,
    Chapter IV): a short text of each, as the consumer is told."""
    return [
        (
            _("Mediation"),
            _(
                "A mediator or a mediation organisation (a consumer association can help) "
                "helps you and the business reach an agreement; a settlement reached can be "
                "recognised by a court."
            ),
        ),
        (
            _("Arbitration"),
            _(
                "An arbitration centre decides the dispute if you and the business agree to it "
                "in writing; an arbitration clause in the business's standard terms binds you "
                "only if you choose it. The award is final."
            ),
        ),
        (
            _("Court"),
            _(
                "You can sue the business at a people's court; a claim by a consumer for less "
                "than 100 million dong can be decided under the simplified procedure."
            ),
        ),
    ]


def routes_text():
    return "\n".join(f"{name}: {text}" for name, text in next_routes())


def ask_reopen(complaint, *, actor, reason):
    """The consumer, not satisfied with the result, asks within ``reopen_days()`` for the
    complaint to be looked at again; the province's officers are told."""
    from . import tasks

    _required(reason, _("Say why the complaint should be looked at again."))
    with WORKFLOW.transition(
        complaint,
        "ask_reopen",
        user=actor,
        message=reason.strip(),
        event=ComplaintEvent.Kind.REOPEN_ASKED,
    ) as change:
        row = change.row
        deadline = reopen_deadline(row)
        if deadline is None or timezone.localdate() > deadline:
            raise InvalidTransition(
                _(
                    "A complaint can be looked at again only within %(days)s days of its "
                    "result; that period ended on %(date)s."
                )
                % {"days": reopen_days(), "date": deadline.strftime("%d/%m/%Y") if deadline else ""}
            )
        row.reopen_requested_at = timezone.now()
        # Asking again says the result did not satisfy.
        row.satisfied = False
        enqueue(tasks.notify_reopen_request, row.pk)
    return complaint


def reopen(complaint, *, actor, message=""):
    """The officer reopens the complaint to negotiation: a new statutory step with its own
    deadline, counted in timeliness like the first (and marking the complaint late if it
    is missed). The consumer and the business are told."""
    from . import tasks

    text = _("The complaint is reopened: the business negotiates again.")
    if (message or "").strip():
        text = text + " " + message.strip()
    with WORKFLOW.transition(
        complaint, "reopen", user=actor, message=text, own_mail=True
    ) as change:
        row = change.row
        now = timezone.now()
        today = timezone.localdate(now)
        _finish_step(row, now)  # none should run; a stray open step must not block the new
        _start_step(row, Step.NEGOTIATE, today)
        row.reopen_requested_at = None
        row.reopened_at = now
        row.handled_at = None
        row.closed_at = None
        row.negotiation_ended_on = None
        row.satisfied = None
        enqueue(tasks.notify_reopen_decision, row.pk)
        if row.business_id:
            enqueue(tasks.notify_business_reopened, row.pk)
    return complaint


def close_with_routes(complaint, *, actor, message=""):
    """The officer keeps the result and closes the file, telling the consumer the routes
    left: mediation, arbitration, court."""
    from . import tasks

    text = _("The request to look at the complaint again was not granted.")
    if (message or "").strip():
        text = text + " " + message.strip()
    text = text + "\n" + _("Other ways to settle the dispute:") + "\n" + routes_text()
    with WORKFLOW.transition(
        complaint,
        "close_with_routes",
        user=actor,
        message=text,
        own_mail=True,
        # Already closed: no status moves, the decision is still on the timeline.
        event=ComplaintEvent.Kind.MESSAGE,
    ) as change:
        row = change.row
        row.reopen_requested_at = None
        row.closed_at = row.closed_at or timezone.now()
        enqueue(tasks.notify_reopen_decision, row.pk)
    return complaint


def reopen_request_mail(complaint_pk):
    """Tell the province's officers that the consumer asks to look at the result again."""
    complaint = _complaint(complaint_pk)
    if complaint is None or complaint.reopen_requested_at is None:
        return []
    return compose(
        "complaints/email/reopen_asked",
        recipients.province_officers(complaint.province_id),
        {
            "complaint": complaint,
            "path": page("complaints:staff_detail", complaint.code),
        },
    )


def reopen_decision_mail(complaint_pk):
    """Tell the consumer the officer's decision: reopened (with the new deadline) or closed
    with the routes left."""
    complaint = _complaint(complaint_pk)
    if complaint is None:
        return []
    reopened = complaint.status == Status.NEGOTIATING
    return compose(
        "complaints/email/reopen_decided",
        _complainant(complaint),
        {
            "complaint": complaint,
            "reopened": reopened,
            "routes": next_routes,
            "path": page("complaints:track"),
        },
    )


def business_reopened_mail(complaint_pk):
    complaint = _complaint(complaint_pk)
    if complaint is None or not complaint.business_id:
        return []
    to, path = _handlers(complaint, complaint.business_id)
    return compose(
        "complaints/email/reopened_for_business", to, {"complaint": complaint, "path": path}
    )


# --- E-mails (composed here in each recipient's language; complaints.tasks only send) -------


def _complainant(complaint):
    """The consumer as a recipient, in the language they filed in."""
    return recipients.address(complaint.complainant_email, complaint.language)


def _handlers(complaint, business_id):
    """Whoever owes the next move: the business's members once it has the complaint, else
    the officers of the complaint's province; with the page they act on."""
    if business_id:
        return (
            recipients.business_members(business_id),
            page("complaints:business_detail", complaint.code),
        )
    return (
        recipients.province_officers(complaint.province_id),
        page("complaints:staff_detail", complaint.code),
    )


def _complaint(pk):
    return Complaint.objects.filter(pk=pk).first()


def filing_confirmation_mail(complaint_pk, token):
    """The consumer's receipt with the private tracking link (the token is passed once,
    because only its hash is stored)."""
    complaint = _complaint(complaint_pk)
    if complaint is None:
        return []
    path = page("complaints:track_token", token)
    return compose(
        "complaints/email/filed",
        _complainant(complaint),
        {"complaint": complaint, "track_path": path},
    )


def new_complaint_mail(complaint_pk):
    complaint = _complaint(complaint_pk)
    if complaint is None:
        return []
    return compose(
        "complaints/email/new_for_officers",
        recipients.province_officers(complaint.province_id),
        {"complaint": complaint, "path": page("complaints:staff_detail", complaint.code)},
    )


def consumer_reply_mail(complaint_pk):
    """Tell whoever handles the complaint now that the consumer added information."""
    complaint = _complaint(complaint_pk)
    if complaint is None:
        return []
    forwarded = complaint.business_id if complaint.forwarded_at else None
    to, path = _handlers(complaint, forwarded)
    return compose("complaints/email/consumer_reply", to, {"complaint": complaint, "path": path})


def forwarded_to_business_mail(complaint_pk):
    complaint = _complaint(complaint_pk)
    if complaint is None or not complaint.business_id:
        return []
    to, path = _handlers(complaint, complaint.business_id)
    return compose(
        "complaints/email/forwarded_to_business", to, {"complaint": complaint, "path": path}
    )


def status_change_mail(complaint_pk):
    complaint = _complaint(complaint_pk)
    if complaint is None:
        return []
    path = page("complaints:track")
    return compose(
        "complaints/email/status_changed",
        _complainant(complaint),
        {"complaint": complaint, "path": path},
    )


def overdue_reminder_mail(step_pk):
    step = ComplaintStep.objects.select_related("complaint").filter(pk=step_pk).first()
    if step is None:
        return []
    complaint = step.complaint
    to, path = _handlers(complaint, step.business_id if step.party == Party.BUSINESS else None)
    return compose(
        "complaints/email/overdue", to, {"complaint": complaint, "step": step, "path": path}
    )


# --- Scheduled job ----------------------------------------------------------------------------


def flag_overdue_steps(today=None):
    """Mark steps whose deadline passed and remind whoever owes them, once per step.

    Each step is claimed with ``portal.jobs.once`` in the transaction that flags it and
    queues its reminder (sent when that transaction commits): a crash half way leaves the
    steps not yet done unclaimed, and the next run does exactly those."""
    from portal.jobs import once

    today = today or timezone.localdate()
    flagged = 0
    steps = ComplaintStep.objects.filter(
        completed_at__isnull=True, overdue_flagged_at__isnull=True, due_on__lt=today
    ).values_list("pk", flat=True)
    for step_pk in list(steps.iterator()):
        with once("complaints.overdue_flag", step_pk) as run:
            if not run:
                continue
            if _flag_step(step_pk):
                flagged += 1
    return flagged


def _flag_step(step_pk):
    from . import tasks

    step = ComplaintStep.objects.select_for_update().select_related("complaint").get(pk=step_pk)
    if step.overdue_flagged_at is not None or step.completed_at is not None:
        return False
    step.overdue_flagged_at = timezone.now()
    step.save(update_fields=["overdue_flagged_at"])
    complaint = step.complaint
    complaint.is_late = True
    complaint.save(update_fields=["is_late", "updated_at"])
    add_event(
        complaint,
        ComplaintEvent.Kind.OVERDUE,
        actor=SYSTEM,
        message=_("Deadline missed: %(step)s (due %(due)s).")
        % {"step": step.get_kind_display(), "due": step.due_on.strftime("%d/%m/%Y")},
        internal=True,
    )
    enqueue(tasks.send_overdue_reminder, step.pk)
    return True


def run_overdue_steps(today=None):
    """The day's overdue pass (beat, 07:00) under one lease for the day: each step is
    claimed on its own (see ``flag_overdue_steps``). A run that crashed releases the lease;
    the next run takes it over and flags only what is left. Returns the number of steps
    flagged, or None when the day's run is finished or held by another worker."""
    from portal.jobs import lease

    today = today or timezone.localdate()
    with lease("complaints.overdue", today) as run:
        if not run:
            return None
        run.result["flagged"] = flag_overdue_steps(today)
    return run.result["flagged"]


def _once_a_day(name, today, work, result_key):
    """Do ``work`` once for the day, claimed with ``portal.jobs.once`` in its transaction
    (a crash claims nothing, so the next run does it). Its count, or None when done."""
    from portal.jobs import once

    with once(name, today or timezone.localdate()) as run:
        if not run:
            return None
        run.result[result_key] = work()
    return run.result[result_key]


def run_purge_drafts(today=None):
    """The day's purge of abandoned form drafts (beat, 07:10), once a day: their files, and
    their typed data in sessions still alive."""
    return _once_a_day(
        "complaints.purge_drafts",
        today,
        lambda: purge_abandoned_drafts() + clear_expired_drafts_in_sessions(),
        "removed",
    )


def run_erase_expired(today=None):
    """The day's erasure of expired personal data (beat, 07:20), once a day."""
    return _once_a_day("complaints.erase_expired", today, erase_expired_personal_data, "erased")


# --- Personal-data access log ---------------------------------------------------------------


def shown_personal_fields(complaint):
    """The declared personal and sensitive fields that hold something in ``complaint``:
    what a reader of the page saw, written to the access log."""
    return [name for name in Complaint.personal_data.fields if getattr(complaint, name)]


def log_access(request, complaint, action=AccessLog.Action.VIEW, *, attachment=None, admin=False):
    """Write who read ``complaint`` (the complaint's id and the action) to the access log.

    The detail is built here from known parts only: the names of the personal fields shown,
    the attachment's number, "admin" for the admin page. Never the address of the request,
    its query string (a staff search term: a phone, a name) nor a tracking token: callers
    cannot pass free text (migration 0009 blanked the older details that held any)."""
    # REMOTE_ADDR is the client's address (portal.middleware.ClientIPMiddleware handles
    # proxies); X-Forwarded-For as sent by the client could be anything.
    ip = request.META.get("REMOTE_ADDR") or None
    parts = ["admin"] if admin else []
    if attachment is not None:
        # The file's number, not its name: names are the consumer's ("CCCD_Nguyen_Thi_Hoa")
        # and the log outlives the erasure of the complaint's personal data.
        parts.append(f"#{int(attachment.pk)}")
    if action == AccessLog.Action.VIEW:
        parts.append(",".join(shown_personal_fields(complaint)))
    detail = ": ".join(part for part in parts if part)
    return AccessLog.objects.create(
        complaint=complaint, user=request.user, action=action, detail=detail[:255], ip_address=ip
    )


# --- Abandoned form drafts -------------------------------------------------------------------


# How long a filing draft (what was typed in the wizard: name, phone, narrative, and the
# files uploaded) is kept after its last change when it is not sent.
DRAFT_DAYS = 2
# Where the filing wizard keeps the draft in the session.
DRAFT_SESSION_KEY = "complaint_draft"


def draft_expired(draft, now=None):
    """Whether the session-held filing ``draft`` was last changed more than DRAFT_DAYS days
    ago (a draft without a date predates the date: expired)."""
    import datetime

    saved = draft.get("saved")
    if not saved:
        return True
    try:
        saved_at = datetime.datetime.fromisoformat(saved)
    except (TypeError, ValueError):
        return True
    return (now or timezone.now()) - saved_at > datetime.timedelta(days=DRAFT_DAYS)


def clear_expired_drafts_in_sessions(now=None):
    """Remove the filing drafts older than DRAFT_DAYS from the sessions that are still
    alive (a session changed by other pages after the draft outlives it); expired
    sessions are deleted whole by the portal's daily clearing. Only for the database
    session engines; returns the number of drafts removed."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.sessions.models import Session

    engine = settings.SESSION_ENGINE
    if engine not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return 0
    store = import_module(engine).SessionStore()
    now = now or timezone.now()
    removed = 0
    for row in Session.objects.filter(expire_date__gt=now).iterator():
        data = row.get_decoded()
        draft = data.get(DRAFT_SESSION_KEY)
        if not draft or not draft_expired(draft, now):
            continue
        del data[DRAFT_SESSION_KEY]
        # The row's data only: saving through the store would push its expiry further.
        Session.objects.filter(pk=row.pk).update(session_data=store.encode(data))
        if engine.endswith("cached_db"):
            from django.core.cache import caches

            caches[settings.SESSION_CACHE_ALIAS].delete(store.cache_key_prefix + row.pk)
        removed += 1
    return removed


def purge_abandoned_drafts(days=None):
    """Delete files uploaded in form sessions that were never sent, after ``days`` days
    (DRAFT_DAYS): personal data is not kept longer than the process needs it. The typed
    data lives in the session, which expires DRAFT_DAYS after the draft's last change.
    Through the storage's own API, so that it works on local disk and on S3 alike."""
    import datetime

    from portal.files import private_storage as storage

    days = DRAFT_DAYS if days is None else days
    root = "complaints/drafts"
    try:
        folders, _files = storage.listdir(root)
    except FileNotFoundError:
        return 0
    # Draft folders whose files belong to a complaint now (paths are drafts/<key>/<file>).
    sent = {
        name.split("/")[2]
        for name in Attachment.objects.filter(file__startswith=f"{root}/")
        .values_list("file", flat=True)
        .iterator()
    }
    cutoff = timezone.now() - datetime.timedelta(days=days)
    removed = 0
    for folder in folders:
        if folder in sent:
            continue
        names = [f"{root}/{folder}/{name}" for name in storage.listdir(f"{root}/{folder}")[1]]
        if any(storage.get_modified_time(name) > cutoff for name in names):
            continue  # a file of it was uploaded lately: the draft is alive
        for name in names:
            storage.delete(name)
        _remove_empty_folder(storage, f"{root}/{folder}")
        removed += 1
    return removed


def _remove_empty_folder(storage, name):
    # A bucket has no folders; a local disk keeps the empty one unless it is removed.
    import contextlib
    import os

    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(storage.path(name))


# --- Retention -------------------------------------------------------------------------------


def erase_expired_personal_data(now=None):
    """Erase the personal data of complaints finished more than
    ``COMPLAINTS_RETENTION_YEARS`` years ago (default 5): every field the registry declares
    personal or sensitive (names, contacts, narrative, vulnerable group), attachments and the
    same fields in the history go; status, dates, province, sector and business stay for the
    statistics. Idempotent."""
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
            erase_complaint(complaint, now)
        erased += 1
    return erased


def erase_complaint(complaint, now=None):
    """Erase what the registry declares personal or sensitive (``personal_data`` on
    Complaint and Attachment), in the complaint, in every past version of it
    (django-simple-history) and in its files and timeline messages."""
    # The consumer's accounts: the owner, and whoever acted as the consumer (a signed-in
    # holder of the tracking link). Their id also marks history rows saved in their requests.
    consumer_ids = {
        complaint.user_id,
        *complaint.events.filter(actor_role="consumer").values_list("actor_id", flat=True),
    } - {None}
    blanked = personal_data.erase(complaint)
    for attachment in complaint.attachments.all():
        personal_data.erase(attachment)  # deletes the stored file
    complaint.attachments.all().delete()
    complaint.user = None
    complaint.anonymised_at = now or timezone.now()
    complaint.save()
    # Past versions hold the same fields: blank them the same way (the history keeps the
    # dates and states of the case, not who the consumer was).
    complaint.history.update(
        user=None,
        **{name: getattr(complaint, Complaint._meta.get_field(name).attname) for name in blanked},
    )
    complaint.history.filter(history_user_id__in=consumer_ids).update(history_user=None)
    # Requests about the data name the corrected values and the consumer's explanation.
    for data_request in complaint.data_requests.all():
        personal_data.erase(data_request)
        data_request.save()
    # The timeline keeps what happened and when, not what was written nor the consumer's
    # account.
    complaint.events.update(message="")
    complaint.events.filter(actor_role="consumer").update(actor=None)
    return blanked


# --- The consumer's requests about their personal data (Luật 91/2025/QH15) -----------------


def _clean_new_value(field, value):
    """The corrected value of ``field`` checked as the filing form checks it."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from portal.text import nfc
    from portal.validators import validate_phone

    from .models import VulnerableGroup

    value = nfc(value or "").strip()
    if field == "vulnerable_group":
        # Choosing none takes the sensitive answer away.
        if value and value not in VulnerableGroup.values:
            raise InvalidInput(_("Choose one of the listed groups, or none."))
        return value
    if field in ("complainant_name",) and not value:
        raise InvalidInput(_("Give the corrected value."))
    limit = Complaint._meta.get_field(field).max_length
    if limit and len(value) > limit:
        raise InvalidInput(_("The corrected value is too long."))
    checks = {"complainant_phone": validate_phone, "complainant_email": validate_email}
    try:
        if value and field in checks:
            checks[field](value)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages)) from exc
    return value


@transaction.atomic
def ask_data_change(complaint, *, actor, kind, field="", new_value="", message=""):
    """Record the consumer's request to correct one detail or to erase their personal data;
    the view has proved they filed the complaint. One request waits at a time."""
    from . import tasks

    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.anonymised_at:
        raise InvalidInput(_("The personal data of this complaint has already been erased."))
    if complaint.data_requests.filter(status=DataRequest.Status.PENDING).exists():
        raise InvalidInput(_("Your previous request is still waiting for a decision."))
    if kind == DataRequest.Kind.CORRECT:
        if field not in DataRequest.CORRECTABLE:
            raise InvalidInput(_("Choose the detail to correct."))
        new_value = _clean_new_value(field, new_value)
        if field in ("complainant_phone", "complainant_email"):
            other = "complainant_email" if field == "complainant_phone" else "complainant_phone"
            if not new_value and not getattr(complaint, other):
                raise InvalidInput(_("Keep an e-mail address or a phone number to reach you."))
    elif kind == DataRequest.Kind.ERASE:
        field, new_value = "", ""
    else:
        raise InvalidInput(_("Choose what you ask for."))
    data_request = DataRequest.objects.create(
        complaint=complaint,
        kind=kind,
        field=field,
        new_value=new_value,
        message=(message or "").strip(),
    )
    # Staff only: the business and an association must not learn what the consumer asked
    # (the consumer sees their requests in the tracking page), and never the value.
    add_event(
        complaint,
        ComplaintEvent.Kind.DATA_REQUEST,
        actor=actor,
        message=_request_summary(data_request),
        internal=True,
    )
    enqueue(tasks.notify_data_request, data_request.pk)
    return data_request


def _request_summary(data_request):
    if data_request.kind == DataRequest.Kind.ERASE:
        return _("The consumer asked to erase their personal data.")
    return _("The consumer asked to correct: %(field)s.") % {"field": data_request.field_label}


@transaction.atomic
def decide_data_request(data_request, *, actor, accept, reason=""):
    """An officer of the agency handling the complaint accepts or refuses the request, with
    the reason recorded (required for a refusal). Accepting a correction changes the detail
    (its history row records who and when); accepting an erasure ends the handling of an
    open complaint and erases the personal data as the five-year erasure does. The consumer
    is told by e-mail in their language, if they left an address."""
    from . import tasks

    data_request = DataRequest.objects.select_for_update().get(pk=data_request.pk)
    complaint = Complaint.objects.select_for_update().get(pk=data_request.complaint_id)
    if not is_staff_for(actor, complaint):
        raise NotAllowed(f"complaint {complaint.pk}: data request not allowed")
    if data_request.status != DataRequest.Status.PENDING:
        raise InvalidInput(_("This request has already been decided."))
    reason = (reason or "").strip()
    if not accept:
        _required(reason, _("Give the reason for refusing the request."))
    now = timezone.now()
    data_request.status = DataRequest.Status.ACCEPTED if accept else DataRequest.Status.REFUSED
    data_request.decided_by = actor
    data_request.decided_at = now
    data_request.decision_reason = reason
    data_request.save()
    if not accept:
        add_event(
            complaint,
            ComplaintEvent.Kind.DATA_REQUEST,
            actor=actor,
            message=_("The request about personal data was refused: %(reason)s")
            % {"reason": reason},
            internal=True,
        )
    elif data_request.kind == DataRequest.Kind.CORRECT:
        _apply_correction(complaint, data_request, actor)
    else:
        # The address goes with the erasure: compose the reply now, send it once committed
        # (not through the broker, which never carries addresses).
        from portal.notifications import send

        reply = data_request_decision_mail(data_request.pk)
        _erase_on_request(complaint, data_request, actor, now)
        transaction.on_commit(lambda: send(reply))
        return data_request
    enqueue(tasks.notify_data_request_decision, data_request.pk)
    return data_request


def _apply_correction(complaint, data_request, actor):
    field = data_request.field
    setattr(complaint, field, data_request.new_value)
    # django-simple-history records the change with the officer as its author.
    complaint._history_user = actor
    complaint.save()
    add_event(
        complaint,
        ComplaintEvent.Kind.DATA_REQUEST,
        actor=actor,
        message=_("Corrected at the consumer's request: %(field)s.")
        % {"field": data_request.field_label},
        internal=True,
    )


def _erase_on_request(complaint, data_request, actor, now):
    """Handling needs the consumer's name, contact and account of the case: an open
    complaint ends (withdrawn, not counted in timeliness) before its data goes. Status,
    dates, province, sector, issue and business stay for the statistics."""
    if complaint.status in OPEN_STATUSES:
        source = complaint.status
        _finish_step(complaint, now, counts=False)
        complaint.status = Status.WITHDRAWN
        complaint.closed_at = now
        complaint.save()
        add_event(
            complaint,
            ComplaintEvent.Kind.STATUS,
            actor=actor,
            from_status=source,
            to_status=Status.WITHDRAWN,
            message=_("Handling ended: the consumer's personal data was erased at their request."),
        )
    else:
        add_event(
            complaint,
            ComplaintEvent.Kind.DATA_REQUEST,
            actor=actor,
            message=_("The consumer's personal data was erased at their request."),
        )
    erase_complaint(complaint, now)


def _data_request(pk):
    return DataRequest.objects.select_related("complaint").filter(pk=pk).first()


def data_request_mail(data_request_pk):
    """Tell the officers of the complaint's province that a request waits for them."""
    data_request = _data_request(data_request_pk)
    if data_request is None:
        return []
    complaint = data_request.complaint
    return compose(
        "complaints/email/data_request_new",
        recipients.province_officers(complaint.province_id),
        {
            "complaint": complaint,
            "summary": _request_summary(data_request),
            "path": page("complaints:staff_detail", complaint.code),
        },
    )


def data_request_decision_mail(data_request_pk):
    """The consumer's answer, in the language they filed in."""
    data_request = _data_request(data_request_pk)
    if data_request is None:
        return []
    complaint = data_request.complaint
    return compose(
        "complaints/email/data_request_decided",
        _complainant(complaint),
        {
            "complaint": complaint,
            "data_request": data_request,
            "accepted": data_request.status == DataRequest.Status.ACCEPTED,
            "erase": data_request.kind == DataRequest.Kind.ERASE,
            "path": page("complaints:track"),
        },
    )


# --- Announced days off (portal.models.AnnouncedDay) ------------------------------------------


def recompute_deadlines(day, before, after, change_key):
    """Move the due dates of the running steps whose window holds ``day``, whose kind went
    from ``before`` to ``after`` (an ``AnnouncedDay.Kind`` or None when absent), and note it
    on each complaint's timeline. The working days a step had before ``day`` are kept and the
    rest laid again from ``day`` on, so that a step started or resumed on any date moves by
    exactly the days the change adds or takes. Done once per ``change_key`` (the history row
    of the change): a retried task finds it done. Returns the number of steps moved."""
    import datetime

    from portal.jobs import once

    with once("complaints.announced_day", change_key) as run:
        if not run:
            return 0
        new = workdays.Calendar()
        old = workdays.Calendar()
        old.announced.pop(day, None)
        if before:
            old.announced[day] = before
        eve = day - datetime.timedelta(days=1)
        moved = 0
        steps = (
            ComplaintStep.objects.select_for_update()
            .select_related("complaint")
            .filter(completed_at__isnull=True, started_on__lt=day, due_on__gte=day)
            .order_by("pk")
        )
        for step in steps:
            left = old.working_days_between(eve, step.due_on)
            due = new.add_working_days(eve, left)
            if due == step.due_on:
                continue
            previous = step.due_on
            step.due_on = due
            step.save(update_fields=["due_on"])
            complaint = step.complaint
            complaint.step_due = due
            complaint.save(update_fields=["step_due", "updated_at"])
            add_event(
                complaint,
                ComplaintEvent.Kind.MESSAGE,
                actor=SYSTEM,
                message=_recompute_message(after, day, previous, due),
            )
            moved += 1
        run.result["moved"] = moved
    return moved


def _recompute_message(after, day, previous, due):
    from portal.models import AnnouncedDay

    values = {
        "day": day.strftime("%d/%m/%Y"),
        "old": previous.strftime("%d/%m/%Y"),
        "new": due.strftime("%d/%m/%Y"),
    }
    if after == AnnouncedDay.Kind.OFF:
        text = _(
            "The deadline was recomputed because of the additional day off on %(day)s: "
            "%(new)s instead of %(old)s."
        )
    elif after == AnnouncedDay.Kind.WORKING:
        text = _(
            "The deadline was recomputed because of the make-up working day on %(day)s: "
            "%(new)s instead of %(old)s."
        )
    else:
        text = _(
            "The deadline was recomputed because the day announced for %(day)s was "
            "withdrawn: %(new)s instead of %(old)s."
        )
    return text % values
