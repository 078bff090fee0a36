"""Report windows and date filters that the database can answer from an index.

A window is given in calendar days (inclusive, as people say "from 1 January to 31
October"); on a date-time column it becomes ``>= first day 00:00`` and ``< the day after the
last 00:00`` in Vietnam's time, never ``column::date BETWEEN`` (which no index serves).
"""

import datetime

from django.db import models
from django.utils import timezone

# The days a filter or a window may name: outside them a date is a typo (year 9999), and
# the instant after the last day could not be computed.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2100, 12, 31)


def day_start(day):
    """The aware instant a calendar day begins, in Vietnam's time (the portal's zone)."""
    moment = datetime.datetime.combine(day, datetime.time.min)
    return timezone.make_aware(moment, timezone.get_default_timezone())


def year_window(year):
    """The calendar year ``year`` as ``(1 January, 31 December)``."""
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _field(model, path):
    field = None
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.is_relation:
            model = field.related_model
    return field


def within(field_path, start=None, end=None, *, model):
    """A ``Q`` for ``start <= field <= end`` by calendar day (either bound may be None),
    index-friendly on date and date-time columns alike."""
    is_datetime = isinstance(_field(model, field_path), models.DateTimeField)
    condition = models.Q()
    if start is not None:
        low = day_start(start) if is_datetime else start
        condition &= models.Q(**{f"{field_path}__gte": low})
    if end is not None:
        if is_datetime:
            condition &= models.Q(**{f"{field_path}__lt": day_start(end + datetime.timedelta(1))})
        else:
            condition &= models.Q(**{f"{field_path}__lte": end})
    return condition


def in_window(queryset, field_path, start=None, end=None):
    """``queryset`` narrowed to rows whose ``field_path`` falls in the window."""
    return queryset.filter(within(field_path, start, end, model=queryset.model))
