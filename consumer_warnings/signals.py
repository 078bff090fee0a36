"""Early-warning signals for the authority (issue #15, item 3): the products (by barcode) and
registered businesses whose complaints rose over the last 30 or 90 days compared with the
same length of time before, beside the published warnings that already name them, and the
draft warning an officer starts from one of them.

Reads counts, sectors, issue categories, provinces and the product's name only: never a
complainant's name, contact or account of what happened (Complaint.personal_data). Each read
is a fixed number of grouped queries, whatever the number of complaints."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.errors import NotAllowed
from portal.models import Business, Province

from .gtin import is_valid_gtin
from .models import NEWEST_FIRST, ConsumerWarning

WINDOWS = (30, 90)
DEFAULT_WINDOW = 30
# The largest rises first: a list to act on, not an inventory of every product.
ROW_LIMIT = 50
# Issue categories named in a draft's summary.
SUMMARY_ISSUES = 3

PRODUCT = "product"
BUSINESS = "business"


def _complaints():
    # Read here only, lazily: the warnings part does not need complaints to start.
    from complaints.models import Complaint

    return Complaint.objects


def complaints_in_scope(user):
    """The complaints whose counts ``user`` may see: those they handle
    (``ComplaintQuerySet.handled_by``: the authority all, a province's officers their own).
    Other ministry units handle none and see none, as on the complaint pages."""
    return _complaints().handled_by(user)


def _bounds(days, now=None):
    """The start of the recent window and of the one of the same length before it."""
    now = now or timezone.now()
    start = now - datetime.timedelta(days=days)
    return start, start - datetime.timedelta(days=days)


def _counted(queryset, days):
    """``recent`` and ``earlier`` counts per group of ``queryset`` (already grouped with
    ``values()``), over the two windows of ``days``."""
    start, earlier = _bounds(days)
    return queryset.annotate(
        recent=Count("pk", filter=Q(received_at__gte=start)),
        earlier=Count("pk", filter=Q(received_at__lt=start)),
    )


@dataclass
class Signal:
    kind: str
    key: str
    name: str
    recent: int
    earlier: int
    days: int
    business_id: int | None = None
    warnings: list = field(default_factory=list)

    @property
    def rise(self):
        return self.recent - self.earlier

    @property
    def change_percent(self):
        """The rise as a share of the earlier count; ``None`` when there were none before."""
        if not self.earlier:
            return None
        return round(100 * self.rise / self.earlier)

    @property
    def is_product(self):
        return self.kind == PRODUCT


def _rising(rows):
    return rows.filter(recent__gt=F("earlier")).annotate(rise=F("recent") - F("earlier"))


def rising_products(user, *, days=DEFAULT_WINDOW, sector=None):
    """Products (by ``gtin_key``) whose complaints in scope rose, the largest rise first,
    with the name the most recent complaint gives and the published warnings of the same
    barcode: three queries."""
    base = complaints_in_scope(user)
    if sector is not None:
        base = base.filter(sector=sector)
    _start, earlier = _bounds(days)
    rows = _rising(
        _counted(
            base.filter(received_at__gte=earlier)
            .exclude(gtin_key="")
            .values("gtin_key")
            .order_by(),
            days,
        ).annotate(named_at=Max("received_at", filter=~Q(product_name="")))
    ).order_by("-rise", "-recent", "gtin_key")[:ROW_LIMIT]
    rows = list(rows)
    if not rows:
        return []
    signals = [
        Signal(PRODUCT, row["gtin_key"], "", row["recent"], row["earlier"], days) for row in rows
    ]
    names = _latest_names(base, [(row["gtin_key"], row["named_at"]) for row in rows])
    warnings = _warnings_by(
        ConsumerWarning.objects.listed().filter(gtin_key__in=[s.key for s in signals]),
        "gtin_key",
    )
    for signal in signals:
        signal.name = names.get(signal.key, "")
        signal.warnings = warnings.get(signal.key, [])
    return signals


def _latest_names(base, latest):
    """The product name of each barcode's most recent named complaint, found by its key and
    moment (the pairs ``latest``): one query on the (gtin_key, received_at) index."""
    condition = Q()
    for key, moment in latest:
        if moment is not None:
            condition |= Q(gtin_key=key, received_at=moment)
    if not condition:
        return {}
    names = {}
    rows = base.filter(condition).exclude(product_name="").order_by("received_at", "pk")
    for key, name in rows.values_list("gtin_key", "product_name"):
        names[key] = name  # the last of equal moments wins
    return names


def rising_businesses(user, *, days=DEFAULT_WINDOW, sector=None):
    """Registered businesses whose complaints in scope rose, the largest rise first, with
    the published warnings that name them: two queries."""
    base = complaints_in_scope(user)
    if sector is not None:
        base = base.filter(sector=sector)
    _start, earlier = _bounds(days)
    rows = _rising(
        _counted(
            base.filter(received_at__gte=earlier, business__isnull=False)
            .values("business_id", "business__tax_code", "business__name")
            .order_by(),
            days,
        )
    ).order_by("-rise", "-recent", "business__name", "business_id")[:ROW_LIMIT]
    signals = [
        Signal(
            BUSINESS,
            row["business__tax_code"],
            row["business__name"],
            row["recent"],
            row["earlier"],
            days,
            business_id=row["business_id"],
        )
        for row in rows
    ]
    if not signals:
        return []
    warnings = _warnings_by(
        ConsumerWarning.objects.listed().filter(business_id__in=[s.business_id for s in signals]),
        "business_id",
    )
    for signal in signals:
        signal.warnings = warnings.get(signal.business_id, [])
    return signals


def _warnings_by(queryset, key):
    found = {}
    rows = queryset.only("pk", "title", "slug", "kind", "published_at", "gtin_key", "business_id")
    for warning in rows.order_by(*NEWEST_FIRST):
        found.setdefault(getattr(warning, key), []).append(warning)
    return found


# --- One signal -----------------------------------------------------------------------------


@dataclass
class SignalDetail:
    """One product or business as ``user`` sees it: the counts over both windows, what the
    recent complaints are about, and what a draft warning starts from."""

    kind: str
    key: str
    name: str
    days: int
    counts: dict
    business: Business | None
    gtin: str
    sector_id: int | None
    issues: list
    province_ids: list
    warnings: list

    @property
    def is_product(self):
        return self.kind == PRODUCT

    @property
    def recent(self):
        return self.counts[self.days]["recent"]

    @property
    def earlier(self):
        return self.counts[self.days]["earlier"]

    @property
    def windows(self):
        return [{"days": days, **self.counts[days]} for days in WINDOWS]


def _scoped_complaints(user, kind, key):
    """The complaints in ``user``'s scope about the product or business ``key``; 404
    (NotAllowed) when there are none: another province's product answers as an unknown one."""
    base = complaints_in_scope(user)
    business = None
    if kind == PRODUCT:
        if not (len(key) == 14 and is_valid_gtin(key)):
            raise NotAllowed(f"signal: not a barcode key {key!r}")
        complaints = base.filter(gtin_key=key)
    elif kind == BUSINESS:
        if "\x00" in key:  # PostgreSQL refuses a NUL byte; no tax code holds one
            raise NotAllowed("signal: NUL byte in a tax code")
        business = Business.objects.filter(tax_code=key).first()
        if business is None:
            raise NotAllowed(f"signal: no business {key!r}")
        complaints = base.filter(business=business)
    else:
        raise NotAllowed(f"signal: unknown kind {kind!r}")
    if not complaints.exists():
        raise NotAllowed(f"signal {kind} {key!r} is not in scope")
    return complaints, business


def signal_for(user, kind, key, *, days=DEFAULT_WINDOW):
    """The product (``key``: its 14-digit ``gtin_key``) or registered business (``key``: its
    tax code) as ``user`` sees it, or 404 when no complaint in their scope names it."""
    complaints, business = _scoped_complaints(user, kind, key)
    counts = {}
    for window in WINDOWS:
        start, earlier = _bounds(window)
        counts[f"recent_{window}"] = Count("pk", filter=Q(received_at__gte=start))
        counts[f"earlier_{window}"] = Count(
            "pk", filter=Q(received_at__gte=earlier, received_at__lt=start)
        )
    totals = complaints.order_by().aggregate(**counts)
    by_window = {
        window: {
            "recent": totals[f"recent_{window}"],
            "earlier": totals[f"earlier_{window}"],
            "rise": totals[f"recent_{window}"] - totals[f"earlier_{window}"],
        }
        for window in WINDOWS
    }
    start, _earlier = _bounds(days)
    recent = complaints.filter(received_at__gte=start).order_by()
    # What the recent complaints are about, in one grouped query: sectors, issues, provinces.
    groups = list(recent.values("sector_id", "issue_id", "province_id").annotate(n=Count("pk")))
    gtin = ""
    if kind == PRODUCT:
        newest = complaints.order_by("-received_at", "-pk")
        # The barcode as the newest complaint gives it (8, 12, 13 or 14 digits), its name
        # from the newest complaint that gives one.
        gtin = newest.values_list("gtin", flat=True).first()
        named = newest.exclude(product_name="")
        name = named.values_list("product_name", flat=True).first() or ""
        business = _most_named_business(complaints)
        warnings = ConsumerWarning.objects.listed().filter(gtin_key=key)
    else:
        name = business.name
        warnings = ConsumerWarning.objects.listed().filter(business=business)
    return SignalDetail(
        kind=kind,
        key=key,
        name=name,
        days=days,
        counts=by_window,
        business=business,
        gtin=gtin,
        sector_id=_most_common(groups, "sector_id"),
        issues=_issue_counts(groups),
        province_ids=sorted({g["province_id"] for g in groups if g["province_id"]}),
        warnings=list(warnings.select_related("sector").order_by(*NEWEST_FIRST)),
    )


def _most_named_business(complaints):
    """The registered business most of a product's complaints name, if any."""
    row = (
        complaints.filter(business__isnull=False)
        .values("business_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "business_id")
        .first()
    )
    return Business.objects.filter(pk=row["business_id"]).first() if row else None


def _most_common(groups, key):
    totals = {}
    for group in groups:
        if group[key]:
            totals[group[key]] = totals.get(group[key], 0) + group["n"]
    if not totals:
        return None
    return min(totals, key=lambda value: (-totals[value], value))


def _issue_counts(groups):
    """``[(IssueCategory, n)]`` most frequent first; complaints without a category last, as
    ``(None, n)``."""
    from complaints.models import IssueCategory

    totals = {}
    for group in groups:
        totals[group["issue_id"]] = totals.get(group["issue_id"], 0) + group["n"]
    categories = IssueCategory.objects.in_bulk([pk for pk in totals if pk])
    ranked = sorted(
        ((categories.get(pk), n) for pk, n in totals.items() if pk in categories),
        key=lambda item: (-item[1], item[0].name),
    )
    if totals.get(None):
        ranked.append((None, totals[None]))
    return ranked


# --- A draft warning from a signal ----------------------------------------------------------


def draft_initial(detail):
    """What the warning form starts with: the product's identity, the registered business,
    the sector most complaints name, the provinces they came from, and a title and summary
    written from counts and issue categories. Nothing from the complaints' own words or
    people (their names, contacts, narratives)."""
    provinces = list(Province.objects.filter(pk__in=detail.province_ids))
    initial = {
        "kind": (
            ConsumerWarning.Kind.UNSAFE_PRODUCT
            if detail.is_product
            else ConsumerWarning.Kind.UNSAFE_PRACTICE
        ),
        "title": draft_title(detail),
        "summary": draft_summary(detail),
        "sector": detail.sector_id,
        "provinces": provinces,
    }
    if detail.is_product:
        initial.update(gtin=detail.gtin, product_name=detail.name)
    if detail.business is not None:
        initial["business_tax_code"] = detail.business.tax_code
    return initial


def draft_title(detail):
    subject = detail.name or detail.gtin or detail.key
    if detail.is_product:
        return _("Rising complaints about the product %(name)s") % {"name": subject}
    return _("Rising complaints about %(name)s") % {"name": subject}


def draft_summary(detail):
    counts = ngettext(
        "%(recent)s complaint was received in the last %(days)s days, against %(earlier)s "
        "in the %(days)s days before.",
        "%(recent)s complaints were received in the last %(days)s days, against %(earlier)s "
        "in the %(days)s days before.",
        detail.recent,
    ) % {"recent": detail.recent, "days": detail.days, "earlier": detail.earlier}
    named = [(issue, n) for issue, n in detail.issues if issue is not None][:SUMMARY_ISSUES]
    if not named:
        return counts
    issues = ", ".join(f"{issue.display_name} ({n})" for issue, n in named)
    return counts + " " + _("Most concern: %(issues)s.") % {"issues": issues}
