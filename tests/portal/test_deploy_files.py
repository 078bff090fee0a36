"""The production shape: compose file, Dockerfile and beat schedule stay consistent."""

from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_every_process_with_health_checks_and_volumes():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("db", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], name
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "portal", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "portal", "beat"]
    assert {"pgdata", "redis-data", "private-media"} <= set(compose["volumes"])
    assert services["web"]["environment"]["DJANGO_ENV"] == "production"


def test_gunicorn_logs_no_query_string_and_caps_requests():
    """The access log keeps no search term or phone number typed into a search (no query
    string, no referrer), the Dockerfile runs the compose file's command, and the benchmark
    starts that same command."""
    import json
    import re

    from bench.production_shape import compose_web_command

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    command = compose["services"]["web"]["command"]
    log_format = command[command.index("--access-logformat") + 1]
    assert "%(U)s" in log_format
    assert not re.search(r"%\((r|q|f|\{[^}]*\}i)\)s", log_format)
    for flag in ("--limit-request-line", "--limit-request-fields", "--limit-request-field_size"):
        assert flag in command
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1))
    assert cmd == command
    assert compose_web_command("127.0.0.1:1")[1:] == [*command[1:3], "127.0.0.1:1", *command[4:]]
    assert compose["services"]["web"]["ports"] == ["127.0.0.1:8000-8001:8000"]
    assert compose["services"]["web"]["deploy"]["replicas"] == 2


def test_dockerfile_uses_python_311_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11" in dockerfile
    assert "USER portal" in dockerfile
    assert "gunicorn" in dockerfile


def test_every_scheduled_task_exists():
    from portal.celery import app

    app.loader.import_default_modules()
    registered = set(app.tasks)
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in registered, entry["task"]


def test_compose_gives_every_app_process_the_shared_redis():
    """The production profile refuses to start without REDIS_URL: every process built from
    the image gets the compose file's Redis (one store for rate limits, cache and Celery)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    for name in ("migrate", "web", "worker", "beat"):
        environment = compose["services"][name]["environment"]
        assert environment["DJANGO_ENV"] == "production", name
        assert environment["REDIS_URL"] == "redis://redis:6379/0", name


def test_dockerfile_build_step_passes_the_production_profile_with_a_throwaway_key():
    """The image's build step (collectstatic under DJANGO_ENV=production) runs with the
    variables the Dockerfile exports: no key written in the file, Redis and SMTP named."""
    import os
    import re
    import subprocess
    import sys

    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    exports = re.search(r"RUN (export .*?)\s*\\\n\s*&& python manage.py", dockerfile, re.DOTALL)
    assert exports, "the build step's exports were not found"
    assert "secrets.token_urlsafe" in exports.group(1)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_"))
    }
    env["DJANGO_ENV"] = "production"
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    result = subprocess.run(
        ["sh", "-c", exports.group(1) + " && python manage.py check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_nothing_is_written_to_the_containers_disk_at_run_time():
    """The app containers' root is read-only with an in-memory /tmp, and beat keeps its
    schedule in memory (no schedule file)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    for name in ("web", "worker", "beat"):
        service = compose["services"][name]
        assert service["read_only"] is True, name
        assert any(mount.startswith("/tmp:") for mount in service["tmpfs"]), name  # noqa: S108
    assert "--schedule" not in compose["services"]["beat"]["command"]
    assert settings.CELERY_BEAT_SCHEDULER == "celery.beat:Scheduler"


def test_a_daily_job_is_offered_again_until_midnight():
    """With the schedule in memory, a beat restarted across a job's hour must still run it
    that day: every daily job is offered each hour from its time to 23:00 (its claim of the
    day makes the repeats no-ops)."""
    daily = {
        name: entry["schedule"]
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if len(entry["schedule"].hour) < 24 or entry["schedule"].day_of_week != set(range(7))
    }
    assert "reports-daily-calendar" not in daily  # every hour, all day
    assert {"complaints-flag-overdue", "portal-clear-sessions", "warnings-weekly-digest"} <= set(
        daily
    )
    for name, schedule in daily.items():
        first = min(schedule.hour)
        assert schedule.hour == set(range(first, 24)), name
