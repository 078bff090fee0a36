"""The production profile refuses to start without its secrets and passes check --deploy."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from portal import settings as portal_settings

ROOT = Path(__file__).resolve().parents[2]
# A fresh key each run: a key written here would be public, and the profile refuses those.
GOOD_KEY = secrets.token_urlsafe(50)


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
            "REDIS_URL",
            "EMAIL_BACKEND",
            "PERSONAL_DATA_KEYS",
            "PERSONAL_DATA_HASH_KEY",
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
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "PERSONAL_DATA_KEYS": Fernet.generate_key().decode(),
    "PERSONAL_DATA_HASH_KEY": Fernet.generate_key().decode(),
}


@pytest.mark.parametrize(
    "missing",
    ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_BACKEND"],
)
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PROD.items() if k != missing}
    result = run(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"needs these environment variables: {missing}" in result.stderr


def test_without_redis_the_message_says_why():
    result = run(["manage.py", "check"], **{**PROD, "REDIS_URL": ""})
    assert result.returncode != 0
    assert "rate limits, the cache and Celery need one store shared by every process" in (
        result.stderr
    )


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    ],
)
def test_production_refuses_a_mail_backend_that_does_not_deliver(backend):
    result = run(["manage.py", "check"], **{**PROD, "EMAIL_BACKEND": backend})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"EMAIL_BACKEND={backend!r} does not deliver mail" in result.stderr


def _env_example_key():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return re.search(r"^DJANGO_SECRET_KEY=(.*)$", text, re.MULTILINE).group(1)


@pytest.mark.parametrize(
    "key",
    [
        "env-example",
        # the placeholder of .env.example before #17: 60 characters, it passed the old check
        "change-me-to-at-least-50-random-characters-xxxxxxxxxxxxxxxx",
        portal_settings.DEV_SECRET_KEY,
        "build-only-key-build-only-key-build-only-key-000000",
        "django-insecure-" + "a1b2c3d4e5" * 5,
        "CHANGEME" + "x7Qp2" * 10,
    ],
)
def test_production_refuses_a_published_or_placeholder_secret_key(key):
    key = _env_example_key() if key == "env-example" else key
    result = run(["manage.py", "check"], **{**PROD, "DJANGO_SECRET_KEY": key})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr


SECRET_KEY_VALUE = re.compile(
    # DJANGO_SECRET_KEY=value (env files, Dockerfile, compose, shell), "DJANGO_SECRET_KEY":
    # value (YAML, dicts), and SOME_SECRET_KEY = "value" (Python defaults).
    r"DJANGO_SECRET_KEY[\"']?\s*[=:]\s*[\"']?(?P<env>[^\s\"'$\\,]+)"
    r"|\w*SECRET_KEY\w*\s*=\s*[\"'](?P<py>[^\"']+)[\"']"
    r"|(?P<insecure>django-insecure-[^\s\"']+)"
)


def test_no_key_written_in_the_repository_can_start_production():
    """Every secret-key-looking value in the tracked text files (.env.example, compose,
    Dockerfile, README, settings defaults, tests, CI) is refused by the production profile,
    so a key committed later fails here until the profile refuses it."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    found = {}
    for name in filter(None, listed):
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 1_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        for match in SECRET_KEY_VALUE.finditer(text):
            found.setdefault(next(v for v in match.groups() if v), name)
    assert _env_example_key() in found
    assert portal_settings.DEV_SECRET_KEY in found
    accepted = {
        key: name for key, name in found.items() if not portal_settings.secret_key_problem(key)
    }
    assert not accepted, accepted


def test_production_refuses_sqlite():
    result = run(["manage.py", "check"], **{**PROD, "DATABASE_URL": "sqlite:///x.db"})
    assert result.returncode != 0
    assert "real database" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = run(["manage.py", "check"], **{**PROD, "DJANGO_SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be at least 50 random characters" in result.stderr


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


@pytest.mark.parametrize("name", ["PORTAL_EXTRA_DAYS_OFF", "PORTAL_EXTRA_WORKING_DAYS"])
def test_a_retired_days_off_variable_stops_the_start_instead_of_being_lost(name):
    result = run(["manage.py", "check"], **{name: "2026-09-01"})
    assert result.returncode != 0
    assert name in result.stderr and "Announced days" in result.stderr
    assert run(["manage.py", "check"], **{name: ""}).returncode == 0
