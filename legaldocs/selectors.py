"""Reads of the legal library used in more than one place: search, document pages, open
data, the home block and the annual-report figures."""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection, connections
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, Value, When
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from portal import pagination, periods
from portal import search as portal_search
from portal.search import (
    fold,
    phrase_pattern,
    search_terms,
    terms_condition,
)

from .models import Document, DocumentType, IssuingBody, LegalField, Relation, ValidityEvent
from .validity import Status, annotate_status, status_on, status_style

MAX_QUERY_LENGTH = 200
_PHRASE = re.compile(r"[\"“”„«»]([^\"“”„«»]+)[\"“”„«»]")
_NUMBER_LIKE = re.compile(r"^\d+[a-zđ]?(?:\s*[/\-]\s*[0-9a-zđ\-]+)*$", re.IGNORECASE)
_WORD_CHARS = re.compile(r"[^0-9a-z]+")
_MARKUP = re.compile(r"\*\*|__|^#+\s*", re.MULTILINE)


# --- Query parsing ---------------------------------------------------------------------


@dataclass
class ParsedQuery:
    text: str = ""  # what the user typed, trimmed to MAX_QUERY_LENGTH
    truncated: bool = False
    terms: list = field(default_factory=list)  # folded words
    phrases: list = field(default_factory=list)  # folded phrases (quoted)
    number: str = ""  # normalised number when the query looks like a document number

    @property
    def words(self):
        """The typed words as ``portal.search`` reads them: up to two are one phrase ("trọng
        tài", never "trong" alone), more are each looked for anywhere."""
        return portal_search.query_needles(self.terms)

    @property
    def needles(self):
        """What must be found (and is marked), a phrase as its words one space apart."""
        return self.phrases + self.words

    @property
    def prefix_last(self):
        """Whether the last needle may end in a word's beginning: only a typed word, never a
        phrase in quotes (``needles`` ends with the words)."""
        return bool(self.terms)

    @property
    def is_empty(self):
        return not (self.needles or self.number)


def parse_query(raw):
    """Split the search box into phrases (in quotes), words and a possible document
    number. Bounded: a 5,000-character query is cut to :data:`MAX_QUERY_LENGTH`."""
    from .models import normalize_number

    raw = (raw or "").strip()
    parsed = ParsedQuery(text=raw[:MAX_QUERY_LENGTH], truncated=len(raw) > MAX_QUERY_LENGTH)
    text = parsed.text
    if _NUMBER_LIKE.match(text):
        parsed.number = normalize_number(text)
    for match in _PHRASE.finditer(text):
        phrase = " ".join(_WORD_CHARS.split(fold(match.group(1)))).strip()
        if phrase:
            parsed.phrases.append(phrase)
    rest = _PHRASE.sub(" ", text)
    parsed.terms = search_terms(rest, max_length=MAX_QUERY_LENGTH)
    return parsed


# --- Search ----------------------------------------------------------------------------


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"
    TITLE = "title"
    ALL = (RELEVANCE, NEWEST, OLDEST, TITLE)


@dataclass
class SearchResult:
    queryset: object
    parsed: ParsedQuery
    mode: str  # "all", "number", "text", "similar", "none"


def _number_filter(number):
    return (
        Q(number_normalized=number)
        | Q(number_normalized__startswith=number + "/")
        | Q(number_normalized__startswith=number + "-")
    )


def words_condition(parsed, column="search_text"):
    """The portable form of the search (``portal.search.terms_condition``): a ``Q`` true when
    ``column`` holds every needle as whole words, quoted phrases and two typed words
    adjacent, more typed words anywhere, the last typed word possibly a word's beginning
    ("tieu du" finds "tiêu dùng"). Used on every database for the short title column, which
    PostgreSQL serves with its trigram index."""
    return terms_condition(parsed.needles, column=column, prefix_last=parsed.prefix_last)


def _full_text(qs, parsed):
    """Rows whose folded text holds every word and phrase as whole words, through the
    portal's one search helper (``portal.search.words_condition``): PostgreSQL full text on
    the folded column's stored vector (``search_vector``, migration 0010) and its GIN index;
    its statistics know how common each word is, so a page of a very common word stops
    early instead of scanning every row's full text, and a phrase is checked from the
    vector's positions, not by parsing each row's text again. The portable path anywhere
    else."""
    condition = portal_search.words_condition(
        parsed.needles,
        prefix_last=parsed.prefix_last,
        vector_column="search_vector",
        using=qs.db,
    )
    return qs.filter(condition)


def base_queryset(as_of=None):
    return annotate_status(Document.objects.select_related("issuing_body", "field"), as_of)


# Documents whose dates are unknown sort by the year in their number, and last of all when
# even that is unknown, on every database.
NEWEST_FIRST = (
    F("year").desc(nulls_last=True),
    F("issue_date").desc(nulls_last=True),
    "-pk",
)
OLDEST_FIRST = (F("year").asc(nulls_last=True), F("issue_date").asc(nulls_last=True), "pk")


def _order(qs, sort):
    if sort == Sort.OLDEST:
        return qs.order_by(*OLDEST_FIRST)
    if sort == Sort.TITLE:
        return qs.order_by("title_search", "pk")
    return qs.order_by(*NEWEST_FIRST)


def search(query="", *, filters=None, sort=Sort.RELEVANCE, as_of=None):
    """The library's one search box (DESIGN.md §6).

    A query that looks like a document number is matched exactly on the normalised number
    column ("19/2023", "19/2023/QH15", "55/2024/nđ-cp"). Otherwise, or when no number
    matches, every word and quoted phrase must occur in the folded title, summary or full
    text; documents whose title holds them all rank first. On PostgreSQL a query with no
    hit falls back to trigram similarity on titles (typo tolerance).
    """
    parsed = parse_query(query)
    qs = base_queryset(as_of)
    if filters is not None and filters.is_bound:
        # The library's FilterSet (legaldocs.filters): its valid values narrow the rows.
        filters.is_valid()
        qs = filters.filter_queryset(qs)
    if parsed.is_empty:
        # Nothing to look for (empty, or only punctuation): show the library, and say why.
        mode = "none" if parsed.text else "all"
        return SearchResult(_order(qs, sort), parsed, mode)
    if parsed.number:
        by_number = qs.filter(_number_filter(parsed.number))
        if by_number.exists():
            return SearchResult(_order(by_number, sort), parsed, "number")
    if not parsed.needles:
        return SearchResult(qs.none(), parsed, "text")
    matched = _full_text(qs, parsed)
    # No document has every word: PostgreSQL first tries titles close to the query (typos);
    # then, on any database, documents with most of the words. An exact phrase asked for in
    # quotes gets no approximate answers.
    if not parsed.phrases and not matched.exists():
        if connection.vendor == "postgresql":
            similar = _similar_titles(qs, parsed)
            if similar is not None and similar.exists():
                return SearchResult(similar, parsed, "similar")
        relaxed = _most_words(qs, parsed)
        if relaxed is not None:
            return SearchResult(relaxed, parsed, "relaxed")
    if sort != Sort.RELEVANCE:
        return SearchResult(_order(matched, sort), parsed, "text")
    # Ranking: the words as typed, next to each other in the title (3); all of them
    # somewhere in the title (2); anywhere else (1). Shorter titles first within a tier.
    # Title matches and the others are two queries, so that the second one can walk the
    # date index and stop after one page instead of ranking every match of a common word.
    in_title = _in_title(qs, parsed)
    typed = None
    if len(parsed.terms) > 1 and not parsed.phrases:
        typed = re.compile(phrase_pattern(parsed.terms))
    # Only the newest title matches, up to one more than the count shows, are ranked (in
    # ``TieredResults``, from their folded titles): a common word ("tiêu dùng") is in tens
    # of thousands of titles, and ranking them all sorts every one for a page of twenty.
    # The trade-off: past the cap, an older title with the typed phrase may rank below
    # newer ones, or not be shown; a library with fewer title matches than the cap is
    # ranked whole, as before. The folded title is part of the folded search text: a
    # title match needs no scan of the (long) full text.
    candidates = qs.filter(in_title).order_by(*NEWEST_FIRST).values_list("pk", "title_search")
    rest = (
        matched.exclude(in_title)
        .annotate(rank=Value(1, output_field=IntegerField()))
        .order_by(*NEWEST_FIRST)
    )
    first = candidates[: pagination.COUNT_CAP + 1]
    return SearchResult(TieredResults(first, rest, base_queryset(as_of), typed), parsed, "text")


def _in_title(qs, parsed):
    """Documents whose folded title holds every word and phrase: PostgreSQL full text on
    the title's stored vector (``title_vector``, migration 0010) and its GIN index, so no
    title is parsed per query; the portable path anywhere else."""
    if connections[qs.db].vendor == "postgresql":
        return portal_search.words_condition(
            parsed.needles,
            column="title_search",
            prefix_last=parsed.prefix_last,
            vector_column="title_vector",
            using=qs.db,
        )
    return words_condition(parsed, column="title_search")


class TieredResults:
    """Two tiers read as one list, for ``portal.pagination.CappedPaginator``: the title
    matches, ranked, then the other matches (``rest``, newest first).

    ``candidates``: ``(pk, folded title)`` of the first tier, newest first and at most
    ``COUNT_CAP + 1`` of them (``search``), read once: they are its count, and ranking them
    here costs the database nothing: the words as typed next to each other in the title
    (``typed``, rank 3) before the other title matches (2), shorter titles first, then
    newest (the sort is stable). A page of them is then read from ``documents`` by key. When they
    fill the cap, the second tier is never read (no page goes past the cap). A page costs
    the candidates, at most one count and two queries."""

    def __init__(self, candidates, rest, documents, typed=None):
        self.rest = rest
        self._candidates, self._documents, self._typed = candidates, documents, typed
        self._ranked = None

    def _rank(self, title):
        return 3 if self._typed is not None and self._typed.search(title) else 2

    @property
    def ranked(self):
        """``(pk, rank)`` of the first tier, in rank order."""
        if self._ranked is None:
            rows = [(pk, self._rank(title), len(title)) for pk, title in self._candidates]
            rows.sort(key=lambda row: (-row[1], row[2]))
            self._ranked = [(pk, rank) for pk, rank, _length in rows]
        return self._ranked

    @property
    def first_count(self):
        return len(self.ranked)

    def _first(self, start, stop):
        keys = self.ranked[start:stop]
        if not keys:
            return []
        found = self._documents.in_bulk([pk for pk, _rank in keys])
        rows = []
        for pk, rank in keys:
            if pk in found:  # unless deleted meanwhile
                found[pk].rank = rank
                rows.append(found[pk])
        return rows

    def capped_count(self, limit):
        if self.first_count >= limit:
            return self.first_count
        return self.first_count + self.rest.order_by()[: limit - self.first_count].count()

    def count(self):
        return self.capped_count(pagination.COUNT_CAP + 1)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        start, stop = key.start or 0, key.stop
        split = self.first_count
        rows = []
        if start < split:
            rows += self._first(start, split if stop is None else min(stop, split))
        if stop is None or stop > split:
            rest_stop = None if stop is None else stop - split
            rows += list(self.rest[max(0, start - split) : rest_stop])
        return rows

    def __iter__(self):
        yield from self[0:None]


def _most_words(qs, parsed):
    """Documents holding at least 60% of the words (and two or more), most words first:
    long questions such as "Luật bảo vệ quyền lợi người tiêu dùng năm 2010 (nêu trong
    nguồn)" still find their law."""
    import math

    if len(parsed.terms) < 3:
        return None
    score = sum(
        (
            Case(When(terms_condition([term], prefix_last=False), then=Value(1)), default=0)
            for term in parsed.terms
        ),
        Value(0),
    )
    needed = max(2, math.ceil(len(parsed.terms) * 0.6))
    return qs.annotate(rank=score).filter(rank__gte=needed).order_by("-rank", *NEWEST_FIRST)


# "Did you mean" ranks at most this many of the titles the trigram index finds: a typo in
# a common phrase is close to a fifth of a national library, and ranking them all took
# seconds; these are equally close, and the page shows twenty.
SIMILAR_CANDIDATES = 200


def _similar_titles(qs, parsed):
    """Typo tolerance: titles whose words are close to the query (pg_trgm ``%>``, served
    by the trigram index on ``title_search``), the first ``SIMILAR_CANDIDATES`` found
    ranked by closeness."""
    from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity

    text = " ".join(parsed.needles)
    if len(text) < 3:
        return None
    candidates = qs.filter(title_search__trigram_word_similar=text).order_by()
    candidates = candidates.values("pk")[:SIMILAR_CANDIDATES]
    return (
        qs.filter(pk__in=list(candidates.values_list("pk", flat=True)))
        .annotate(
            rank=TrigramWordSimilarity(Value(text), "title_search"),
            closeness=TrigramSimilarity("title_search", Value(text)),
        )
        .order_by("-rank", "-closeness", "-pk")
    )


# --- Highlighting ----------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _fold_char(ch):
    if ch.isspace():
        return " "
    return fold(ch) or ("" if not ch.strip() else ch.lower())


def _folded_with_map(text):
    """``text`` folded character by character, with the original index of every folded
    character, so that matches found in folded text map back onto the original."""
    chars, index = [], []
    for position, ch in enumerate(text):
        folded = _fold_char(ch)
        if folded == " " and chars and chars[-1] == " ":
            continue
        for out in folded:
            chars.append(out)
            index.append(position)
    return "".join(chars), index


def _needle_pattern(needle, prefix):
    """Whole folded words of ``needle`` next to each other; a prefix needle marks the whole
    word it begins ("tieu du" marks "tiêu dùng")."""
    words = r"[^0-9a-z]+".join(re.escape(word) for word in needle.split())
    rest = r"[0-9a-z]*" if prefix else ""
    return re.compile(rf"(?<![0-9a-z]){words}{rest}(?![0-9a-z])")


def _match_spans(text, needles, prefix_last=False):
    """Spans of ``text`` whose folded words match a needle: only whole words, as the search
    found them ("trọng tài" marks "trọng tài", never "trong")."""
    folded, index = _folded_with_map(text)
    needles = [needle for needle in needles if needle and needle.strip()]
    spans = []
    for position, needle in enumerate(needles):
        prefix = prefix_last and position == len(needles) - 1
        for found in _needle_pattern(needle, prefix).finditer(folded):
            start, end = found.span()
            spans.append((index[start], index[end - 1] + 1))
    spans.sort()
    merged = []
    for start, end in spans:
        # Words next to each other (only spaces between) are marked as one run.
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _render(text, spans, start=0, end=None):
    end = len(text) if end is None else end
    out, cursor = [], start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        out.append(escape(text[cursor:span_start]))
        out.append("<mark>" + escape(text[span_start:span_end]) + "</mark>")
        cursor = span_end
    out.append(escape(text[cursor:end]))
    return "".join(out)


def highlight(text, needles, prefix_last=False):
    """``text`` escaped, with every whole-word match of ``needles`` (folded) in <mark>;
    ``prefix_last``: the last needle may begin a word."""
    text = text or ""
    return mark_safe(_render(text, _match_spans(text, needles, prefix_last)))  # noqa: S308 (escaped)


def snippet(text, needles, length=240, prefix_last=False):
    """An escaped excerpt of ``text`` around the first match, matches in <mark>."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    spans = _match_spans(text, needles, prefix_last) if needles else []
    if not spans:
        cut = text[:length]
        return mark_safe(escape(cut) + ("…" if len(text) > length else ""))  # noqa: S308
    first = spans[0][0]
    start = max(0, first - length // 3)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space != -1 and start - space < 30 else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.find(" ", end)
        end = space if space != -1 and space - end < 30 else end
    html = _render(text, spans, start, end)
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 (every piece escaped)


def decorate(documents, parsed):
    """Add ``title_html`` and ``snippet_html`` to each document of a results page."""
    needles = parsed.needles if parsed else []
    prefix = bool(parsed and parsed.prefix_last)
    for document in documents:
        document.title_html = highlight(document.title, needles, prefix)
        body = document.summary
        if needles and not _match_spans(body, needles, prefix):
            plain = _MARKUP.sub("", strip_tags(document.body)).replace("\t", " ")
            if _match_spans(plain[:20000], needles, prefix):
                body = plain[:20000]
        document.snippet_html = snippet(body, needles, prefix_last=prefix)
        document.status_label = Status(document.validity).label
        document.status_style = status_style(document.validity)
    return documents


# --- Facets and documents --------------------------------------------------------------


def issuing_bodies():
    return IssuingBody.objects.all()


def legal_fields():
    return LegalField.objects.all()


def find_by_permalink(doc_type, year_slug, slug):
    """The document at a permalink, with what its page shows, or ``None``."""
    return document_pages().filter(doc_type=doc_type, year_slug=year_slug, slug=slug).first()


def document_pages():
    """Documents with what a document's page (and the API's detail) shows, in a fixed
    number of queries: events, relations both ways with the other ends' events, files."""
    return Document.objects.select_related("issuing_body", "field").prefetch_related(
        Prefetch("events", queryset=ValidityEvent.objects.select_related("source_document")),
        Prefetch(
            "relations_out",
            queryset=Relation.objects.select_related("target").prefetch_related("target__events"),
        ),
        Prefetch(
            "relations_in",
            queryset=Relation.objects.select_related("source").prefetch_related("source__events"),
        ),
        "attachments",
    )


def by_number(number, as_of=None):
    """The documents a number designates, as the library's search matches a number
    (:func:`parse_query`: "19/2023" also finds 19/2023/QH15), newest first, with their status
    on ``as_of``; ``None`` when ``number`` does not look like a document number."""
    parsed = parse_query(number)
    if not parsed.number:
        return None
    return _order(base_queryset(as_of).filter(_number_filter(parsed.number)), Sort.NEWEST)


def relations_of(document, day=None):
    """Both directions of every relation of ``document``, as rows ``{label, kind,
    document, status}`` grouped by label; uses prefetched data (no extra queries)."""
    edges = [
        (relation, "out", relation.target, relation.get_kind_display())
        for relation in document.relations_out.all()
    ] + [
        (relation, "in", relation.source, relation.reverse_label)
        for relation in document.relations_in.all()
    ]
    rows = [
        {
            "label": label,
            "kind": relation.kind,
            "direction": direction,
            "document": other,
            "note": relation.note,
            "status": status_on(other, day, list(other.events.all())),
        }
        for relation, direction, other, label in edges
    ]
    order = {kind: i for i, kind in enumerate(Relation.Kind.values)}
    rows.sort(key=lambda r: (order[r["kind"]], r["direction"], str(r["document"])))
    for row in rows:
        row["status_label"] = Status(row["status"]).label
        row["style"] = status_style(row["status"])
    return rows


def open_flags(document):
    return document.flags.filter(resolved_at__isnull=True).select_related("parent")


def document_as_dict(document, request=None, day=None):
    """The open-data form of a document (the JSON view)."""

    def url(path):
        return request.build_absolute_uri(path) if request else path

    events = list(document.events.all())
    status = status_on(document, day, events)
    return {
        "id": document.pk,
        "number": document.number,
        "type": document.doc_type,
        "type_label": str(document.get_doc_type_display()),
        "title": document.title,
        "issuing_body": document.issuing_body.name,
        "signer": document.signer,
        "issue_date": document.issue_date.isoformat() if document.issue_date else None,
        "effective_date": (
            document.effective_date.isoformat() if document.effective_date else None
        ),
        "field": document.field.name if document.field else None,
        "language": document.language,
        "summary": document.summary,
        "has_full_text": bool(document.body),
        "status": status.value,
        "status_label": str(Status(status).label),
        "facts_uncertain": document.is_uncertain,
        "note": document.note,
        "sources": document.sources,
        "permalink": url(document.get_absolute_url()),
        "events": [
            {
                "date": e.date.isoformat(),
                "kind": e.kind,
                "by": e.source_document.number if e.source_document else None,
                "part_affected": e.part_affected,
                "note": e.note,
            }
            for e in events
        ],
        "relations": [
            {
                "relation": row["kind"],
                "direction": "outgoing" if row["direction"] == "out" else "incoming",
                "label": str(row["label"]),
                "number": row["document"].number,
                "title": row["document"].title,
                "permalink": url(row["document"].get_absolute_url()),
            }
            for row in relations_of(document, day)
        ],
        "attachments": [
            {
                "name": a.original_name,
                "authoritative": a.is_authoritative,
                "url": url(a.get_absolute_url()),
            }
            for a in document.attachments.all()
        ],
        "updated_at": document.updated_at.isoformat(),
    }


def library_rows(day=None):
    """Every document with its status on ``day``, for the CSV export (one query,
    streamed)."""
    return (
        annotate_status(Document.objects.select_related("issuing_body", "field"), day)
        .order_by("doc_type", "year", "number_normalized", "pk")
        .iterator(chunk_size=2000)
    )


def recently_changed(limit=50):
    return Document.objects.select_related("issuing_body").order_by("-updated_at", "-pk")[:limit]


# --- Home page and reports -------------------------------------------------------------


def home_block():
    """The home page's library block: the total and the five latest documents (2 queries)."""
    latest = list(
        annotate_status(Document.objects.select_related("issuing_body")).order_by(*NEWEST_FIRST)[:5]
    )
    if not latest:
        return None
    for document in latest:
        document.status_label = Status(document.validity).label
    return {
        "template": "legaldocs/_home_block.html",
        "documents": latest,
        "total": Document.objects.count(),
    }


def _type_labels():
    return {value: str(label) for value, label in DocumentType.choices}


def report_figures(*, start, end, province=None):
    """Figures for the annual reports. Nationwide (``province`` None): the whole library.
    For a province: only the documents its own bodies issued (``IssuingBody.province``),
    so national documents are counted once, in the national report.
    ``added``: documents added to the library between ``start`` and ``end`` (inclusive);
    ``by_type``: the same by type label; ``issued``: documents issued in the period."""
    documents = Document.objects.all()
    if province is not None:
        documents = documents.filter(issuing_body__province=province)
    added = periods.in_window(documents, "created_at", start, end)
    by_type_rows = added.order_by().values("doc_type").annotate(n=Count("pk"))
    labels = _type_labels()
    by_type = {labels.get(row["doc_type"], row["doc_type"]): row["n"] for row in by_type_rows}
    issued = periods.in_window(documents, "issue_date", start, end).count()
    return {"added": sum(by_type.values()), "by_type": by_type, "issued": issued}


def report_figures_by_province(*, start, end):
    """The same figures for every current province, in two queries: a province whose
    bodies issued nothing in the library gets zeros, never the national figures."""
    from portal.models import Province

    result = {
        pk: {"added": 0, "by_type": {}, "issued": 0}
        for pk in Province.objects.current().values_list("pk", flat=True)
    }
    local = Document.objects.filter(issuing_body__province__isnull=False)
    labels = _type_labels()
    added = periods.in_window(local, "created_at", start, end).order_by()
    for row in added.values("issuing_body__province", "doc_type").annotate(n=Count("pk")):
        figures = result.get(row["issuing_body__province"])
        if figures is not None:
            label = labels.get(row["doc_type"], row["doc_type"])
            figures["by_type"][label] = figures["by_type"].get(label, 0) + row["n"]
            figures["added"] += row["n"]
    issued = periods.in_window(local, "issue_date", start, end).order_by()
    for row in issued.values("issuing_body__province").annotate(n=Count("pk")):
        if row["issuing_body__province"] in result:
            result[row["issuing_body__province"]]["issued"] = row["n"]
    return result
