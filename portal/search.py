"""The one way the portal searches its own rows (DESIGN.md §6): every searchable row keeps a
folded copy of its text (``search_column``), and a query matches whole folded words of that
copy, so "Hoà Bình", "hoa binh" and "HÒA BÌNH" find the same rows, and "ô tô" does not find
"lừa đảo" nor "tổ".

Whole words: a term matches a folded word entirely, never a piece of one ("hoa" does not
find "hoạt"). Only the last word of a query may be the beginning of a word, because people
search as they type ("tieu du" finds "tiêu dùng").

How a query of several words is split (``matching``): a query of up to ``PHRASE_WORDS``
(two) words is one phrase, its words adjacent and in the typed order; a longer query finds
each word anywhere. A Vietnamese word is mostly one or two syllables written apart ("ô tô",
"hòa giải", "tiêu dùng"), so two syllables looked for apart find unrelated words ("ô tô"
would find a scam warning with "ở" and "tổ chức"), while three or more words are several
words, in any order ("ha noi binh an" finds "Bình An Hà Nội"). The legal library, whose
long documents are searched with several separate words, asks for every word anywhere
(``terms_condition``), phrases in quotes adjacent (``phrase_condition``) and ranks the
typed phrase first (legaldocs.selectors).

The folded columns keep the punctuation of the text ("19/2023/qh15,"), so a word boundary
is any character other than a folded letter or digit. Matching is a regular expression,
which both databases run (PostgreSQL natively, SQLite through Django's ``REGEXP``), after a
plain ``LIKE`` of each term that an index can serve and that rejects most rows cheaply.
"""

import re

from django.db.models import Q

from .text import build_search_text, fold, search_terms

__all__ = [
    "fold",
    "matching",
    "phrase_condition",
    "phrase_pattern",
    "query_condition",
    "search_column",
    "search_terms",
    "terms_condition",
    "text_matches",
]

# Queries of at most this many words are one phrase (see above).
PHRASE_WORDS = 2

# Outside a folded word: what ``portal.text.search_terms`` splits a query on. The same
# syntax in PostgreSQL's and Python's regular expressions.
_EDGE = "[^0-9a-z]"


def search_column(*parts):
    """The folded text stored beside a row, from its searchable parts."""
    return build_search_text(*parts)


def phrase_pattern(terms, *, prefix_last=True):
    """A regular expression finding ``terms`` as whole folded words next to each other, in
    order; with ``prefix_last`` the last one may be the start of a longer word."""
    words = f"{_EDGE}+".join(re.escape(term) for term in terms)
    end = "" if prefix_last else f"({_EDGE}|$)"
    return f"(^|{_EDGE}){words}{end}"


def phrase_condition(terms, *, column="search_text", prefix_last=True):
    """A ``Q`` true when ``terms`` are whole words next to each other in ``column``."""
    terms = [term for term in terms if term]
    if not terms:
        return Q()
    condition = Q()
    for term in terms:
        condition &= Q(**{f"{column}__contains": term})
    return condition & Q(**{f"{column}__regex": phrase_pattern(terms, prefix_last=prefix_last)})


def terms_condition(terms, *, column="search_text", prefix_last=True):
    """A ``Q`` true when every term is a whole word somewhere in ``column`` (the last one
    may be a word's beginning). A term with a space in it is a phrase (adjacent words)."""
    terms = [term for term in terms if term]
    condition = Q()
    for position, term in enumerate(terms):
        last = prefix_last and position == len(terms) - 1
        condition &= phrase_condition(term.split(), column=column, prefix_last=last)
    return condition


def _patterns(terms):
    """The regular expressions a row must all match for ``terms`` (see "How a query of
    several words is split")."""
    if len(terms) <= PHRASE_WORDS:
        return [phrase_pattern(terms)]
    last = len(terms) - 1
    return [phrase_pattern([term], prefix_last=i == last) for i, term in enumerate(terms)]


def query_condition(terms, *, column="search_text"):
    """A ``Q`` true when ``column`` matches the query's folded ``terms`` as a search does."""
    if not terms:
        return Q()
    if len(terms) <= PHRASE_WORDS:
        return phrase_condition(terms, column=column)
    return terms_condition(terms, column=column)


def text_matches(folded_text, query):
    """Whether the folded text matches ``query`` as ``matching`` finds rows: the same rule
    in Python (alert subscriptions test a new warning without a query)."""
    terms = search_terms(query)
    text = folded_text or ""
    return bool(terms) and all(re.search(pattern, text) for pattern in _patterns(terms))


def matching(queryset, query, *, column="search_text", exact=(), max_terms=12):
    """``queryset`` narrowed to the rows matching the user's ``query`` (whole words, see
    above); an empty query (or one with no letters or digits) leaves it as it
    is."""
    terms = search_terms(query, max_terms=max_terms)
    if not terms:
        return queryset
    whole = "".join(str(query).split())
    condition = query_condition(terms, column=column)
    if exact and whole:
        # A code typed whole (with its hyphen) also matches exactly.
        for field in exact:
            condition |= Q(**{field: whole})
    return queryset.filter(condition)
