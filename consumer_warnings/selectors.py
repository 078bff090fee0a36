"""Reads: the public list (also behind feeds and exports), one warning, the home block, and
the figures for the annual reports. Every read here runs a constant number of queries."""

from django.db import connection
from django.db.models import Case, Count, F, Prefetch, Q, Value, When

from portal import periods, search
from portal.models import Province

from .models import NEWEST_FIRST, ConsumerWarning, WarningEvent, WarningPhoto

FEED_SIZE = 50


def _with_relations(queryset):
    return queryset.select_related("sector", "business").prefetch_related(
        Prefetch("photos", queryset=WarningPhoto.objects.order_by("order", "pk")),
        Prefetch("provinces", queryset=Province.objects.order_by("code")),
    )


def listed_warnings(warning_filter=None):
    """Published warnings (never drafts nor withdrawn ones), newest first and those whose
    original date is unknown last, filtered by the public FilterSet ``warning_filter``."""
    queryset = ConsumerWarning.objects.listed()
    if warning_filter is not None:
        queryset = warning_filter.filter_queryset(queryset)
    return _with_relations(queryset.order_by(*NEWEST_FIRST))


def similar_warnings(warning_filter):
    """Typo tolerance on PostgreSQL: when a search finds nothing, the published warnings
    found by the query with each word replaced by the closest word the warnings use
    (``closest_words``), newest first. ``None`` when not applicable (no query, no word
    to correct, or another database)."""
    terms = search.search_terms(warning_filter.values.get("q", ""))
    if not terms or connection.vendor != "postgresql":
        return None
    corrected = closest_words(terms)
    if corrected == terms:
        return None
    queryset = search.matching(
        warning_filter.without("q").filter_queryset(ConsumerWarning.objects.listed()),
        " ".join(corrected),
    )
    return _with_relations(queryset.order_by(*NEWEST_FIRST))


def closest_words(terms):
    """Each folded term, or the word of the warnings closest to it by trigrams when there
    is one (pg_trgm ``%``, served by the trigram index on the distinct words, migration
    0012): one query on short rows, instead of comparing the query with every warning's
    text. PostgreSQL only."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE((SELECT w.word FROM cw_search_word w WHERE w.word %% t.word "
            "ORDER BY w.word = t.word DESC, similarity(w.word, t.word) DESC, w.word LIMIT 1), "
            "t.word) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS t(word, n) ORDER BY t.n",
            [list(terms)],
        )
        return [row[0] for row in cursor.fetchall()]


def feed_warnings(warning_filter=None):
    """The latest dated warnings. A feed entry must carry a date (Atom requires one, and a
    reader shows an undated RSS item as new when it fetches it), and the only date an
    imported notice of unknown date could get is invented: such notices stay out of the
    feeds (they are in the list, last, and in the exports)."""
    dated = listed_warnings(warning_filter).filter(published_at__isnull=False)
    return list(dated[:FEED_SIZE])


def warning_for(user, pk, *, managed=False):
    """One warning as ``user`` may see it (404 otherwise), with what its page shows;
    ``managed``: only among those the user may edit (the staff preview)."""
    from portal.roles import get_object_in_scope

    base = ConsumerWarning.objects.managed_by(user) if managed else ConsumerWarning.objects.all()
    queryset = _with_relations(base).prefetch_related(
        Prefetch("events", queryset=WarningEvent.objects.select_related("by").order_by("at", "pk"))
    )
    return get_object_in_scope(queryset, user, pk=pk)


def public_events(warning):
    """The dated steps the public sees: published, updated (with what changed), withdrawn."""
    shown = {
        WarningEvent.Action.PUBLISHED,
        WarningEvent.Action.UPDATED,
        WarningEvent.Action.WITHDRAWN,
    }
    return [e for e in warning.events.all() if e.action in shown]


def managed_warnings(user, warning_filter=None):
    """The warnings ``user`` manages, filtered by the staff FilterSet ``warning_filter``."""
    queryset = ConsumerWarning.objects.managed_by(user).select_related("sector", "owner_province")
    if warning_filter is not None:
        queryset = warning_filter.filter_queryset(queryset)
    drafts_first = Case(When(status=ConsumerWarning.Status.DRAFT, then=Value(0)), default=1)
    newest = F("published_at").desc(nulls_last=True)
    return queryset.order_by(drafts_first, newest, "-created_at", "-pk")


def home_block():
    latest = list(
        ConsumerWarning.objects.listed().select_related("sector").order_by(*NEWEST_FIRST)[:3]
    )
    if not latest:
        return None
    return {"template": "consumer_warnings/_home_block.html", "warnings": latest}


def as_dict(warning, absolute):
    """The open-data form of a warning (JSON export and JSON detail)."""
    return {
        "id": warning.pk,
        "url": absolute(warning.get_absolute_url()),
        "status": warning.status,
        "kind": warning.kind,
        "kind_label": str(warning.get_kind_display()),
        "title": warning.title,
        "summary": warning.summary,
        "body_markdown": warning.body,
        "product": {
            "name": warning.product_name,
            "brand": warning.brand,
            "model": warning.model_number,
            "batch": warning.batch,
            "production_from": _iso(warning.production_from),
            "production_to": _iso(warning.production_to),
            "production_period": warning.production_note,
            "gtin": warning.gtin,
            "quantity": warning.quantity,
        },
        "sector": warning.sector.code,
        "sector_name": warning.sector.name,
        "hazard": warning.hazard,
        "risk_level": warning.risk_level,
        "measures": list(warning.measures or []),
        "responsible_business": warning.responsible,
        "responsible_business_tax_code": warning.business.tax_code if warning.business_id else "",
        "origin_country": warning.origin_country,
        "affected_provinces": [p.code for p in warning.provinces.all()],
        "source": {
            "issuing_body": warning.source_agency,
            "reference_number": warning.reference_number,
            "url": warning.source_url,
            "note": warning.source_note,
            "date": _iso(warning.issued_on),
        },
        "recall": {
            "defect_group": warning.defect_group,
            "defect": warning.defect,
            "risk": warning.risk_description,
            "identification": warning.identification,
            "time_place_method": warning.recall_time_place,
            "remedy": warning.remedy,
            "contact": warning.contact,
        }
        if warning.is_recall
        else None,
        "how_to_check": warning.how_to_check,
        "photos": [absolute(p.get_absolute_url()) for p in warning.photos.all()],
        "published_at": _iso(warning.published_at),
        "updated_at": _iso(warning.updated_at),
        "update_note": warning.update_note,
        "withdrawn_at": _iso(warning.withdrawn_at),
        "withdrawal_reason": warning.withdrawal_reason,
    }


def _iso(value):
    return value.isoformat() if value else None


# --- Figures for the annual reports -------------------------------------------------------


def _issued_between(start, end):
    """Warnings that went public in [start, end] (dates inclusive), withdrawn later or not."""
    return periods.in_window(ConsumerWarning.objects.public(), "published_at", start, end)


def _figures_from_counts(kind_counts):
    labels = dict(ConsumerWarning.Kind.choices)
    by_kind = {str(labels[k]): n for k, n in sorted(kind_counts.items()) if n}
    return {
        "issued": sum(kind_counts.values()),
        "recalls": kind_counts.get(ConsumerWarning.Kind.RECALL, 0),
        "by_kind": by_kind,
    }


def report_figures(*, start, end, province=None):
    """``issued``, ``recalls`` and ``by_kind`` for warnings published between ``start`` and
    ``end``. For a province: the warnings its department issued or that name it among the
    affected provinces (a warning naming no province concerns the whole country and counts
    for the nation only)."""
    queryset = _issued_between(start, end)
    if province is not None:
        province_id = getattr(province, "pk", province)
        queryset = queryset.filter(Q(owner_province_id=province_id) | Q(provinces__id=province_id))
    rows = queryset.values("kind").annotate(n=Count("pk", distinct=True)).order_by("kind")
    return _figures_from_counts({row["kind"]: row["n"] for row in rows})


def report_figures_by_province(*, start, end):
    """The same figures for every current province, in two queries."""
    issued = _issued_between(start, end)
    counts = {p: {} for p in Province.objects.current().values_list("pk", flat=True)}
    owned = (
        issued.filter(owner_province__isnull=False)
        .values("owner_province_id", "kind")
        .annotate(n=Count("pk"))
    )
    for row in owned:
        bucket = counts.setdefault(row["owner_province_id"], {})
        bucket[row["kind"]] = bucket.get(row["kind"], 0) + row["n"]
    through = ConsumerWarning.provinces.through
    named = (
        through.objects.filter(consumerwarning__in=issued)
        .exclude(consumerwarning__owner_province_id=F("province_id"))
        .values("province_id", "consumerwarning__kind")
        .annotate(n=Count("consumerwarning_id"))
    )
    for row in named:
        bucket = counts.setdefault(row["province_id"], {})
        kind = row["consumerwarning__kind"]
        bucket[kind] = bucket.get(kind, 0) + row["n"]
    return {pk: _figures_from_counts(kinds) for pk, kinds in counts.items()}
