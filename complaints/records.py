"""What the complaints part gives a business's record (selfassess.record): the timeliness of
the statutory steps the business owes, for everyone; its open, overdue and recent complaints,
for the staff who handle them. A constant number of queries whatever the rows; nothing here
names a consumer."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from .models import OPEN_STATUSES, Complaint, ComplaintStep, Party, Status
from .selectors import SUPPRESS_BELOW, _share

# "Recent": received in this many days; the staff view lists at most RECENT_LIMIT of them.
RECENT_DAYS = 90
RECENT_LIMIT = 10


def timeliness(business, as_of=None):
    """The business's statutory steps (Luật 19/2023 Điều 57 deadlines, all years): on time,
    late (done late or still open past the deadline, as complaints.selectors.timeliness
    counts them) and, among the late, still overdue. The share on time is published only
    from ``SUPPRESS_BELOW`` counted steps, as the statistics do. One indexed query."""
    as_of = as_of or timezone.localdate()
    row = ComplaintStep.objects.filter(business=business, party=Party.BUSINESS).aggregate(
        # Counts ``started_on`` (never null), as complaints.selectors.timeliness does.
        n_on_time=Count("started_on", filter=Q(on_time=True)),
        n_late=Count("started_on", filter=Q(on_time=False)),
        n_overdue=Count("started_on", filter=Q(completed_at__isnull=True, due_on__lt=as_of)),
    )
    on_time, overdue = row["n_on_time"], row["n_overdue"]
    # Late as the statistics count it: done late, or still open past the deadline.
    late = row["n_late"] + overdue
    counted = on_time + late
    shown = counted >= SUPPRESS_BELOW
    return {
        "steps": counted,
        "on_time": on_time,
        "late": late,
        "overdue": overdue,
        "on_time_share": _share(on_time, counted) if shown else None,
        "published": shown,
    }


def _about(business):
    return Complaint.objects.filter(business=business)


def _counts(queryset, today):
    opened = Q(status__in=OPEN_STATUSES)
    return queryset.aggregate(
        open=Count("pk", filter=opened),
        overdue=Count("pk", filter=opened & Q(step_due__lt=today)),
        recent=Count("pk", filter=Q(received_at__gte=timezone.now() - timedelta(RECENT_DAYS))),
    )


def signal_counts(business, today=None):
    """How many of the business's complaints are open and overdue now, all provinces: the
    figures a verification records (no complaint named). One query."""
    today = today or timezone.localdate()
    counts = _counts(_about(business), today)
    return {"open": counts["open"], "overdue": counts["overdue"]}


def for_staff(business, viewer, today=None):
    """The business's complaints for an officer: counts of open, overdue and recent ones,
    and, for whoever handles them (``Complaint.handled_by``), the most recent (code, status,
    received, next deadline: never the consumer's data). A ministry unit that handles no
    complaints gets the counts of all of them and no list, as the statistics are anonymous.
    ``None`` for anyone else. Two queries."""
    from portal.roles import get_actor

    actor = get_actor(viewer) if viewer is not None else None
    if actor is None or not (actor.is_officer or actor.handles_complaints):
        return None
    today = today or timezone.localdate()
    handles = actor.handles_complaints
    scoped = _about(business).handled_by(viewer) if handles else _about(business)
    counts = _counts(scoped, today)
    if not handles:
        return {**counts, "recent_list": [], "recent_days": RECENT_DAYS}
    since = timezone.now() - timedelta(RECENT_DAYS)
    # Plain rows, not complaints: nothing personal is even read.
    rows = (
        scoped.filter(received_at__gte=since)
        .order_by("-received_at", "-pk")
        .values("code", "status", "received_at", "step_due")[:RECENT_LIMIT]
    )
    labels = dict(Status.choices)
    recent = [
        {
            **row,
            "status_label": labels.get(row["status"], row["status"]),
            "is_overdue": row["status"] in OPEN_STATUSES
            and row["step_due"] is not None
            and row["step_due"] < today,
        }
        for row in rows
    ]
    return {**counts, "recent_list": recent, "recent_days": RECENT_DAYS}
