"""The production profile refuses to start without its secrets and passes check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3J9x!Qz7wL2pV8rT5yN1mB6cF4hD0sG9aE3uI7oP2lK5jH8gZ"


def run(args, **env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_SECRET_KEY",
            "DJANGO_ALLOWED_HOSTS",
            "DATABASE_URL",
            "DJANGO_DEBUG",
            # set by the browser tests for Playwright's event loop; never in deployment
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PROD = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": GOOD_KEY,
    "DJANGO_ALLOWED_HOSTS": "dnvntd.gov.vn",
    "DATABASE_URL": "postgres://portal:secret@db.invalid:5432/portal",
}


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PROD.items() if k != missing}
    result = run(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_refuses_sqlite():
    result = run(["manage.py", "check"], **{**PROD, "DATABASE_URL": "sqlite:///x.db"})
    assert result.returncode != 0
    assert "real database" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = run(["manage.py", "check"], **{**PROD, "DJANGO_SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_under_production_profile():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PROD)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_development_profile_needs_nothing():
    result = run(["manage.py", "check"], DJANGO_ENV="development")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["flase", "ture", "2", "enabled"])
def test_a_yes_no_typo_stops_the_start_with_a_clear_message(value):
    result = run(["manage.py", "check"], **PROD, DJANGO_SECURE_SSL_REDIRECT=value)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECURE_SSL_REDIRECT" in result.stderr
    assert repr(value) in result.stderr
    assert "true, 1, yes, on, false, 0, no, off" in result.stderr


@pytest.mark.parametrize("value", ["false", " FALSE ", "0", "No", "off"])
def test_a_yes_no_value_is_read_case_insensitively(value):
    result = run(
        [
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings;print(settings.SECURE_SSL_REDIRECT)",
        ],
        **PROD,
        DJANGO_SECURE_SSL_REDIRECT=value,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_false_passes_the_check():
    result = run(["manage.py", "check"], **PROD, DJANGO_SECURE_SSL_REDIRECT="false")
    assert result.returncode == 0, result.stderr


def test_time_limits_must_leave_room_for_the_soft_one():
    result = run(
        ["manage.py", "check"], CELERY_TASK_SOFT_TIME_LIMIT="300", CELERY_TASK_TIME_LIMIT="60"
    )
    assert result.returncode != 0
    assert "CELERY_TASK_SOFT_TIME_LIMIT must be positive and below" in result.stderr
