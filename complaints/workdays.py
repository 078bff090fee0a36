"""Working-day arithmetic for statutory deadlines (Luật 19/2023/QH15 Điều 31, 57).

A working day is Monday to Friday, not a public holiday of Viet Nam (Bộ luật Lao động 2019
Điều 112; the ``holidays`` package knows Tết, 30/4–1/5, 2/9 and the government's substituted
days) and not a day off announced later; a Saturday or Sunday announced as a make-up working
day counts. The announced days are data the authority keeps in the back office
(``portal.models.AnnouncedDay``), each with the decision that announced it.

The table is read once per computation (one small query): every worker sees a day the
moment it is added, with no cache to invalidate across processes.
"""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _calendar(year):
    return holidays.Vietnam(years=year)


class Calendar:
    """The working days from ``start`` on, with the announced days loaded once."""

    def __init__(self, start=None):
        from portal.models import AnnouncedDay

        days = AnnouncedDay.objects.all()
        if start is not None:
            days = days.filter(date__gte=start)
        self.announced = dict(days.values_list("date", "kind"))

    def is_working_day(self, day):
        from portal.models import AnnouncedDay

        kind = self.announced.get(day)
        if kind is not None:
            return kind == AnnouncedDay.Kind.WORKING
        return _calendar(day.year).is_working_day(day)

    def add_working_days(self, start, days):
        day = start
        remaining = days
        while remaining > 0:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start, end):
        count = 0
        day = start
        while day < end:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def is_working_day(day):
    return Calendar(day).is_working_day(day)


def add_working_days(start, days):
    """The date ``days`` working days after ``start`` (the day of receipt is not counted,
    as in the civil-law rule for counting periods)."""
    return Calendar(start).add_working_days(start, days)


def working_days_between(start, end):
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    return Calendar(start).working_days_between(start, end)
