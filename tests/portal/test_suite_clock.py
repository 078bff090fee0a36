"""The suite runs at the instant of DNVNTD_TEST_CLOCK (default in 2027), with a ticking
clock, and with the fast password hasher."""

import datetime
import time

import time_machine
from django.contrib.auth.hashers import get_hasher, make_password
from django.utils import timezone

from tests.conftest import TEST_CLOCK


def test_today_is_the_test_clock_date():
    local = TEST_CLOCK.astimezone(timezone.get_current_timezone())
    assert timezone.localdate() == local.date()
    assert datetime.date.today() == TEST_CLOCK.astimezone().date()
    assert abs(timezone.now() - TEST_CLOCK) < datetime.timedelta(minutes=5)


def test_the_clock_ticks():
    before = timezone.now()
    deadline = time.monotonic() + 2
    while timezone.now() == before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert timezone.now() > before


def test_a_test_may_travel_further_and_come_back():
    with time_machine.travel(datetime.datetime(2031, 1, 2, 8, 0, tzinfo=datetime.UTC)):
        assert timezone.now().year == 2031
    assert timezone.localdate() == TEST_CLOCK.astimezone(timezone.get_current_timezone()).date()


def test_passwords_use_the_fast_hasher():
    assert get_hasher().algorithm == "md5"
    assert make_password("MatKhau@2026!").startswith("md5$")
