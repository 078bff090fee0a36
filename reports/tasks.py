"""Thin Celery tasks of the reports part: they take primary keys and call services.

``run_reporting_calendar`` is the beat entry (daily at 00:00 Asia/Ho_Chi_Minh, see
settings.CELERY_BEAT_SCHEDULE); each dated step is also a task of its own so that officers
can run it from the admin. Each step is a job run (see ``reports.services``): a step that
finished changes nothing when run again, a step that failed is done again by the next run.
The PDFs are rendered by the portal's ``render_stored_pdf`` (``portal.pdf``).
"""

import datetime

from celery import shared_task
from django.utils import timezone

from portal.notifications import mail_task
from portal.roles import SYSTEM

from . import services
from .models import ReportingYear


def _on_year(year_pk, step, *args, **kwargs):
    """Run the service ``step`` on the reporting year ``year_pk`` (None when it is gone)."""
    reporting_year = ReportingYear.objects.select_related("plan").filter(pk=year_pk).first()
    return step(reporting_year, *args, **kwargs) if reporting_year else None


@shared_task
def run_reporting_calendar(today=None):
    """``today`` (ISO date) lets tests and operators replay a given day."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return services.run_calendar(day)


@shared_task
def open_reporting_year(year_pk):
    return _on_year(year_pk, services.open_year)


@mail_task
def send_unit_reminders(year_pk, key):
    return _on_year(year_pk, services.send_unit_reminders, key)


@shared_task
def lock_unit_reports(year_pk):
    return _on_year(year_pk, services.lock_year, user=SYSTEM)


@shared_task
def compile_national_report(year_pk):
    return _on_year(year_pk, services.compile_national, user=SYSTEM)


@mail_task
def remind_authority(year_pk):
    return _on_year(year_pk, services.remind_authority)


@shared_task
def publish_national_report(year_pk):
    return _on_year(year_pk, services.publish_national, user=SYSTEM)
