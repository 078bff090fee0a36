"""Reads of complaints used in more than one place: lists, timelines, statistics and the
figures of the annual reports. Every aggregate runs in the database, in a constant number
of queries."""

from collections import Counter
from datetime import timedelta
from functools import partial

from django.core.cache import cache
from django.db.models import Case, Count, Q, When
from django.utils import timezone
from django.utils.translation import get_language

from portal import periods
from portal.models import Province, Sector
from portal.text import fold

from .models import (
    HANDLED_STATUSES,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintStep,
    Party,
    Status,
    Visibility,
)

# Cells below this are shown as "<3" so that no published number can point at a person.
SUPPRESS_BELOW = 3
STATS_CACHE_SECONDS = 300


def staff_list(user):
    return (
        Complaint.objects.handled_by(user)
        .select_related("province", "sector", "assigned_to")
        .only(
            "code",
            "status",
            "channel",
            "received_at",
            "business_name",
            "complainant_name",
            "step_due",
            "current_step",
            "reopen_requested_at",
            "province__name",
            "province__name_en",
            "sector__name",
            "sector__name_en",
            "assigned_to__email",
            "assigned_to__first_name",
            "assigned_to__last_name",
        )
        .order_by("-received_at", "-pk")
    )


def officers_in_scope(user):
    """Officers a complaint in ``user``'s scope may be assigned to."""
    from django.contrib.auth import get_user_model

    from portal.roles import get_actor

    actor = get_actor(user)
    # Only those who may act on complaints: the authority and the provinces' departments.
    # One filter() over the membership, so that the same approved membership meets every
    # condition (a second filter() would join another, e.g. a refused one).
    membership = {
        "memberships__status": "approved",
        "memberships__agency__kind__in": ("authority", "provincial_department"),
    }
    if not actor.is_authority:
        membership["memberships__agency__province_id__in"] = actor.province_ids
    users = get_user_model().objects.filter(is_active=True, **membership)
    return users.distinct().order_by("last_name", "first_name", "email")


def business_inbox(user):
    """The complaints forwarded to ``user``'s businesses (``workflow.is_business``)."""
    from portal.roles import get_actor

    return (
        Complaint.objects.filter(
            business_id__in=get_actor(user).business_ids, forwarded_at__isnull=False
        )
        .select_related("province", "sector", "business")
        .order_by("-forwarded_at", "-pk")
    )


def consumer_complaints(user):
    return Complaint.objects.owned_by(user).select_related("province").order_by("-received_at")


def timeline(complaint, *, internal=False):
    # The timeline shows the actor's role, stored on the event: no join to the user.
    events = complaint.events.all()
    if not internal:
        events = events.filter(visibility=Visibility.PUBLIC)
    return list(events)


def complaint_detail_queryset():
    return Complaint.objects.select_related(
        "province", "sector", "issue", "business", "referred_to", "assigned_to"
    ).prefetch_related("attachments")


def export_for_consumer(complaint):
    """What the portal holds about the consumer in this complaint (Luật 91/2025 Điều 14):
    the case, every field the registry declares personal or sensitive, files, timeline."""
    from portal import personal_data

    case_fields = [
        "code",
        "status",
        "channel",
        "business_name",
        "business_tax_code",
        "business_address",
        "business_website",
        "amount",
        "product_name",
        "gtin",
        "consent_processing",
        "consent_version",
        "consent_text",
        "consent_publish",
        "consent_publish_version",
        "consent_publish_text",
        "satisfied",
    ]
    data = {name: getattr(complaint, name) for name in case_fields}
    data.update(personal_data.export(complaint))
    data["received_at"] = complaint.received_at.isoformat()
    data["transaction_date"] = (
        complaint.transaction_date.isoformat() if complaint.transaction_date else None
    )
    data["province"] = complaint.province.name
    data["sector"] = complaint.sector.name if complaint.sector_id else None
    data["attachments"] = [
        {"name": a.original_name, "type": a.content_type, "size": a.size}
        for a in complaint.attachments.all()
    ]
    data["timeline"] = [
        {
            "time": e.created_at.isoformat(),
            "kind": e.kind,
            "status": e.to_status,
            "message": e.message,
        }
        for e in timeline(complaint)
    ]
    return data


def reopen_request(complaint):
    """The consumer's waiting request to look at the result again: its timeline row."""
    return (
        complaint.events.filter(kind=ComplaintEvent.Kind.REOPEN_ASKED)
        .order_by("-created_at", "-pk")
        .first()
    )


def current_step(complaint):
    return complaint.steps.filter(completed_at__isnull=True).first()


# --- Public statistics ------------------------------------------------------------------------

# What a hidden cell shows: a count of 1 or 2 (primary), or a larger count hidden so that
# the first cannot be worked out from a published total (secondary).
SMALL = "<3"
HIDDEN = "…"


def suppress(value):
    """The published form of a count on its own: small non-zero counts are hidden (a mark
    already published passes through)."""
    return SMALL if isinstance(value, int) and 0 < value < SUPPRESS_BELOW else value


def _share(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _bounds(kind):
    # What a reader knows of a hidden cell from its mark.
    return (1, SUPPRESS_BELOW - 1) if kind == SMALL else (SUPPRESS_BELOW, None)


def _recoverable(marks, hidden_total, floors=None, caps=None):
    """Whether some hidden cell has only one value consistent with the marks and the sum of
    the hidden cells (the published total minus the shown cells). ``floors`` and ``caps``
    bound each cell further: what another published table tells of it (a province's
    resolved complaints are at most its complaints). Each cell then ranges over an interval
    and the cells add up to a known sum, so these bounds are exact."""
    bounds = []
    for i, mark in enumerate(marks):
        if mark not in (SMALL, HIDDEN):
            continue
        low, high = _bounds(mark)
        if floors is not None:
            low = max(low, floors[i])
        if caps is not None:
            high = caps[i] if high is None else min(high, caps[i])
        bounds.append((low, high))
    for i, (low, high) in enumerate(bounds):
        others = bounds[:i] + bounds[i + 1 :]
        others_low = sum(b[0] for b in others)
        others_high = None if any(b[1] is None for b in others) else sum(b[1] for b in others)
        least = max(low, hidden_total - others_high) if others_high is not None else low
        most = hidden_total - others_low if high is None else min(high, hidden_total - others_low)
        if most - least < 1:
            return True
    return False


def protect(counts, *, hide=(), floors=None, caps=None):
    """The published forms of ``counts``, cells of a table whose total is published.

    Primary suppression hides 1 and 2 as "<3" (and the cells in ``hide`` as "<3" or "…").
    Secondary suppression then hides the smallest shown non-zero cells as "…" until no
    hidden cell can be recovered by subtracting the shown cells from the total, with what
    the marks tell (1–2 for "<3", 3 or more for "…") and the bounds ``floors`` / ``caps``
    (see :func:`_recoverable`). Returns ``(marks, safe)``: ``safe`` is False when even
    hiding every cell cannot protect the table; the caller must then withhold the total."""
    hide = set(hide)
    marks = [
        HIDDEN if i in hide and value >= SUPPRESS_BELOW else suppress(value)
        for i, value in enumerate(counts)
    ]
    total_hidden = sum(v for v, m in zip(counts, marks, strict=True) if not isinstance(m, int))
    if not total_hidden:
        return marks, True

    def recoverable(marks, total_hidden):
        return _recoverable(marks, total_hidden, floors, caps)

    while recoverable(marks, total_hidden):
        shown = sorted(
            (v, i) for i, (v, m) in enumerate(zip(counts, marks, strict=True)) if m == v and v
        )
        if not shown:
            return marks, False
        # The smallest cell that protects the table on its own, else the smallest, and again.
        value, index = next(
            (
                (v, i)
                for v, i in shown
                if not recoverable([*marks[:i], HIDDEN, *marks[i + 1 :]], total_hidden + v)
            ),
            shown[0],
        )
        marks[index] = HIDDEN
        total_hidden += value
    return marks, True


def available_years():
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - 6, -1))


def public_statistics(year):
    """Everything the statistics page and its CSV show for ``year``, cached briefly: the
    figures change slowly and the page must stay fast with millions of rows."""
    key = f"complaints:stats:{year}:{get_language()}"
    data = cache.get(key)
    if data is None:
        data = _compute_statistics(year)
        cache.set(key, data, STATS_CACHE_SECONDS)
    return data


def timeliness(as_of):
    """Aggregates of ``steps`` by their timeliness (Luật 19/2023 Điều 57 deadlines): a step
    done by its due date is on time; done after it, or still open with the due date passed
    on ``as_of``, is late; open and not yet due (or paused) is not counted yet."""
    late = Q(on_time=False) | Q(completed_at__isnull=True, due_on__lt=as_of)
    return {
        # Named apart from the field ``on_time``, which a later filter would otherwise read.
        # Counts ``started_on`` (never null), not the primary key: the steps' covering index
        # holds the one and not the other (Django allows no filter on ``COUNT(*)``).
        "n_on_time": Count("started_on", filter=Q(on_time=True)),
        "n_late": Count("started_on", filter=late),
        "n_counted": Count("started_on", filter=Q(on_time=True) | late),
    }


def _timeliness_row(on_time, late):
    counted = on_time + late
    return {
        "steps": counted,
        "late": late,
        "on_time_share": _share(on_time, counted) if counted >= SUPPRESS_BELOW else None,
    }


def _compute_statistics(year):
    months = Q(received_month__gte=year * 100 + 1, received_month__lte=year * 100 + 12)
    # One pass over the covering index (received_month, province, sector, status): every
    # breakdown below is summed from these groups in Python (at most 12 × 34 × 20 × 11).
    raw = {"by_month": Counter(), "by_status": Counter(), "by_sector": Counter()}
    raw["by_province"], raw["resolved_by_province"] = Counter(), Counter()
    for month, province_id, sector_id, status, n in (
        Complaint.objects.filter(months)
        .values_list("received_month", "province_id", "sector_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        raw["by_month"][month % 100] += n
        raw["by_status"][status] += n
        raw["by_sector"][sector_id] += n
        raw["by_province"][province_id] += n
        if status == Status.RESOLVED:
            raw["resolved_by_province"][province_id] += n

    # Timeliness of the steps that started in the year (their own indexed date, no join),
    # counted as of today: these figures are live.
    today = timezone.localdate()
    steps = periods.in_window(ComplaintStep.objects.all(), "started_on", *periods.year_window(year))
    raw["province_steps"] = {
        row["province_id"]: row
        for row in steps.filter(party=Party.AGENCY)
        .values("province_id")
        .annotate(**timeliness(today))
        .order_by()
    }
    raw["businesses"] = [
        {
            "name": row["business__name"],
            "tax_code": row["business__tax_code"],
            **_timeliness_row(row["n_on_time"], row["n_late"]),
        }
        for row in steps.filter(party=Party.BUSINESS, business__isnull=False)
        .values("business_id", "business__name", "business__tax_code")
        .annotate(**timeliness(today))
        .filter(n_counted__gte=SUPPRESS_BELOW)
        .order_by("-n_counted", "business__name")[:20]
    ]
    # Every unit with a count is listed (a former province, a retired sector too), so that
    # each table adds up to the headline total, as :func:`publish` assumes.
    listed = Q(is_active=True) | Q(pk__in=list(raw["by_province"]))
    provinces = [
        (p.pk, p.display_name)
        for p in sorted(Province.objects.filter(listed), key=lambda p: fold(p.display_name))
    ]
    used = [pk for pk in raw["by_sector"] if pk is not None]
    sectors = [
        (s.pk, s.display_name) for s in Sector.objects.filter(Q(is_active=True) | Q(pk__in=used))
    ]
    return publish(year, raw, provinces, sectors)


def publish(year, raw, provinces, sectors):
    """The published statistics from the raw counts (a pure function, tested over generated
    tables against a reader who combines every table).

    Why it is safe. Every table of counts (by month, status, sector, province) adds up to
    the same total, so each is protected by :func:`protect` against that one total; given
    the total, the tables share no cell, so no combination of them tells more than each
    alone. If any table cannot be protected, the total could be worked out from another
    table and the hidden cells from it: then no table is published at all, only the total
    as "<3" or "…" (a table with only its non-zero cells hidden still bounds the total).
    The provinces' resolved column adds up to the resolved count and each of its cells is
    at most the province's count; it is published only when the resolved count is, is
    protected against it with each province's count as a cap, and the counts are protected
    with each resolved count as a floor; a resolved cell is hidden whenever its count is.
    The real values of the other column then pair with two values of every hidden cell.
    A share is published only when every count it is made of is, so that share × total
    never gives back a hidden cell. (The businesses' table counts statutory steps, not
    complaints, and only businesses with at least 3 counted steps.)"""
    sector_ids = [pk for pk, _name in sectors]
    if raw["by_sector"].get(None):
        sectors = [*sectors, (None, "—")]
        sector_ids.append(None)
    tables = {
        "by_month": [raw["by_month"].get(m, 0) for m in range(1, 13)],
        "by_status": [raw["by_status"].get(value, 0) for value, _label in Status.choices],
        "by_sector": [raw["by_sector"].get(pk, 0) for pk in sector_ids],
        "by_province": [raw["by_province"].get(pk, 0) for pk, _name in provinces],
    }
    total = sum(tables["by_status"])
    marks = {}
    for name, counts in tables.items():
        marks[name], safe = protect(counts)
        if not safe:
            return _withheld(year, total, raw, provinces)
    status_marks = dict(zip((v for v, _label in Status.choices), marks["by_status"], strict=True))

    def shown(*statuses):
        return all(isinstance(status_marks[s], int) for s in statuses)

    resolved_counts = [raw["resolved_by_province"].get(pk, 0) for pk, _name in provinces]
    resolved_marks = [None] * len(provinces)  # the column is not published
    if shown(Status.RESOLVED):
        paired = _protect_pair(tables["by_province"], resolved_counts)
        if paired is not None:
            marks["by_province"], resolved_marks = paired

    resolved = raw["by_status"].get(Status.RESOLVED, 0)
    answered_statuses = (Status.RESOLVED, Status.UNRESOLVED, Status.BUSINESS_DECLINED)
    answered = sum(raw["by_status"].get(s, 0) for s in answered_statuses)
    return {
        "year": year,
        "total": total,
        "total_shown": True,
        "resolved_share": _share(resolved, total) if shown(Status.RESOLVED) else None,
        "answered_share": _share(answered, total) if shown(*answered_statuses) else None,
        "by_month": [
            {"month": m, "label": f"{m:02d}/{year}", "count": mark}
            for m, mark in zip(range(1, 13), marks["by_month"], strict=True)
        ],
        "by_status": [
            {"status": value, "label": str(label), "count": mark}
            for (value, label), mark in zip(Status.choices, marks["by_status"], strict=True)
        ],
        "by_province": _province_rows(raw, provinces, marks["by_province"], resolved_marks),
        "by_sector": [
            {"name": name, "count": mark}
            for (_pk, name), mark in zip(sectors, marks["by_sector"], strict=True)
        ],
        "by_business": raw["businesses"],
    }


def _protect_pair(counts, resolved):
    """The marks of the provinces' counts and resolved counts published side by side, or
    None when the pair cannot be protected (the column is then left out). A reader knows
    resolved ≤ count: the counts are protected with the resolved counts as floors, the
    resolved column with the counts as caps, so each hidden cell keeps two values even
    against the other column's true values."""
    count_marks, safe = protect(counts, floors=resolved)
    if not safe:
        return None
    hidden = [i for i, mark in enumerate(count_marks) if mark in (SMALL, HIDDEN)]
    resolved_marks, safe = protect(resolved, hide=hidden, caps=counts)
    return (count_marks, resolved_marks) if safe else None


def _province_rows(raw, provinces, marks, resolved_marks):
    rows = []
    for (pk, name), mark, resolved_mark in zip(provinces, marks, resolved_marks, strict=True):
        steps = raw["province_steps"].get(pk, {"n_on_time": 0, "n_late": 0})
        row = _timeliness_row(steps["n_on_time"], steps["n_late"])
        rows.append(
            {
                "name": name,
                "count": mark,
                "resolved": resolved_mark,
                "steps": row["steps"],
                "on_time_share": row["on_time_share"],
            }
        )
    return rows


def _withheld(year, total, raw, provinces):
    # Some table cannot hide its small cells from the total: no count of the year is
    # published but the total in its published form. The timeliness of the steps counts
    # steps, not complaints, and stays.
    nothing = [None] * len(provinces)
    return {
        "year": year,
        "total": suppress(total) if total < SUPPRESS_BELOW else HIDDEN,
        "total_shown": False,
        "resolved_share": None,
        "answered_share": None,
        "by_month": [],
        "by_status": [],
        "by_province": _province_rows(raw, provinces, nothing, nothing),
        "by_sector": [],
        "by_business": raw["businesses"],
    }


# --- Figures for the annual reports (contract: docs/parts-contract.md) -------------------------


def _labels():
    """Status, channel and sector labels of the figures (one query, for the sectors)."""
    return {
        "status": {v: str(label) for v, label in Status.choices},
        "channel": {v: str(label) for v, label in Channel.choices},
        "sector_id": dict(Sector.objects.values_list("pk", "name")),
    }


def _empty_figures():
    return {
        "received": 0,
        "by_status": {},
        "by_sector": {},
        "by_channel": {},
        "handled": 0,
        "handled_on_time": 0,
        "steps_on_time": 0,
        "steps_late": 0,
        "by_month": {},
    }


def _add(counts, label, n):
    if n:
        counts[label] = counts.get(label, 0) + n


def _month_label(month):
    return f"{month // 100:04d}-{month % 100:02d}"


def _months(start, end):
    """The ``received_month`` keys (YYYYMM) of the window's months, in order."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(year * 100 + month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# A longer window groups its months in a query of their own rather than one column each.
MONTH_COLUMNS = 24


def _grouped(queryset, key, counts):
    """Rows of ``counts`` grouped by ``key``, or their one row over all when ``key`` is empty
    (``values()`` with no field would group by the primary key: one row per row)."""
    if key:
        return queryset.values(*key).annotate(**counts).order_by()
    return [queryset.aggregate(**counts)]


def _collect(start, end, province=None, per_province=False):
    """The figures under ``None`` (nationwide or ``province``), or keyed by province id when
    ``per_province``, the complaints of no province under ``None``: every complaint counts
    once, under its one province, so the buckets add up to the nationwide figures.

    Four queries whatever the rows, each but the first an index-only scan of the window on
    PostgreSQL (the ``*_cover`` indexes, which hold no primary key: the indexed date, never
    null, is counted instead): the sector labels; the complaints received in the window,
    grouped by province, status and sector (at most a few thousand groups), the channels
    and months counted in columns of each group; the complaints handled in the window, by
    province; and the statutory steps."""
    received = periods.in_window(Complaint.objects.all(), "received_at", start, end)
    handled = periods.in_window(
        Complaint.objects.filter(status__in=HANDLED_STATUSES), "handled_at", start, end
    )
    steps = periods.in_window(ComplaintStep.objects.all(), "started_on", start, end)
    if province is not None:
        province_id = getattr(province, "pk", province)
        received = received.filter(province_id=province_id)
        handled = handled.filter(province_id=province_id)
        steps = steps.filter(province_id=province_id)
    key = ["province_id"] if per_province else []
    labels = _labels()
    channels = list(labels["channel"])
    months = _months(start, end)
    month_columns = months if len(months) <= MONTH_COLUMNS else []
    result = {None: _empty_figures()}

    def bucket(row):
        return result.setdefault(row["province_id"] if per_province else None, _empty_figures())

    def label(row, field):
        return labels[field].get(row[field], "—") if row[field] is not None else "—"

    count = partial(Count, "received_at")
    counts = {"n": count()}
    counts |= {f"c{i}": count(filter=Q(channel=c)) for i, c in enumerate(channels)}
    counts |= {f"m{i}": count(filter=Q(received_month=m)) for i, m in enumerate(month_columns)}
    for row in received.values(*key, "status", "sector_id").annotate(**counts).order_by():
        figures = bucket(row)
        n = row["n"]
        figures["received"] += n
        _add(figures["by_status"], label(row, "status"), n)
        _add(figures["by_sector"], label(row, "sector_id"), n)
        # A channel the choices do not know is shown as "—", like a missing sector.
        known = sum(row[f"c{i}"] for i in range(len(channels)))
        for i, channel in enumerate(channels):
            _add(figures["by_channel"], labels["channel"][channel], row[f"c{i}"])
        _add(figures["by_channel"], "—", n - known)
        for i, month in enumerate(month_columns):
            _add(figures["by_month"], _month_label(month), row[f"m{i}"])
    if not month_columns:
        for row in received.values(*key, "received_month").annotate(n=count()).order_by():
            _add(bucket(row)["by_month"], _month_label(row["received_month"]), row["n"])
    count = partial(Count, "handled_at")
    handled_counts = {"handled": count(), "on_time": count(filter=Q(is_late=False))}
    for row in _grouped(handled, key, handled_counts):
        figures = bucket(row)
        figures["handled"] += row["handled"]
        figures["handled_on_time"] += row["on_time"]
    # The statutory steps that started in the window, judged as of its last day (or today
    # while it runs): a step still open past its due date counts as late.
    as_of = min(end + timedelta(days=1), timezone.localdate())
    for row in _grouped(steps, key, timeliness(as_of)):
        figures = bucket(row)
        figures["steps_on_time"] += row["n_on_time"]
        figures["steps_late"] += row["n_late"]
    return result


def report_figures(*, start, end, province=None):
    """Complaint figures for a reporting window (dates inclusive), nationwide or for one
    province: ``received``, ``by_status``, ``by_sector``, ``by_channel`` (label → count),
    ``handled`` (an outcome reached in the window) and ``handled_on_time`` (no step late),
    ``steps_on_time`` / ``steps_late`` (the statutory steps started in the window; one
    still open past its due date on the window's last day is late) and ``by_month``
    ("YYYY-MM" → complaints received)."""
    return _collect(start, end, province).get(None, _empty_figures())


def report_figures_by_province(*, start, end):
    """The same figures keyed by province id, the complaints of no province under ``None``:
    the buckets add up to the nationwide figures (the reports derive those from them)."""
    return _collect(start, end, per_province=True)


# --- Home page --------------------------------------------------------------------------------


def home_block():
    """Public summary for the home page (rendered without a request and cached there)."""
    year = timezone.localdate().year
    stats = public_statistics(year)
    return {
        "template": "complaints/_home_block.html",
        "year": year,
        "total": stats["total"],
        "total_shown": stats["total_shown"],
        "resolved_share": stats["resolved_share"],
    }


# --- Warnings and recalls matching a complaint (issue 15, item 2) ------------------------------

MATCHING_WARNINGS_SHOWN = 5


def matching_warnings(complaint_or_data, limit=MATCHING_WARNINGS_SHOWN):
    """The published warnings and recalls (not drafts, not withdrawn: what the public list
    shows) about the same product, by barcode, or naming the same registered business; the
    newest first, recalls before other warnings. ``complaint_or_data`` is a complaint or the
    wizard's cleaned data (``gtin``, ``business``). One query; none without a barcode or a
    registered business."""
    from consumer_warnings.gtin import gtin_key
    from consumer_warnings.models import NEWEST_FIRST, ConsumerWarning

    if isinstance(complaint_or_data, Complaint):
        key = complaint_or_data.gtin_key or gtin_key(complaint_or_data.gtin)
        business_id = complaint_or_data.business_id
    else:
        key = gtin_key(complaint_or_data.get("gtin") or "")
        business = complaint_or_data.get("business")
        business_id = getattr(business, "pk", business)
    condition = Q()
    if key:
        condition |= Q(gtin_key=key)
    if business_id:
        condition |= Q(business_id=business_id)
    if not condition:
        return []
    warnings = (
        ConsumerWarning.objects.listed()
        .filter(condition)
        .order_by(
            Case(When(kind=ConsumerWarning.Kind.RECALL, then=0), default=1),
            *NEWEST_FIRST,
        )
        .select_related("business")
        .only(
            "kind",
            "status",
            "title",
            "slug",
            "summary",
            "product_name",
            "gtin",
            "gtin_key",
            "how_to_check",
            "remedy",
            "recall_time_place",
            "published_at",
            "imported",
            "issued_on",
            "business_id",
            "business__name",
            "business_name",
        )[:limit]
    )
    rows = list(warnings)
    for warning in rows:
        warning.matched_by_gtin = bool(key) and warning.gtin_key == key
    return rows
