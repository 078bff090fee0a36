"""Who an e-mail goes to, and in which language: the one lookup every part uses.

Each function returns ``Recipient`` values (address and language), once per address, for
active people only. The language is the one the person last used the site in
(``Profile.language``); an address without an account (a business's registered address, a
consumer who filed without signing in) takes the language given, Vietnamese by default.
"""

from dataclasses import dataclass

from django.conf import settings

from .models import Agency, Membership


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str = settings.LANGUAGE_CODE


def address(email, language=None):
    """One address without an account (empty when ``email`` is empty)."""
    if not email:
        return []
    return [Recipient(email, language or settings.LANGUAGE_CODE)]


def unique(pairs):
    """``Recipient`` values from ``(email, language)`` pairs, once per address (any case)."""
    seen, result = set(), []
    for email, language in pairs:
        key = (email or "").lower()
        if key and key not in seen:
            seen.add(key)
            result.append(Recipient(email, language or settings.LANGUAGE_CODE))
    return result


def users(queryset):
    """People of a user queryset."""
    return unique(
        queryset.filter(is_active=True).order_by("pk").values_list("email", "profile__language")
    )


def _members(memberships):
    return memberships.filter(user__is_active=True).order_by("user_id")


def _pairs(memberships):
    return memberships.values_list("user__email", "user__profile__language")


def province_officers(province_id):
    """The approved officers of a province's Sở Công Thương."""
    return unique(
        _pairs(
            _members(Membership.objects.approved()).filter(
                agency__kind=Agency.Kind.PROVINCIAL_DEPARTMENT, agency__province_id=province_id
            )
        )
    )


def officers_by_agency(agency_ids):
    """``{agency_id: [Recipient, ...]}`` for the units ``agency_ids`` (one query)."""
    agency_ids = list(agency_ids)
    pairs = {pk: [] for pk in agency_ids}
    rows = _members(Membership.objects.approved()).filter(agency_id__in=agency_ids)
    for agency_id, email, language in rows.values_list(
        "agency_id", "user__email", "user__profile__language"
    ):
        pairs[agency_id].append((email, language))
    return {pk: unique(found) for pk, found in pairs.items()}


def agency_officers(agency_ids):
    """The approved officers of the units ``agency_ids``, once each."""
    return unique(_pairs(_members(Membership.objects.approved()).filter(agency_id__in=agency_ids)))


def business_members(business, *, with_business_address=False):
    """The approved members of ``business`` (a Business or its pk), and, when asked, the
    business's own registered address first."""
    business_id = getattr(business, "pk", business)
    pairs = []
    if with_business_address:
        email = getattr(business, "email", None)
        if email is None:
            from .models import Business

            email = Business.objects.filter(pk=business_id).values_list("email", flat=True).first()
        pairs.append((email, None))
    pairs.extend(_pairs(_members(Membership.objects.approved()).filter(business_id=business_id)))
    return unique(pairs)
