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
is any character other than a folded letter or digit. Two ways to find the words, with the
same rule:

- PostgreSQL: full-text search (``fulltext_condition``) with the ``simple`` configuration
  (no stemming, no stop words: the text is already folded) on the column's words only, one
  space apart (``regexp_replace`` of every non-word run), since PostgreSQL's parser would
  keep "19/2023/qh15" as one token. A GIN index on that very expression serves it (the
  ``*_fulltext`` migrations) and stays current by itself. The most searched tables store
  that vector instead, as a generated column with its own GIN index (``StoredVector``):
  the legal library, and the warnings, whose model names it in ``search_vectors``
  (``{folded column: vector column}``, read by ``matching``). A phrase is ``<->``, separate
  words ``&``, the last word ``:*`` (``tsquery``). One known difference: the parser reads
  a word such as "3e10x" as a number and a word, so "3e10" finds it there too.
- Anywhere else (SQLite): a regular expression (through Django's ``REGEXP``), after a plain
  ``LIKE`` of each term that rejects most rows cheaply (``terms_condition``).
"""

import re

from django.db import connections
from django.db.models import Expression, F, Func, Q

from .text import build_search_text, fold, search_terms

__all__ = [
    "fold",
    "fulltext_condition",
    "matching",
    "phrase_condition",
    "phrase_pattern",
    "query_condition",
    "query_needles",
    "search_column",
    "search_terms",
    "stored_vector",
    "StoredVector",
    "terms_condition",
    "text_matches",
    "tsquery",
    "words_condition",
]

# Queries of at most this many words are one phrase (see above).
PHRASE_WORDS = 2

# Outside a folded word: what ``portal.text.search_terms`` splits a query on. The same
# syntax in PostgreSQL's and Python's regular expressions.
_EDGE = "[^0-9a-z]"

# The words of a folded column as PostgreSQL's full-text parser reads them. The GIN indexes
# of the ``*_fulltext`` migrations are on this very expression (``column`` filled in).
WORDS_VECTOR_SQL = (
    "to_tsvector('simple'::regconfig, regexp_replace({column}, '[^0-9a-z]+', ' ', 'g'))"
)


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


def query_needles(terms):
    """What a query's folded ``terms`` look for (see "How a query of several words is
    split"): up to ``PHRASE_WORDS`` words are one phrase, more are each a needle of their
    own. A needle is folded words one space apart."""
    if len(terms) <= PHRASE_WORDS:
        return [" ".join(terms)] if terms else []
    return list(terms)


def _patterns(terms):
    """The regular expressions a row must all match for ``terms``."""
    needles = query_needles(terms)
    last = len(needles) - 1
    return [phrase_pattern(n.split(), prefix_last=i == last) for i, n in enumerate(needles)]


def tsquery(needles, *, prefix_last=True):
    """``needles`` as a PostgreSQL ``tsquery``: the words of a needle ``<->`` (adjacent, in
    order), needles ``&``, the last word ``:*`` (a word's beginning) with ``prefix_last``.
    Folded words are letters and digits only, so quoting them is enough."""
    groups = [[f"'{word}'" for word in needle.split()] for needle in needles if needle.split()]
    if not groups:
        return ""
    if prefix_last:
        groups[-1][-1] += ":*"
    return " & ".join("(" + " <-> ".join(words) + ")" for words in groups)


class _WordsVector(Func):
    """``WORDS_VECTOR_SQL`` of a column: its words only, as a ``tsvector``."""

    template = WORDS_VECTOR_SQL.format(column="%(expressions)s")

    def __init__(self, column):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(column, output_field=SearchVectorField())


class StoredVector(Expression):
    """A stored ``tsvector`` column that the model does not declare (a PostgreSQL generated
    column computed from ``source``, e.g. the legal library's and the warnings'), read from
    the same table, under the same alias, as ``source``. Its GIN index serves a search,
    and its word positions answer a phrase without parsing the text again."""

    def __init__(self, source, column):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())
        self.source, self.column = F(source), column

    def get_source_expressions(self):
        return [self.source]

    def set_source_expressions(self, exprs):
        (self.source,) = exprs

    def as_sql(self, compiler, connection):
        # ``source`` resolves to a column of the query (``Col``): the vector sits beside it.
        alias = getattr(self.source, "alias", None)
        identifiers = (alias, self.column) if alias else (self.column,)
        return ".".join(map(compiler.quote_name_unless_alias, identifiers)), []


def fulltext_condition(needles, *, column="search_text", prefix_last=True, vector_column=None):
    """PostgreSQL: a condition true when ``column`` holds every needle (``tsquery``), served
    by the column's GIN index. ``vector_column``: the words of ``column`` are stored as that
    ``tsvector`` column (``StoredVector``), indexed."""
    from django.contrib.postgres.search import SearchQuery, SearchVectorExact

    vector = StoredVector(column, vector_column) if vector_column else _WordsVector(column)
    query = SearchQuery(
        tsquery(needles, prefix_last=prefix_last), config="simple", search_type="raw"
    )
    return Q(SearchVectorExact(vector, query))


def words_condition(
    needles,
    *,
    column="search_text",
    prefix_last=True,
    vector_column=None,
    using="default",
):
    """A ``Q`` true when every needle is whole words of ``column`` (a needle's words next to
    each other; with ``prefix_last`` the last word may be a word's beginning): PostgreSQL's
    full text on database ``using`` (on ``vector_column`` when the column's words are
    stored, see ``fulltext_condition``), the portable path anywhere else."""
    needles = [needle for needle in needles if needle and needle.split()]
    if not needles:
        return Q()
    if connections[using].vendor == "postgresql":
        return fulltext_condition(
            needles,
            column=column,
            prefix_last=prefix_last,
            vector_column=vector_column,
        )
    return terms_condition(needles, column=column, prefix_last=prefix_last)


def query_condition(terms, *, column="search_text", vector_column=None, using="default"):
    """A ``Q`` true when ``column`` matches the query's folded ``terms`` as a search does
    (on PostgreSQL through the stored ``vector_column`` when given)."""
    return words_condition(
        query_needles(terms), column=column, vector_column=vector_column, using=using
    )


def stored_vector(model, column):
    """The stored ``tsvector`` column holding ``column``'s words on PostgreSQL, as the
    model names it in ``search_vectors``; ``None`` when the words are not stored (then an
    index on ``WORDS_VECTOR_SQL`` serves the search)."""
    *path, name = column.split("__")
    for step in path:  # a joined column ("business__search_text"): the related model's
        model = model._meta.get_field(step).related_model
    return getattr(model, "search_vectors", {}).get(name)


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
    condition = query_condition(
        terms,
        column=column,
        vector_column=stored_vector(queryset.model, column),
        using=queryset.db,
    )
    if exact and whole:
        # A code typed whole (with its hyphen) also matches exactly.
        for field in exact:
            condition |= Q(**{field: whole})
    return queryset.filter(condition)
