"""Reads used in more than one place: set structures, scores, queues, public results and the
figures for the annual reports."""

from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import get_language

from portal import periods
from portal.models import Sector
from portal.roles import get_actor

from .models import Answer, Assessment, Band, CriteriaGroup, CriteriaSet, Criterion
from .scoring import compute_score

# Score distribution buckets for reports: lower bound inclusive, upper exclusive (100 in 80+).
BUCKETS = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 101))


def load_structure(criteria_set):
    """Attach ``groups_list`` (each with ``criteria_list``) and ``band_list`` to the set, in
    three queries whatever its size."""
    if getattr(criteria_set, "groups_list", None) is not None:
        return criteria_set
    groups = list(CriteriaGroup.objects.filter(criteria_set=criteria_set).order_by("order", "pk"))
    by_group = defaultdict(list)
    for criterion in Criterion.objects.filter(criteria_set=criteria_set).order_by("order", "pk"):
        by_group[criterion.group_id].append(criterion)
    for group in groups:
        group.criteria_list = by_group[group.pk]
    criteria_set.groups_list = groups
    criteria_set.band_list = list(
        Band.objects.filter(criteria_set=criteria_set).order_by("-min_percent")
    )
    return criteria_set


def answers_map(assessment):
    return dict(Answer.objects.filter(assessment=assessment).values_list("criterion_id", "value"))


def score_of(assessment):
    criteria_set = load_structure(assessment.criteria_set)
    return compute_score(criteria_set, criteria_set.groups_list, answers_map(assessment))


def assessments_of_user(user):
    """The assessments of the businesses the user belongs to."""
    actor = get_actor(user)
    return (
        Assessment.objects.filter(business_id__in=actor.business_ids)
        .select_related("business", "criteria_set", "band")
        .order_by("-created_at")
    )


def review_queue(user, *, status=""):
    """Submitted assessments the officer may see, newest submission first (searched and
    filtered further by ``filters.QueueFilter``)."""
    qs = (
        Assessment.objects.visible_to(user)
        .filter(first_submitted_at__isnull=False)
        .select_related("business__province", "criteria_set", "band")
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "-pk")


def startable_sets():
    return (
        CriteriaSet.objects.active()
        .annotate(criteria_count=Count("criteria"))
        .filter(criteria_count__gt=0)
        .select_related("sector")
        .order_by("is_practice", "title")
    )


def practice_set():
    """The active practice set (the portal's quick check), latest version."""
    return CriteriaSet.objects.active().filter(is_practice=True).order_by("-version", "-pk").first()


def public_results():
    """Businesses whose latest decided assessment is verified, with what may be public
    (narrowed further by ``filters.PublicResultFilter``)."""
    qs = Assessment.objects.public().select_related(
        "business__province", "business__sector", "criteria_set", "band"
    )
    return qs.order_by("business__name", "pk")


# The drop-downs change only when a set or band gets its first public result or loses its
# last: a minute late is fine, and a new search then pays nothing for them (at 100,000
# results the planner hashes every public result to find the sets: ~40 ms).
FILTER_CHOICES_SECONDS = 60


def public_filter_choices():
    """The filter drop-downs as plain lists, in the page's language: the sets, bands and
    years that appear in the public list, and every current province and sector. Read once
    a minute per language from the shared cache, never counted."""
    key = f"selfassess:public-filter-choices:{get_language()}"
    return cache.get_or_set(key, _public_filter_choices, FILTER_CHOICES_SECONDS)


def _public_filter_choices():
    published = Assessment.objects.filter(is_public=True)
    sets = list(
        CriteriaSet.objects.filter(Exists(published.filter(criteria_set=OuterRef("pk"))))
        .values_list("code", "title", "year")
        .order_by("title")
    )
    bands = Band.objects.filter(Exists(published.filter(band=OuterRef("pk")))).order_by("label")
    years = sorted({year for _c, _t, year in sets if year}, reverse=True)
    unique_sets = list({code: title for code, title, _y in sets}.items())
    unique_bands = list({band.code: band.display_label for band in bands}.items())
    sectors = Sector.objects.only("name", "name_en")
    return {
        "sets": unique_sets,
        "bands": unique_bands,
        "years": years,
        "sectors": [(s.pk, s.display_name) for s in sectors],
    }


def _bucket_label(low, high):
    return f"{low}–{min(high, 100)}%"


def _figures_rows(start, end, province=None, per_province=False):
    """Two aggregate queries: submissions in the window, verifications in the window,
    grouped by province only when asked (nationwide: one total, not one row per province)."""
    base = Assessment.objects.filter(criteria_set__is_practice=False)
    if province is not None:
        base = base.filter(business__province=province)
    key = ["business__province_id"] if per_province else []
    submitted = base.filter(periods.within("first_submitted_at", start, end, model=Assessment))
    if per_province:
        submitted = submitted.values(*key).annotate(n=Count("pk")).order_by()
    else:
        # ``values()`` without a field would group by the primary key.
        submitted = [submitted.aggregate(n=Count("pk"))]
    bucket_cases = {
        _bucket_label(low, high): Count("pk", filter=Q(percent__gte=low, percent__lt=high))
        for low, high in BUCKETS
    }
    verified = (
        base.filter(
            periods.within("decided_at", start, end, model=Assessment),
            status=Assessment.Status.VERIFIED,
        )
        .values(
            *key,
            "band__label",
            "business__sector__name",
            "criteria_set__year",
        )
        .annotate(n=Count("pk"), **{f"b{i}": c for i, c in enumerate(bucket_cases.values())})
        .order_by()
    )
    return list(submitted), list(verified), list(bucket_cases)


# The breakdowns of the figures: each a mapping of a label to a count.
BREAKDOWNS = ("by_band", "by_sector", "by_year", "score_distribution")


def _empty():
    return {"submitted": 0, "verified": 0} | {key: {} for key in BREAKDOWNS}


def _add(bucket, key, n):
    bucket[key] = bucket.get(key, 0) + n


def _fold_rows(submitted, verified, labels, key=None):
    result = defaultdict(_empty)
    for row in submitted:
        k = row["business__province_id"] if key else None
        result[k]["submitted"] += row["n"]
    for row in verified:
        k = row["business__province_id"] if key else None
        figures = result[k]
        figures["verified"] += row["n"]
        _add(figures["by_band"], row["band__label"] or "—", row["n"])
        _add(figures["by_sector"], row["business__sector__name"] or "—", row["n"])
        _add(figures["by_year"], row["criteria_set__year"] or "—", row["n"])
        for i, label in enumerate(labels):
            if row[f"b{i}"]:
                _add(figures["score_distribution"], label, row[f"b{i}"])
    return result


def report_figures(*, start, end, province=None):
    """Assessments for the annual reports (dates inclusive; ``province`` None = nationwide):
    ``submitted`` (first submitted in the window), ``verified`` (verified in the window),
    ``by_band``, ``by_sector``, ``by_year`` (the set's year) and ``score_distribution`` of
    the verified ones. Practice sets are left out. Two queries."""
    submitted, verified, labels = _figures_rows(start, end, province)
    figures = _fold_rows(submitted, verified, labels).get(None) or _empty()
    return figures


def report_figures_by_province(*, start, end):
    """The same figures keyed by province id (only provinces with any activity). Two
    queries."""
    submitted, verified, labels = _figures_rows(start, end, per_province=True)
    return dict(_fold_rows(submitted, verified, labels, key=True))


def home_block():
    """A small block for the home page: how many businesses have a verified result."""
    count = Assessment.objects.public().count()
    return {"template": "selfassess/_home_block.html", "public_count": count}
