"""Derived validity (DESIGN.md §5): computed for any day from the effective date and the
dated events, never typed by hand.

Two implementations of one rule, kept side by side and tested against each other:
:func:`status_on` in Python (detail page, history table, JSON) and
:func:`annotate_status` in SQL (search filters and lists, one query for any number of rows).

The rule, for a day D, first match wins:
1. a *replaced* or *expired* event on or before D → expired;
2. the start (effective date, else the first *takes effect* event, else the issue date)
   is after D → not yet in force;
3. the latest *suspended* event on or before D has no later *resumed* event up to D →
   suspended;
4. a *partly repealed* event on or before D → partly expired;
5. no start known at all → unknown;
6. otherwise → in force.
"""

import datetime

from django.db import models
from django.db.models import Case, Exists, F, Max, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ENDING = ("replaced", "expired")


class Status(models.TextChoices):
    NOT_YET = "not_yet", _("Not yet in force")
    IN_FORCE = "in_force", _("In force")
    PARTLY_EXPIRED = "partly_expired", _("Partly expired")
    EXPIRED = "expired", _("Expired")
    SUSPENDED = "suspended", _("Suspended")
    UNKNOWN = "unknown", _("Validity unknown")


# Bootstrap colours for the status badge.
STATUS_STYLE = {
    "not_yet": "info",
    "in_force": "success",
    "partly_expired": "warning",
    "expired": "secondary",
    "suspended": "danger",
    "unknown": "light",
}


def status_style(status):
    return STATUS_STYLE[Status(status).value]


def today():
    return timezone.localdate()


def start_date(document, events):
    if document.effective_date:
        return document.effective_date
    effective = [e.date for e in events if e.kind == "effective"]
    if effective:
        return min(effective)
    return document.issue_date


def status_on(document, day=None, events=None):
    """The :class:`Status` of ``document`` on ``day`` (today by default). ``events`` may be
    passed when already loaded (e.g. prefetched) to avoid a query."""
    day = day or today()
    if events is None:
        events = list(document.events.all())
    past = [e for e in events if e.date <= day]
    if any(e.kind in ENDING for e in past):
        return Status.EXPIRED
    start = start_date(document, events)
    if start is not None and start > day:
        return Status.NOT_YET
    suspended = [e.date for e in past if e.kind == "suspended"]
    if suspended:
        last_suspended = max(suspended)
        if not any(e.kind == "resumed" and e.date >= last_suspended for e in past):
            return Status.SUSPENDED
    if any(e.kind == "partly_repealed" for e in past):
        return Status.PARTLY_EXPIRED
    if start is None:
        return Status.UNKNOWN
    return Status.IN_FORCE


def history(document, events=None):
    """The rows of the validity history table: every dated step with the status it left
    the document in, oldest first."""
    if events is None:
        events = list(document.events.select_related("source_document").all())
    rows = []
    if document.issue_date:
        rows.append({"date": document.issue_date, "label": _("Issued"), "event": None})
    if document.effective_date:
        rows.append({"date": document.effective_date, "label": _("Takes effect"), "event": None})
    for event in events:
        rows.append({"date": event.date, "label": event.get_kind_display(), "event": event})
    rows.sort(key=lambda row: (row["date"], row["event"] is not None))
    for row in rows:
        status = status_on(document, row["date"], events)
        row["status"] = status
        row["status_label"] = Status(status).label
        row["style"] = status_style(status)
    return rows


def _event_exists(kinds, day):
    from .models import ValidityEvent

    return Exists(
        ValidityEvent.objects.filter(document=OuterRef("pk"), kind__in=kinds, date__lte=day)
    )


def _event_date(kind, day, aggregate):
    from .models import ValidityEvent

    events = ValidityEvent.objects.filter(document=OuterRef("pk"), kind=kind)
    if day is not None:
        events = events.filter(date__lte=day)
    return Subquery(
        events.order_by().values("document").annotate(value=aggregate("date")).values("value")[:1],
        output_field=models.DateField(),
    )


def annotate_status(queryset, day=None):
    """Annotate ``validity`` (a :class:`Status` value) on every row, in the database."""
    day = day or today()
    return queryset.annotate(
        _start=Coalesce(F("effective_date"), _event_date("effective", None, Min), F("issue_date")),
        _last_suspended=_event_date("suspended", day, Max),
        _last_resumed=_event_date("resumed", day, Max),
        validity=Case(
            When(_event_exists(ENDING, day), then=Value(Status.EXPIRED.value)),
            When(_start__gt=day, then=Value(Status.NOT_YET.value)),
            When(
                Q(_last_suspended__isnull=False)
                & (Q(_last_resumed__isnull=True) | Q(_last_resumed__lt=F("_last_suspended"))),
                then=Value(Status.SUSPENDED.value),
            ),
            When(_event_exists(["partly_repealed"], day), then=Value(Status.PARTLY_EXPIRED.value)),
            When(_start__isnull=True, then=Value(Status.UNKNOWN.value)),
            default=Value(Status.IN_FORCE.value),
            output_field=models.CharField(),
        ),
    )


def replacement_creates_cycle(source_id, target_id, exclude_pk=None):
    """Would "``source`` replaces ``target``" close a cycle, i.e. does ``target`` already
    replace ``source`` directly or through a chain? Walks the replacement graph breadth
    first, one query per level."""
    from .models import Relation

    edges = Relation.objects.filter(kind=Relation.Kind.REPLACES)
    if exclude_pk:
        edges = edges.exclude(pk=exclude_pk)
    frontier, seen = {source_id}, {source_id}
    while frontier:
        # Who replaces the documents in the frontier?
        replacers = set(edges.filter(target_id__in=frontier).values_list("source_id", flat=True))
        if target_id in replacers:
            return True
        frontier = replacers - seen
        seen |= frontier
    return False


# How a day may be typed, on the document page and in the search form.
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y")


def parse_day(value):
    """A date from ``dd/mm/yyyy`` or ``yyyy-mm-dd``; ``None`` when it is not a real date."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), fmt).date()
        except (ValueError, AttributeError):
            continue
    return None
