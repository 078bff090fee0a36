"""Reads of complaints used in more than one place: lists, timelines, statistics and the
figures of the annual reports. Every aggregate runs in the database, in a constant number
of queries."""

from collections import Counter

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language

from portal import periods
from portal.models import Province, Sector
from portal.text import fold

from .models import (
    HANDLED_STATUSES,
    Channel,
    Complaint,
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
        "consent_processing",
        "consent_version",
        "consent_text",
        "consent_publish",
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


def current_step(complaint):
    return complaint.steps.filter(completed_at__isnull=True).first()


# --- Public statistics ------------------------------------------------------------------------


def suppress(value):
    """The published form of a count: small non-zero counts are hidden."""
    return "<3" if 0 < value < SUPPRESS_BELOW else value


def _share(part, whole):
    return round(100 * part / whole, 1) if whole else None


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


def _compute_statistics(year):
    months = Q(received_month__gte=year * 100 + 1, received_month__lte=year * 100 + 12)
    # One pass over the covering index (received_month, province, sector, status): every
    # breakdown below is summed from these groups in Python (at most 12 × 34 × 20 × 11).
    by_month_rows, status_rows, sector_rows = Counter(), Counter(), Counter()
    province_rows = {}
    for month, province_id, sector_id, status, n in (
        Complaint.objects.filter(months)
        .values_list("received_month", "province_id", "sector_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        by_month_rows[month] += n
        status_rows[status] += n
        sector_rows[sector_id] += n
        row = province_rows.setdefault(province_id, {"n": 0, "resolved": 0})
        row["n"] += n
        if status == Status.RESOLVED:
            row["resolved"] += n
    by_month = [
        {"month": m, "label": f"{m:02d}/{year}", "count": by_month_rows.get(year * 100 + m, 0)}
        for m in range(1, 13)
    ]
    by_status = [
        {"status": value, "label": str(label), "count": status_rows.get(value, 0)}
        for value, label in Status.choices
    ]
    total = sum(status_rows.values())
    resolved = status_rows.get(Status.RESOLVED, 0)
    answered = sum(
        status_rows.get(s, 0)
        for s in (Status.RESOLVED, Status.UNRESOLVED, Status.BUSINESS_DECLINED)
    )

    # Timeliness of the steps that started in the year (their own indexed date, no join).
    finished_steps = periods.in_window(
        ComplaintStep.objects.filter(completed_at__isnull=False, on_time__isnull=False),
        "started_on",
        *periods.year_window(year),
    )
    agency_steps = {
        row["province_id"]: row
        for row in finished_steps.filter(party=Party.AGENCY)
        .values("province_id")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
        .order_by()
    }
    by_province = []
    for province in sorted(Province.objects.current(), key=lambda p: fold(p.display_name)):
        row = province_rows.get(province.pk, {"n": 0, "resolved": 0})
        steps = agency_steps.get(province.pk, {"n": 0, "on_time": 0})
        by_province.append(
            {
                "name": province.display_name,
                "count": row["n"],
                "resolved": row["resolved"],
                "steps": steps["n"],
                "on_time_share": _share(steps["on_time"], steps["n"])
                if steps["n"] >= SUPPRESS_BELOW
                else None,
            }
        )

    by_sector = [
        {"name": sector.display_name, "count": sector_rows.get(sector.pk, 0)}
        for sector in Sector.objects.filter(is_active=True)
    ]
    if sector_rows.get(None):
        by_sector.append({"name": "—", "count": sector_rows[None]})

    business_rows = (
        finished_steps.filter(party=Party.BUSINESS, business__isnull=False)
        .values("business_id", "business__name", "business__tax_code")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
        .filter(n__gte=SUPPRESS_BELOW)
        .order_by("-n", "business__name")[:20]
    )
    by_business = [
        {
            "name": row["business__name"],
            "tax_code": row["business__tax_code"],
            "steps": row["n"],
            "on_time_share": _share(row["on_time"], row["n"]),
        }
        for row in business_rows
    ]
    return {
        "year": year,
        "total": total,
        "resolved": resolved,
        "resolved_share": _share(resolved, total),
        "answered_share": _share(answered, total),
        "by_month": by_month,
        "by_status": by_status,
        "by_province": by_province,
        "by_sector": by_sector,
        "by_business": by_business,
    }


# --- Figures for the annual reports (contract: docs/parts-contract.md) -------------------------


def _labels():
    sectors = {s.pk: s.name for s in Sector.objects.all()}
    return {
        "status": {v: str(label) for v, label in Status.choices},
        "channel": {v: str(label) for v, label in Channel.choices},
        "sector": sectors,
    }


def _empty_figures():
    return {
        "received": 0,
        "by_status": {},
        "by_sector": {},
        "by_channel": {},
        "handled": 0,
        "handled_on_time": 0,
    }


def _collect(start, end, province=None, per_province=False):
    received = periods.in_window(Complaint.objects.all(), "received_at", start, end)
    handled = periods.in_window(
        Complaint.objects.filter(status__in=HANDLED_STATUSES), "handled_at", start, end
    )
    if province is not None:
        province_id = getattr(province, "pk", province)
        received = received.filter(province_id=province_id)
        handled = handled.filter(province_id=province_id)
    key = ["province_id"] if per_province else []
    labels = _labels()
    result = {}

    def bucket(row):
        return result.setdefault(row["province_id"] if per_province else None, _empty_figures())

    for field, target in (
        ("status", "by_status"),
        ("sector_id", "by_sector"),
        ("channel", "by_channel"),
    ):
        for row in received.values(*key, field).annotate(n=Count("pk")).order_by():
            figures = bucket(row)
            names = labels["sector" if field == "sector_id" else field]
            label = names.get(row[field], "—") if row[field] is not None else "—"
            figures[target][label] = figures[target].get(label, 0) + row["n"]
            if field == "status":
                figures["received"] += row["n"]
    for row in (
        handled.values(*key)
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(is_late=False)))
        .order_by()
    ):
        figures = bucket(row)
        figures["handled"] += row["n"]
        figures["handled_on_time"] += row["on_time"]
    return result


def report_figures(*, start, end, province=None):
    """Complaint figures for a reporting window (dates inclusive), nationwide or for one
    province: ``received``, ``by_status``, ``by_sector``, ``by_channel`` (label → count),
    ``handled`` (an outcome reached in the window) and ``handled_on_time`` (no step late)."""
    return _collect(start, end, province).get(None, _empty_figures())


def report_figures_by_province(*, start, end):
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
        "resolved_share": stats["resolved_share"],
    }
