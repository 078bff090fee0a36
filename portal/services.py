"""Writes for organisations and memberships. Views, admin actions and commands call these."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notifications, recipients, tasks
from .errors import InvalidInput
from .jobs import enqueue
from .models import MEMBERSHIP_WORKFLOW, Business, Membership, Profile
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
    enqueue(tasks.notify_membership_request, membership.pk)
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
        existing.save()
        membership = existing
    else:
        membership = Membership.objects.create(user=user, business=business, role=role, note=note)
    enqueue(tasks.notify_membership_request, membership.pk)
    return membership


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
