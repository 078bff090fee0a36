"""Every Celery task has a soft time limit below its hard one; the long ones get more."""

from fnmatch import fnmatchcase

import pytest

from portal.celery import app, effective_time_limits


@pytest.fixture(scope="module")
def tasks():
    app.loader.import_default_modules()
    return dict(app.tasks)


def test_every_registered_task_has_soft_below_hard_limit(tasks):
    assert len([name for name in tasks if not name.startswith("celery.")]) >= 20
    for name, task in tasks.items():
        soft, hard = effective_time_limits(task)
        assert soft and hard, name
        assert 0 < soft < hard, name


def test_long_tasks_get_the_long_limits(tasks, settings):
    """PDF rendering, fan-out mail (CELERY_LONG_TASKS patterns) and every beat job get the
    long limits; every other task the defaults."""
    long_limits = (
        settings.CELERY_LONG_TASK_SOFT_TIME_LIMIT,
        settings.CELERY_LONG_TASK_TIME_LIMIT,
    )
    default_limits = (settings.CELERY_TASK_SOFT_TIME_LIMIT, settings.CELERY_TASK_TIME_LIMIT)
    assert long_limits[0] > default_limits[0]
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(tasks), "a beat entry names a task that does not exist"
    seen = set()
    for name, task in tasks.items():
        is_long = name in scheduled or any(
            fnmatchcase(name, pattern) for pattern in settings.CELERY_LONG_TASKS
        )
        seen.add(is_long)
        assert effective_time_limits(task) == (long_limits if is_long else default_limits), name
    assert seen == {True, False}
    assert effective_time_limits(tasks["consumer_warnings.tasks.send_alerts"]) == long_limits
    # Named ones, so that the rule above cannot drift from what the workers get.
    for name in (
        "portal.tasks.render_stored_pdf",
        "complaints.tasks.flag_overdue_steps",
        "complaints.tasks.purge_abandoned_drafts",
        "complaints.tasks.erase_expired_personal_data",
        "reports.tasks.run_reporting_calendar",
    ):
        assert effective_time_limits(tasks[name]) == long_limits, name
    for name in ("complaints.tasks.notify_new_complaint", "portal.tasks.notify_membership_request"):
        assert effective_time_limits(tasks[name]) == default_limits, name
