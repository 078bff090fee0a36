"""Writes for organisations and memberships. Views, admin actions and commands call these."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notifications, recipients, tasks
from .errors import InvalidInput
from .jobs import enqueue
from .models import (
    MEMBERSHIP_WORKFLOW,
    AnnouncedDay,
    Business,
    Membership,
    Profile,
    Province,
    announced_day_changed,
)
from .roles import MINISTRY_GROUP, PROVINCE_GROUP, forget_actor, get_actor


class DuplicateTaxCode(InvalidInput):
    """The tax code is registered already: the form shows it on the tax code field."""


@transaction.atomic
def register_business(*, user, data, note=""):
    """Create a business from ``data`` (model field values) with ``user`` as its pending
    owner. A tax code that exists already is refused: the user should ask to join it."""
    tax_code = data["tax_code"]
    duplicate = DuplicateTaxCode(
        {
            "tax_code": ValidationError(
                _(
                    "A business with tax code %(code)s is already registered. "
                    "Ask to join it instead."
                ),
                code="duplicate_tax_code",
                params={"code": tax_code},
            )
        }
    )
    if Business.objects.filter(tax_code=tax_code).exists():
        raise duplicate
    business = Business(**data)
    try:
        business.full_clean()
    except ValidationError as exc:  # the model's own rules, in the portal's contract
        raise InvalidInput(exc) from exc
    try:
        with transaction.atomic():
            business.save()
    except IntegrityError as exc:  # a concurrent registration of the same tax code
        raise duplicate from exc
    membership = Membership.objects.create(
        user=user, business=business, role=Membership.Role.OWNER, note=note
    )
    _tell_officers(membership)
    return business, membership


@transaction.atomic
def request_to_join(*, user, business, role=Membership.Role.EDITOR, note=""):
    """Ask to become a member of an existing business; stays pending until approved."""
    existing = Membership.objects.filter(user=user, business=business).first()
    if existing is not None:
        if existing.status in (Membership.Status.PENDING, Membership.Status.APPROVED):
            raise InvalidInput(
                _("You have already asked to join this business."), code="already_member"
            )
        existing.status = Membership.Status.PENDING
        existing.role = role
        existing.note = note
        existing.requested_at = timezone.now()
        existing.decided_at = None
        existing.decided_by = None
        existing.decision_note = ""
        existing.officers_told_at = None
        existing.save()
        membership = existing
    else:
        membership = Membership.objects.create(user=user, business=business, role=role, note=note)
    _tell_officers(membership)
    return membership


# A province's officers get an e-mail per request up to this many an hour; beyond that the
# requests wait for the hourly digest, one e-mail listing them all (issue #17: one account
# once sent an officer 305 e-mails in two minutes).
REQUEST_MAILS_PER_HOUR = 3


def _tell_officers(membership):
    """Mail the request now, or leave it to the digest when the province's officers were
    already mailed about ``REQUEST_MAILS_PER_HOUR`` requests in the past hour. The province's
    requests are counted under a lock on the province, so that simultaneous requests cannot
    all see room for one more e-mail."""
    province_id = membership.organisation_province_id
    Province.objects.select_for_update().filter(pk=province_id).first()
    now = timezone.now()
    recent = Membership.objects.filter(
        business__province_id=province_id, officers_told_at__gt=now - timedelta(hours=1)
    ).exclude(pk=membership.pk)
    if recent.count() >= REQUEST_MAILS_PER_HOUR:
        return
    Membership.objects.filter(pk=membership.pk).update(officers_told_at=now)
    enqueue(tasks.notify_membership_request, membership.pk)


def request_digests():
    """Send each province's officers one e-mail listing the requests that waited for the
    digest, and mark them told. Each province in its own transaction, the mail sent inside
    it: a failed send leaves the requests for the next run, a sent digest is not sent again
    (``send_once`` per digest and recipient). Returns the number of e-mails sent."""
    sent = 0
    waiting = Membership.objects.filter(
        status=Membership.Status.PENDING, business__isnull=False, officers_told_at__isnull=True
    )
    provinces = waiting.values_list("business__province_id", flat=True).order_by().distinct()
    for province_id in provinces:
        with transaction.atomic():
            Province.objects.select_for_update().filter(pk=province_id).first()
            rows = list(
                waiting.filter(business__province_id=province_id)
                .select_related("user", "business")
                .order_by("requested_at", "pk")
            )
            if not rows:
                continue
            messages = notifications.compose(
                "portal/email/membership_digest",
                recipients.province_officers(province_id),
                {"requests": rows, "count": len(rows)},
            )
            Membership.objects.filter(pk__in=[row.pk for row in rows]).update(
                officers_told_at=timezone.now()
            )
            key = f"{province_id}:{rows[-1].pk}:{len(rows)}"
            sent += notifications.send_once("portal.request_digest", key, messages)
    return sent


def can_decide(decider, membership):
    """Whether ``decider`` may decide ``membership`` (see ``Membership.may_be_decided_by``)."""
    return Membership.may_be_decided_by(get_actor(decider), membership)


def decide_membership(*, membership, decider, approve, reason=""):
    if not approve and not reason.strip():
        raise InvalidInput(_("Give a reason for the refusal."), code="reason_required")
    name = "approve" if approve else "reject"
    with MEMBERSHIP_WORKFLOW.transition(membership, name, user=decider) as change:
        row = change.row
        row.decided_at = timezone.now()
        row.decided_by = decider
        row.decision_note = reason.strip()
    sync_staff_status(membership.user)
    enqueue(tasks.notify_membership_decision, membership.pk)
    return membership


@transaction.atomic
def add_agency_member(*, user, agency, role=Membership.Role.OFFICER, decider=None):
    """Make ``user`` an approved officer of ``agency`` (used by admins and the demo data)."""
    membership, _created = Membership.objects.update_or_create(
        user=user,
        agency=agency,
        defaults={
            "role": role,
            "status": Membership.Status.APPROVED,
            "decided_at": timezone.now(),
            "decided_by": decider,
        },
    )
    sync_staff_status(user)
    return membership


def sync_staff_status(user):
    """Officers get ``is_staff`` and their permission group from their approved agency
    memberships, and lose them when those end."""
    forget_actor(user)
    actor = get_actor(user)
    ministry, _ = Group.objects.get_or_create(name=MINISTRY_GROUP)
    province, _ = Group.objects.get_or_create(name=PROVINCE_GROUP)
    if actor.is_ministry and not user.is_superuser:
        user.groups.add(ministry)
    else:
        user.groups.remove(ministry)
    if actor.is_province_officer:
        user.groups.add(province)
    else:
        user.groups.remove(province)
    is_staff = user.is_superuser or actor.is_officer
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    forget_actor(user)


def _membership(membership_id):
    return (
        Membership.objects.select_related("user", "business", "agency")
        .filter(pk=membership_id)
        .first()
    )


def membership_request_mail(membership_id):
    """The e-mail telling the province's officers a request waits (none once decided)."""
    membership = _membership(membership_id)
    if membership is None or membership.status != Membership.Status.PENDING:
        return []
    return notifications.compose(
        "portal/email/membership_request",
        recipients.province_officers(membership.organisation_province_id),
        {"membership": membership},
    )


def membership_decision_mail(membership_id):
    """The e-mail telling the applicant the decision, in the language they use."""
    membership = _membership(membership_id)
    if membership is None or membership.status == Membership.Status.PENDING:
        return []
    return notifications.compose(
        "portal/email/membership_decision",
        recipients.users(type(membership.user).objects.filter(pk=membership.user_id)),
        {"membership": membership},
    )


def remember_language(user, language):
    """Store the language ``user`` uses the site in; False for one the site does not have."""
    if language not in dict(settings.LANGUAGES):
        return False
    Profile.objects.update_or_create(user=user, defaults={"language": language})
    return True


# --- Announced days off and make-up working days -------------------------------------------


@transaction.atomic
def announce_day(day, *, user):
    """Record ``day`` (an unsaved ``AnnouncedDay``) as added by ``user``, and tell the parts
    whose running deadlines it may move (``announced_day_changed``, after commit there)."""
    day.created_by = user
    day.save()
    _day_changed(day.pk, before=None, after=day.kind, date=day.date)
    return day


@transaction.atomic
def withdraw_day(day):
    """Delete ``day`` (kept in its history) and tell the parts, as for a new one."""
    pk, kind, date = day.pk, day.kind, day.date
    day.delete()
    _day_changed(pk, before=kind, after=None, date=date)


def _day_changed(pk, *, before, after, date):
    # The history row names the change, so that a retried recomputation is done once.
    change_key = AnnouncedDay.history.filter(id=pk).latest().history_id
    announced_day_changed.send(
        AnnouncedDay, day=date, before=before, after=after, change_key=change_key
    )
