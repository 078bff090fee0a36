import os
from fnmatch import fnmatchcase

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class PatternAnnotations:
    """Longer time limits for the long tasks, named in settings (``CELERY_LONG_TASKS``, glob
    patterns) or scheduled by beat (``CELERY_BEAT_SCHEDULE``: the daily and weekly jobs),
    so that the parts' tasks.py need no limits of their own. Every other task keeps the
    defaults ``CELERY_TASK_SOFT_TIME_LIMIT`` / ``CELERY_TASK_TIME_LIMIT``."""

    def annotate(self, task):
        from django.conf import settings

        scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        if task.name in scheduled or any(
            fnmatchcase(task.name, pattern) for pattern in settings.CELERY_LONG_TASKS
        ):
            return {
                "soft_time_limit": settings.CELERY_LONG_TASK_SOFT_TIME_LIMIT,
                "time_limit": settings.CELERY_LONG_TASK_TIME_LIMIT,
            }
        return None

    def annotate_any(self):
        return None


def effective_time_limits(task):
    """(soft, hard) seconds a worker applies to ``task``: its own, else the app's defaults."""
    return (
        task.soft_time_limit or app.conf.task_soft_time_limit,
        task.time_limit or app.conf.task_time_limit,
    )
