"""Thin Celery tasks of the reports part: they take primary keys and call services.

``run_reporting_calendar`` is the beat entry (daily at 00:00 Asia/Ho_Chi_Minh, see
settings.CELERY_BEAT_SCHEDULE); each dated step is also a task of its own so that officers
can run it from the admin. Each step is a job run (see ``reports.services``): a step that
finished changes nothing when run again, a step that failed is done again by the next run.
"""

import datetime

from celery import shared_task
from django.utils import timezone

from portal.notifications import mail_task
from portal.roles import SYSTEM

from . import services
from .models import NationalReport, ReportingYear, UnitReport


def _year(pk):
    return ReportingYear.objects.select_related("plan").filter(pk=pk).first()


@shared_task
def run_reporting_calendar(today=None):
    """``today`` (ISO date) lets tests and operators replay a given day."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return services.run_calendar(day)


@shared_task
def open_reporting_year(year_pk):
    reporting_year = _year(year_pk)
    return services.open_year(reporting_year) if reporting_year else None


@mail_task
def send_unit_reminders(year_pk, key):
    reporting_year = _year(year_pk)
    return services.send_unit_reminders(reporting_year, key) if reporting_year else None


@shared_task
def lock_unit_reports(year_pk):
    reporting_year = _year(year_pk)
    return services.lock_year(reporting_year, user=SYSTEM) if reporting_year else None


@shared_task
def compile_national_report(year_pk):
    reporting_year = _year(year_pk)
    return services.compile_national(reporting_year, user=SYSTEM) if reporting_year else None


@mail_task
def remind_authority(year_pk):
    reporting_year = _year(year_pk)
    return services.remind_authority(reporting_year) if reporting_year else None


@shared_task
def publish_national_report(year_pk):
    reporting_year = _year(year_pk)
    return services.publish_national(reporting_year, user=SYSTEM) if reporting_year else None


@shared_task
def render_unit_report_pdf(report_pk):
    report = (
        UnitReport.objects.select_related("reporting_year", "agency__province")
        .filter(pk=report_pk)
        .first()
    )
    if report is None or report.pdf_is_current:
        return None
    services.store_unit_pdf(report)
    return report.pk


@shared_task
def render_national_report_pdf(national_pk):
    national = (
        NationalReport.objects.select_related("reporting_year").filter(pk=national_pk).first()
    )
    if national is None or national.pdf_is_current:
        return None
    services.store_national_pdf(national)
    return national.pk
