"""Expired sessions (abandoned filing drafts with names and phone numbers) are cleared
daily by beat: the expired row is gone, a live one is kept, and a second run is harmless."""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal.models import JobRun
from portal.tasks import clear_expired_sessions

pytestmark = pytest.mark.django_db


def _session(expires_in):
    store = SessionStore()
    store["complaint_draft"] = {"ho_ten": "Nguyễn Văn An", "dien_thoai": "0912345678"}
    store.set_expiry(expires_in)
    store.create()
    return store.session_key


def test_beat_clears_sessions_daily_at_0245():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["portal-clear-sessions"]
    assert entry["task"] == "portal.tasks.clear_expired_sessions"
    assert entry["schedule"] == crontab(hour="2-23", minute=45)


def test_the_task_deletes_expired_sessions_and_keeps_live_ones():
    live = _session(timedelta(days=1))
    expired = _session(timedelta(days=1))
    Session.objects.filter(session_key=expired).update(
        expire_date=timezone.now() - timedelta(days=400)
    )

    clear_expired_sessions.delay()

    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()
    assert SessionStore(session_key=live).load()["complaint_draft"]["ho_ten"] == "Nguyễn Văn An"
    assert JobRun.objects.filter(name="portal.clear_expired_sessions").count() == 1


def test_running_twice_is_harmless_and_the_next_day_clears_again():
    live = _session(timedelta(days=30))
    clear_expired_sessions.delay(today="2026-03-01")
    later_expired = _session(timedelta(days=1))
    Session.objects.filter(session_key=later_expired).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    assert clear_expired_sessions.delay(today="2026-03-01").result is None
    assert Session.objects.filter(session_key=later_expired).exists()  # the day is done

    clear_expired_sessions.delay(today="2026-03-02")
    assert not Session.objects.filter(session_key=later_expired).exists()
    assert Session.objects.filter(session_key=live).exists()
