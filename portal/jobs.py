"""Shared mechanics for background work: dispatch after commit, claim a run once."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import JobRun


def enqueue(task, *args, **kwargs):
    """Send ``task`` to Celery once the current transaction commits, so the worker never
    looks for a row that is not there yet (or was rolled back)."""
    transaction.on_commit(lambda: task.delay(*args, **kwargs))


def claim(name, key):
    """Claim the run (name, key). Returns the new :class:`JobRun`, or ``None`` when the run
    was already claimed: a database constraint, so two workers cannot both win."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(name=name, key=str(key))
    except IntegrityError:
        return None


def finish(run, **result):
    run.finished_at = timezone.now()
    run.result = result
    run.save(update_fields=["finished_at", "result"])
    return run
