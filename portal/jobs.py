"""Shared mechanics for background work (DESIGN.md §10): dispatch after commit, and job runs
that survive a crash.

Two kinds of claim, both rows of :class:`portal.models.JobRun` unique on (name, key):

- :func:`once` — the claim commits *with* the work, in one transaction. If the work raises
  (or the process dies) nothing commits, the claim included, so the next run does it all.
  A second run after a success finds the claim and does nothing. Use it for a step that is
  one transaction (open a year, lock it, compile) and for each item of a long job.
- :func:`lease` — for a job that fans out over many items, each committed on its own (an
  e-mail per unit, a digest per subscriber). The lease commits at the start with an expiry;
  success marks it finished; an exception releases it at once; a process that died leaves
  it to expire (or to be released from the admin), and a later run takes it over. Inside,
  each item is claimed with :func:`once`, so a retry does exactly the items not yet done.
"""

from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import JobRun

DEFAULT_LEASE = timedelta(minutes=30)


def enqueue(task, *args, **kwargs):
    """Send ``task`` to Celery once the current transaction commits, so the worker never
    looks for a row that is not there yet (or was rolled back)."""
    transaction.on_commit(lambda: task.delay(*args, **kwargs))


class _Run:
    """What a job block gets: the claim row, or None when there is nothing to do, and a
    place for its result."""

    def __init__(self, row):
        self.row = row
        self.result = {}

    def __bool__(self):
        return self.row is not None

    @property
    def pk(self):
        return self.row.pk if self.row is not None else None


@contextmanager
def once(name, key):
    """Claim (name, key) in the transaction of the work. Yields a truthy run when this call
    must do the work, a falsy one when the work is done already (or being done by another
    worker, which then wins: the unique index makes this call wait for it and find it)."""
    key = str(key)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = JobRun.objects.create(name=name, key=key, attempts=1)
        except IntegrityError:
            yield _Run(None)
            return
        run = _Run(row)
        yield run
        row.finished_at = timezone.now()
        row.result = run.result
        row.save(update_fields=["finished_at", "result"])


def _take(name, key, ttl, now):
    """Take the lease (name, key) if it is free: never claimed, released, or expired."""
    with transaction.atomic():
        row = JobRun.objects.select_for_update().filter(name=name, key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    return JobRun.objects.create(
                        name=name, key=key, started_at=now, expires_at=now + ttl, attempts=1
                    )
            except IntegrityError:
                return None
        if row.finished_at is not None:
            return None
        if row.expires_at is not None and row.expires_at > now:
            return None  # another worker holds it
        row.started_at = now
        row.expires_at = now + ttl
        row.attempts += 1
        row.save(update_fields=["started_at", "expires_at", "attempts"])
        return row


@contextmanager
def lease(name, key, ttl=DEFAULT_LEASE):
    """Hold (name, key) while the block runs; see the module's text. Yields a falsy run when
    the job is finished or another worker holds a live lease."""
    key = str(key)
    row = _take(name, key, ttl, timezone.now())
    if row is None:
        yield _Run(None)
        return
    run = _Run(row)
    try:
        yield run
    except BaseException as exc:
        JobRun.objects.filter(pk=row.pk).update(
            expires_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    JobRun.objects.filter(pk=row.pk).update(
        finished_at=timezone.now(), expires_at=None, error="", result=run.result
    )


def release(runs):
    """Release unfinished leases now (the admin's action for a worker that died), so the
    next run takes the job over. Returns how many were released."""
    return runs.filter(finished_at__isnull=True).update(expires_at=timezone.now())
