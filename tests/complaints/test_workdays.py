import datetime

import pytest

from complaints import workdays
from portal.models import AnnouncedDay

pytestmark = pytest.mark.django_db

D = datetime.date


def test_plain_week_skips_the_weekend():
    # Friday 6/3/2026 + 3 working days → Wednesday 11/3/2026.
    assert workdays.add_working_days(D(2026, 3, 6), 3) == D(2026, 3, 11)


def test_tet_2026_is_not_counted():
    # Tết Bính Ngọ: 16–20/2/2026 are days off. Filed Friday 13/2, 7 working days:
    # 23, 24, 25, 26, 27/2, 2/3, 3/3.
    assert workdays.add_working_days(D(2026, 2, 13), 7) == D(2026, 3, 3)
    assert not workdays.is_working_day(D(2026, 2, 17))


def test_reunification_and_labour_day():
    # 30/4 (Thursday) and 1/5 (Friday) 2026 are holidays: Wednesday 29/4 + 1 → Monday 4/5.
    assert workdays.add_working_days(D(2026, 4, 29), 1) == D(2026, 5, 4)
    # 2025: 30/4, 1/5 and the substituted 2/5 are off; Saturday 26/4 was a working day.
    assert workdays.is_working_day(D(2025, 4, 26))
    assert workdays.add_working_days(D(2025, 4, 29), 1) == D(2025, 5, 5)


def test_national_day():
    # 2026: 31/8 (substituted, worked on Saturday 22/8), 1/9 and 2/9 are off.
    assert workdays.add_working_days(D(2026, 8, 28), 1) == D(2026, 9, 3)
    assert workdays.is_working_day(D(2026, 8, 22))


def test_announced_days_off_and_working_days(django_assert_num_queries):
    for day, kind in (("2026-03-09", "off"), ("2026-03-07", "working")):
        AnnouncedDay.objects.create(
            date=D.fromisoformat(day),
            kind=kind,
            decision_number="1/TB-TEST",
            decision_date=D(2026, 2, 1),
        )
    # Friday 6/3 + 2: Saturday 7/3 is worked, Monday 9/3 is off → Tuesday 10/3; the table
    # is read once for the whole computation.
    with django_assert_num_queries(1):
        assert workdays.add_working_days(D(2026, 3, 6), 2) == D(2026, 3, 10)
    assert not workdays.is_working_day(D(2026, 3, 9))
    assert workdays.is_working_day(D(2026, 3, 7))


def test_working_days_between():
    assert workdays.working_days_between(D(2026, 2, 13), D(2026, 3, 3)) == 7
    assert workdays.working_days_between(D(2026, 3, 3), D(2026, 3, 1)) == 0
