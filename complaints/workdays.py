"""Working-day arithmetic for statutory deadlines (Luật 19/2023/QH15 Điều 31, 57).

A working day is Monday to Friday, not a public holiday of Viet Nam (the ``holidays``
package knows Tết, 30/4–1/5, 2/9 and the government's substituted days) and not an extra day
off announced later (``settings.PORTAL_EXTRA_DAYS_OFF``); a Saturday the government makes a
working day counts (``settings.PORTAL_EXTRA_WORKING_DAYS`` adds more).
"""

import datetime
from functools import lru_cache

import holidays
from django.conf import settings


@lru_cache(maxsize=64)
def _calendar(year):
    return holidays.Vietnam(years=year)


def _dates(setting_name):
    values = getattr(settings, setting_name, None) or []
    result = set()
    for value in values:
        try:
            result.add(datetime.date.fromisoformat(str(value).strip()))
        except ValueError:
            continue  # a malformed entry must not stop every deadline computation
    return result


def is_working_day(day):
    if day in _dates("PORTAL_EXTRA_WORKING_DAYS"):
        return True
    if day in _dates("PORTAL_EXTRA_DAYS_OFF"):
        return False
    return _calendar(day.year).is_working_day(day)


def add_working_days(start, days):
    """The date ``days`` working days after ``start`` (the day of receipt is not counted,
    as in the civil-law rule for counting periods)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start, end):
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
