"""Who a user is in the portal (DESIGN.md §2), computed once per request.

Every app's ``visible_to(user)`` builds on :func:`get_actor`, so the rules live here only:
only approved memberships count; a ministry unit sees everything that is not personal; the
authority (Ủy ban Cạnh tranh Quốc gia) and a Sở Công Thương of the complaint's province see
complaints with their personal data (Luật 19/2023 Điều 55 k2 keeps consumer information to
the competent body); a consumer association sees the complaints addressed to it (Điều 57
k3); a business member sees their businesses.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from .errors import NotAllowed

MINISTRY_GROUP = "Cán bộ Bộ Công Thương"
PROVINCE_GROUP = "Cán bộ Sở Công Thương"
STAFF_GROUPS = (MINISTRY_GROUP, PROVINCE_GROUP)


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    is_superuser: bool = False
    is_ministry: bool = False
    is_authority: bool = False
    # The scheduler or a management command acting on the portal's own behalf.
    is_system: bool = False
    agency_ids: frozenset = field(default_factory=frozenset)
    province_ids: frozenset = field(default_factory=frozenset)
    business_ids: frozenset = field(default_factory=frozenset)
    association_ids: frozenset = field(default_factory=frozenset)

    @property
    def is_authenticated(self):
        return self.user_id is not None

    @property
    def is_province_officer(self):
        return bool(self.province_ids) and not self.is_ministry

    @property
    def is_officer(self):
        """Ministry or province officer: the people who handle cases and must use MFA."""
        return self.is_ministry or bool(self.province_ids)

    @property
    def is_business_member(self):
        return bool(self.business_ids)

    @property
    def handles_complaints(self):
        """Who may read complaints with their personal data: the authority, a province's
        officers, a consumer association (only what is addressed to it)."""
        return self.is_authority or bool(self.province_ids) or bool(self.association_ids)

    def can_handle_complaints_of(self, province_id):
        """Officers who may act on a complaint of ``province_id`` (not associations: they
        support the consumer, they do not decide the case)."""
        return self.is_authority or province_id in self.province_ids

    @property
    def role(self):
        if self.is_system:
            return "system"
        if self.is_superuser:
            return "admin"
        if self.is_ministry:
            return "ministry"
        if self.is_province_officer:
            return "province"
        if self.business_ids:
            return "business"
        if self.association_ids:
            return "association"
        return "consumer" if self.user_id else "public"

    def can_see_province(self, province_id):
        return self.is_ministry or province_id in self.province_ids


ANONYMOUS = Actor()
SYSTEM = Actor(is_system=True)


# Set on a request's user by ``portal.middleware.StaffMFAMiddleware`` when they are staff
# without a second factor (``needs_mfa``): see :func:`withhold_staff_powers`.
WITHHELD_FLAG = "_portal_staff_powers_withheld"


def withhold_staff_powers(user):
    """Until ``user`` sets up TOTP, :func:`get_actor` gives them no officer, association or
    admin power: they are a plain signed-in person (their businesses kept), so every
    ``visible_to`` scope, workflow and service treats them as the public does.

    Why this rule rather than guarding views: every scope of every part already asks
    :func:`get_actor`, so withholding the powers here covers every view, present and future,
    without a list of "staff views" to keep complete; a view nobody marked cannot leak.
    Only the request's user object carries the flag (the middleware sets it), so code that
    loads the same person outside the request (``sync_staff_status``, tasks) still sees
    their real memberships and keeps ``is_staff`` and the groups in step."""
    setattr(user, WITHHELD_FLAG, True)
    if hasattr(user, "_portal_actor"):
        del user._portal_actor


def get_actor(user):
    """The :class:`Actor` for ``user``, cached on the user object (one query per request).
    Without their staff powers while :func:`withhold_staff_powers` applies."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_portal_actor", None)
    if cached is not None:
        return cached
    actor = _real_actor(user)
    if getattr(user, WITHHELD_FLAG, False):
        actor = Actor(user_id=actor.user_id, business_ids=actor.business_ids)
    user._portal_actor = actor
    return actor


def _real_actor(user):
    """The actor from the user's approved memberships, whatever their second factor."""
    cached = getattr(user, "_portal_real_actor", None)
    if cached is not None:
        return cached
    from .models import Membership

    rows = Membership.objects.filter(
        user_id=user.pk, status=Membership.Status.APPROVED
    ).values_list("business_id", "agency_id", "agency__kind", "agency__province_id")
    agency_ids, province_ids, business_ids, association_ids = set(), set(), set(), set()
    is_ministry = is_authority = bool(user.is_superuser)
    for business_id, agency_id, agency_kind, agency_province_id in rows:
        if business_id:
            business_ids.add(business_id)
        elif agency_id:
            agency_ids.add(agency_id)
            if agency_kind in ("authority", "ministry_unit"):
                is_ministry = True
            if agency_kind == "authority":
                is_authority = True
            elif agency_kind == "consumer_association":
                association_ids.add(agency_id)
            elif agency_kind == "provincial_department" and agency_province_id:
                province_ids.add(agency_province_id)
    actor = Actor(
        user_id=user.pk,
        is_superuser=bool(user.is_superuser),
        is_ministry=is_ministry,
        is_authority=is_authority,
        agency_ids=frozenset(agency_ids),
        province_ids=frozenset(province_ids),
        business_ids=frozenset(business_ids),
        association_ids=frozenset(association_ids),
    )
    user._portal_real_actor = actor
    return actor


def as_actor(who):
    """A Django user (or None: nobody) as its :class:`Actor`; an actor as it is."""
    return who if isinstance(who, Actor) else get_actor(who)


def forget_actor(user):
    """Drop the cached actor after the user's memberships change."""
    for name in ("_portal_actor", "_portal_real_actor"):
        if hasattr(user, name):
            delattr(user, name)


def needs_mfa(user):
    """Officers and staff must have a second factor before reaching any staff page."""
    if not getattr(user, "is_authenticated", False):
        return False
    actor = _real_actor(user)
    if not (user.is_staff or user.is_superuser or actor.is_officer or actor.association_ids):
        return False
    from allauth.mfa.utils import is_mfa_enabled

    return not is_mfa_enabled(user)


def get_object_in_scope(queryset, user, **lookup):
    """Fetch one object through the model's ``visible_to`` scope: 404, never 403, when the
    user may not see it, so that nobody learns that it exists (the error middleware maps
    :class:`NotAllowed` to 404)."""
    scoped = queryset.visible_to(user)
    if any(isinstance(value, str) and "\x00" in value for value in lookup.values()):
        # No stored text holds a NUL byte, and PostgreSQL refuses one with an error.
        raise NotAllowed(f"{scoped.model.__name__}: NUL byte in {lookup}")
    try:
        return scoped.get(**lookup)
    except (scoped.model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotAllowed(f"{scoped.model.__name__} {lookup} is not in scope") from exc
