"""The one way the portal searches its own rows (DESIGN.md §6): every searchable row keeps a
folded copy of its text (``search_column``), and a query matches when each of its folded
terms is found in that copy, so "Hoà Bình", "hoa binh" and "HÒA BÌNH" find the same rows.

Parts call ``matching`` from selectors, admin search and django-filter (``SearchFilter``).
Legal documents add PostgreSQL full-text ranking on top of the same terms.
"""

from django.db.models import Q

from .text import build_search_text, fold, search_terms

__all__ = ["fold", "matching", "search_column", "search_terms", "terms_condition"]


def search_column(*parts):
    """The folded text stored beside a row, from its searchable parts."""
    return build_search_text(*parts)


def terms_condition(terms, *, column="search_text"):
    """A ``Q`` true when every term is in ``column``."""
    condition = Q()
    for term in terms:
        condition &= Q(**{f"{column}__contains": term})
    return condition


def matching(queryset, query, *, column="search_text", exact=(), max_terms=12):
    """``queryset`` narrowed to the rows matching the user's ``query``; an empty query (or
    one with no letters or digits) leaves it as it is."""
    terms = search_terms(query, max_terms=max_terms)
    if not terms:
        return queryset
    whole = "".join(str(query).split())
    condition = terms_condition(terms, column=column)
    if exact and whole:
        # A code typed whole (with its hyphen) also matches exactly.
        for field in exact:
            condition |= Q(**{field: whole})
    return queryset.filter(condition)
