"""Reads of organisations used in more than one place."""

from django.db.models import Exists, OuterRef

from . import search
from .models import Business, Membership
from .text import search_terms


def search_businesses(query):
    """Businesses whose name or tax code matches ``query`` without regard to diacritics or
    case, as whole words (``portal.search.matching``: full text on PostgreSQL)."""
    qs = Business.objects.all()
    query = (query or "").strip()
    digits = query.replace(" ", "")
    if digits and digits.replace("-", "").isdigit():
        return qs.filter(tax_code__startswith=digits)
    if not search_terms(query):
        return qs.none()
    return search.matching(qs, query)


def _awaiting_approval():
    """Businesses registered by someone whose request no officer has approved yet: not
    shown to the public until one does (anyone can register a name)."""
    pending = Membership.objects.filter(business=OuterRef("pk"), status=Membership.Status.PENDING)
    approved = Membership.objects.filter(business=OuterRef("pk"), status=Membership.Status.APPROVED)
    return Exists(pending) & ~Exists(approved)


def business_suggestions(query, limit=10):
    """Public suggestions for the complaint form: only what is public (name, tax code,
    address, province)."""
    rows = (
        search_businesses(query)
        .exclude(_awaiting_approval())
        .select_related("province")
        .order_by("name")[:limit]
    )
    return [
        {
            "id": b.pk,
            "tax_code": b.tax_code,
            "name": b.name,
            "address": b.address,
            "province_id": b.province_id,
            "province": b.province.name,
        }
        for b in rows
    ]


def memberships_of(user):
    return (
        Membership.objects.filter(user=user)
        .select_related("business__province", "agency__province")
        .order_by("-requested_at")
    )


def pending_memberships_for(user):
    return (
        Membership.objects.visible_to(user)
        .pending()
        .filter(business__isnull=False)
        .select_related("user", "business__province")
        .order_by("requested_at")
    )
