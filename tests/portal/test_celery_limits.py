"""Every Celery task has a soft time limit below its hard one; the long ones get more."""

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
    long_limits = (
        settings.CELERY_LONG_TASK_SOFT_TIME_LIMIT,
        settings.CELERY_LONG_TASK_TIME_LIMIT,
    )
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in [
        "reports.tasks.render_unit_report_pdf",
        "reports.tasks.render_national_report_pdf",
        "consumer_warnings.tasks.send_alerts",
        *scheduled,
    ]:
        assert effective_time_limits(tasks[name]) == long_limits, name
    assert effective_time_limits(tasks["portal.tasks.notify_membership_decision"]) == (
        settings.CELERY_TASK_SOFT_TIME_LIMIT,
        settings.CELERY_TASK_TIME_LIMIT,
    )
    assert long_limits[0] > settings.CELERY_TASK_SOFT_TIME_LIMIT
