"""Settings for the DNVNTD portal, read from environment variables.

Development defaults need nothing installed (SQLite, eager Celery, console e-mail).
``DJANGO_ENV=production`` refuses to start without its secrets and turns on every
protection that ``manage.py check --deploy`` looks for.
"""

import base64
import binascii
import hashlib
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")


def env_bool(name, default=False):
    """A yes/no variable; a typo (``flase``) stops the start instead of meaning "no"."""
    value = env(name)
    if value is None or not value.strip():
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value; use one of "
        + ", ".join(TRUE_WORDS + FALSE_WORDS)
        + " (case-insensitive)."
    )


def env_int(name, default):
    value = env(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
DATABASE_URL = env("DATABASE_URL")
REDIS_URL = env("REDIS_URL")
EMAIL_BACKEND = env("EMAIL_BACKEND")

# Public on purpose (development and tests only); the production profile refuses it.
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105
# Secret keys that are public because they are (or were) written in this repository: the
# .env.example placeholders, the development default, the old Dockerfile build key and test
# key. Kept in code rather than read from .env.example at start: a .env copied from an older
# .env.example still holds the old placeholder (git history keeps every one), and a check
# that depends on a documentation file being present weakens silently when it is not.
# tests/portal/test_settings.py scans the tracked files and fails on any key written there
# that this function does not refuse.
PUBLIC_SECRET_KEYS = frozenset(
    {
        DEV_SECRET_KEY,
        "change-me",
        "change-me-to-at-least-50-random-characters-xxxxxxxxxxxxxxxx",
        "build-only-key-build-only-key-build-only-key-000000",
        "k3J9x!Qz7wL2pV8rT5yN1mB6cF4hD0sG9aE3uI7oP2lK5jH8gZ",
    }
)
PLACEHOLDER_MARKERS = ("change-me", "changeme", "replace-me", "django-insecure", "build-only")
KEY_GENERATION_HINT = "generate one: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
# Backends that print, store or drop mail instead of delivering it: in production the
# tracking links, password-reset links and personal data would end in a log or nowhere.
UNDELIVERED_EMAIL_BACKENDS = (
    "django.core.mail.backends.console",
    "django.core.mail.backends.filebased",
    "django.core.mail.backends.locmem",
    "django.core.mail.backends.dummy",
)


def secret_key_problem(key):
    """Why ``key`` must not sign a production site, or None when it may."""
    if key.strip() in PUBLIC_SECRET_KEYS:
        return (
            "DJANGO_SECRET_KEY is a key published in this repository (the .env.example "
            f"placeholder or a development, build or test key); {KEY_GENERATION_HINT}"
        )
    lowered = key.lower()
    for marker in PLACEHOLDER_MARKERS:
        if marker in lowered:
            return f"DJANGO_SECRET_KEY looks like a placeholder ({marker!r}); {KEY_GENERATION_HINT}"
    if len(key) < 50 or len(set(key)) < 5:
        return f"DJANGO_SECRET_KEY must be at least 50 random characters; {KEY_GENERATION_HINT}"
    return None


if PRODUCTION:
    missing = [
        name
        for name, value in (
            ("DJANGO_SECRET_KEY", SECRET_KEY),
            ("DJANGO_ALLOWED_HOSTS", ALLOWED_HOSTS),
            ("DATABASE_URL", DATABASE_URL),
            ("REDIS_URL", REDIS_URL),
            ("EMAIL_BACKEND", EMAIL_BACKEND),
        )
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            "The production profile needs these environment variables: "
            + ", ".join(missing)
            + (
                " (REDIS_URL: rate limits, the cache and Celery need one store shared by"
                " every process)"
                if "REDIS_URL" in missing
                else ""
            )
            + (
                " (EMAIL_BACKEND: django.core.mail.backends.smtp.EmailBackend)"
                if "EMAIL_BACKEND" in missing
                else ""
            )
        )
    if DATABASE_URL.startswith("sqlite"):
        raise ImproperlyConfigured("The production profile needs a real database, not SQLite.")
    if problem := secret_key_problem(SECRET_KEY):
        raise ImproperlyConfigured(problem)
    if EMAIL_BACKEND.strip().rpartition(".")[0] in UNDELIVERED_EMAIL_BACKENDS:
        raise ImproperlyConfigured(
            f"EMAIL_BACKEND={EMAIL_BACKEND!r} does not deliver mail; the production profile "
            "needs a real backend (django.core.mail.backends.smtp.EmailBackend)."
        )
else:
    SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
    EMAIL_BACKEND = EMAIL_BACKEND or "django.core.mail.backends.console.EmailBackend"

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.headless",
    "ninja",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "csp",
    "portal",
    "complaints",
    "selfassess",
    "legaldocs",
    "consumer_warnings",
    "reports",
    "narratives",
]

MIDDLEWARE = [
    # First, so that /healthz answers without sessions, host checks or redirects.
    "portal.middleware.HealthCheckMiddleware",
    "portal.middleware.ClientIPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body: a body over MAX_REQUEST_BYTES is refused unread.
    "portal.uploads.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.inputs.RefuseUnstorableInputMiddleware",
    # Before sessions, templates and views: anonymous visitors of the public pages are
    # answered from the shared cache (portal.public_cache).
    "portal.public_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The API: language from Accept-Language, a person only by X-Session-Token.
    "portal.middleware.ApiRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.RememberLanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.PrivateResponsesMiddleware",
    "portal.middleware.StaffMFAMiddleware",
    "portal.middleware.DomainErrorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60" if PRODUCTION else "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (runserver threads, the live-server tests) wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "dnvntd"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions are rows in PostgreSQL read through the cache (Redis in production): shared by
# every web server, read without a query, and never lost when Redis evicts a key.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- Language, time --------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
# locale/ holds the portal's own strings (make messages); locale_vendor/ holds Vietnamese for
# third-party apps that ship none (django-allauth), maintained by hand.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.formats"]

# --- Static and private files ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded files are private: there is no MEDIA_URL, they are served only by views that
# check the same scope as the record they belong to.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private_media")))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
# Private files on S3-compatible object storage (portal.files.PrivateStorage), so that
# several web servers share them: used when PRIVATE_S3_BUCKET is set, else the local folder
# above. Keys may be left empty where the machine's role or environment provides them.
PRIVATE_S3 = {
    "bucket": env("PRIVATE_S3_BUCKET", ""),
    "endpoint_url": env("AWS_S3_ENDPOINT_URL", ""),
    "access_key": env("AWS_ACCESS_KEY_ID", ""),
    "secret_key": env("AWS_SECRET_ACCESS_KEY", ""),
    "region_name": env("AWS_S3_REGION_NAME", ""),
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# The most one request may send (portal.uploads.RequestSizeLimitMiddleware answers 413
# above it, before reading the body; gunicorn has no body limit of its own). The largest
# legitimate sending is one legal document of 30 MB (legaldocs.models.MAX_FILE_BYTES) with
# its form; the complaint step's files together must fit in it too.
MAX_REQUEST_BYTES = int(env("MAX_REQUEST_BYTES", str(32 * 1024 * 1024)))

# --- E-mail -----------------------------------------------------------------------------
# EMAIL_BACKEND is read at the top (the production profile refuses the non-delivering ones).
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "sent_emails"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Cổng DNVNTD <no-reply@dnvntd.gov.vn>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts (django-allauth) ---------------------------------------------------------
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[DNVNTD] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
# Sign-in requests: 30 a minute per address (allauth). allauth's "login_failed" limit is off
# ("" — its per-e-mail part locked the real owner out, and the second-factor step shares
# it): failed sign-ins are limited by portal.login_guard instead.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "",
    "signup": "10/m/ip",
}
# portal.login_guard: failed sign-ins (password or second-factor code) per client address
# (then 429 for that address only), progressive delays per (account, address) after the
# free ones (2, 4, 8 … s up to the cap), one e-mail a day to the owner past the alert count.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
LOGIN_ADDRESS_WINDOW_SECONDS = 15 * 60
LOGIN_FREE_FAILURES = 3
LOGIN_MAX_DELAY_SECONDS = 15 * 60
LOGIN_ALERT_FAILURES = 10
LOGIN_ALERT_WINDOW_SECONDS = 3600
MFA_FORMS = {
    "authenticate": "portal.adapters.MFAAuthenticateForm",
    "reauthenticate": "portal.adapters.MFAReauthenticateForm",
}
# The owner's warning task (portal.login_guard.warn_owner) lives outside a tasks.py.
CELERY_IMPORTS = ["portal.login_guard"]
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "DNVNTD"

# Sign-in for the programme's apps (allauth headless, /_allauth/app/v1/): the app sends the
# session token it gets there as X-Session-Token, to allauth and to the API (portal.api).
# The pages keep allauth's ordinary views; the specification is served at
# /_allauth/openapi.json and .html (read with the API's local ReDoc, no CDN).
HEADLESS_CLIENTS = ("app",)
HEADLESS_SERVE_SPECIFICATION = True
HEADLESS_SPECIFICATION_TEMPLATE_NAME = "api/allauth_spec.html"
# API rate limits (django-ninja's throttles, per client address or per signed-in person):
# "count/period", period s, m, h or d.
API_RATE_ANONYMOUS = env("API_RATE_ANONYMOUS", "120/m")
API_RATE_SIGNED_IN = env("API_RATE_SIGNED_IN", "300/m")

# Old versions are shown, never restored (see portal.admin_mixins.ReadOnlyHistoryMixin).
SIMPLE_HISTORY_REVERT_DISABLED = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Celery -----------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = False
# Time limits (seconds): the soft limit raises SoftTimeLimitExceeded inside the task so it
# can stop cleanly (job runs resume from their cursor); the hard limit kills the worker
# process. Every task gets the defaults; the long ones get more through the annotations,
# kept here so that the parts' tasks.py stay plain. tests/portal/test_celery_limits.py
# checks that every registered task ends with soft < hard.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
CELERY_LONG_TASK_SOFT_TIME_LIMIT = env_int("CELERY_LONG_TASK_SOFT_TIME_LIMIT", 900)
CELERY_LONG_TASK_TIME_LIMIT = env_int("CELERY_LONG_TASK_TIME_LIMIT", 1200)
for _soft, _hard in (
    ("CELERY_TASK_SOFT_TIME_LIMIT", "CELERY_TASK_TIME_LIMIT"),
    ("CELERY_LONG_TASK_SOFT_TIME_LIMIT", "CELERY_LONG_TASK_TIME_LIMIT"),
):
    if not 0 < globals()[_soft] < globals()[_hard]:
        raise ImproperlyConfigured(f"{_soft} must be positive and below {_hard}.")
# Glob patterns of task names that get the long limits: PDF rendering, fan-out e-mail and
# the daily/weekly jobs (portal.celery.PatternAnnotations applies them to every match).
CELERY_LONG_TASKS = [
    "portal.tasks.render_stored_pdf",
    "reports.tasks.run_reporting_calendar",
    "reports.tasks.send_unit_reminders",
    "reports.tasks.compile_national_report",
    "reports.tasks.publish_national_report",
    "consumer_warnings.tasks.send_alerts",
    "consumer_warnings.tasks.send_weekly_digest",
    "complaints.tasks.flag_*",
    "complaints.tasks.*erase*",
    "complaints.tasks.*purge*",
    "portal.tasks.purge_*",
]
CELERY_TASK_ANNOTATIONS = [
    "portal.celery.PatternAnnotations",
]
# The one beat schedule of the portal. Every job is idempotent (a database claim of its
# day, week or step), so a missed or doubled run is harmless. Beat keeps the schedule in
# memory (nothing written to disk); a daily job is offered every hour from its time to the
# end of the day, so a beat restarted across that time still runs it the same day, and the
# day's claim makes the later offers no-ops.
CELERY_BEAT_SCHEDULER = "celery.beat:Scheduler"


def _beat(task, **when):
    return {"task": task, "schedule": crontab(**when)}


def _daily(task, hour, minute):
    """``task`` from ``hour``:``minute`` every hour until midnight (see above)."""
    return _beat(task, hour=f"{hour}-23", minute=minute)


CELERY_BEAT_SCHEDULE = {
    "complaints-flag-overdue": _daily("complaints.tasks.flag_overdue_steps", 7, 0),
    "complaints-purge-drafts": _daily("complaints.tasks.purge_abandoned_drafts", 7, 10),
    "complaints-erase-expired": _daily("complaints.tasks.erase_expired_personal_data", 7, 20),
    "warnings-weekly-digest": _beat(
        "consumer_warnings.tasks.send_weekly_digest", hour="8-23", minute=0, day_of_week="mon"
    ),
    # Opens the year on 1/11, reminds on 8/11 and 13/11, locks and compiles on 15/11,
    # reminds the authority on 1/12, publishes before 15/12: each step once.
    "reports-daily-calendar": _daily("reports.tasks.run_reporting_calendar", 0, 0),
    "portal-purge-expired": _daily("portal.tasks.purge_expired_records", 2, 30),
    # Expired sessions hold abandoned filing drafts (names, phone numbers).
    "portal-clear-sessions": _daily("portal.tasks.clear_expired_sessions", 2, 45),
    # Requests to join or register beyond a few an hour wait for this digest.
    "portal-request-digests": _beat("portal.tasks.send_request_digests", minute=5),
}
# The shared cache of public pages: its hot pages are rendered again in the background after
# each change (portal.public_cache), and every four minutes for the figures that change with
# time. Only worth it with a cache the worker shares with the web servers (Redis).
PUBLIC_CACHE_REBUILD = env_bool("PUBLIC_CACHE_REBUILD", bool(REDIS_URL))
CELERY_BEAT_SCHEDULE["portal-public-pages"] = _beat(
    "portal.tasks.rebuild_public_pages", minute="*/4"
)
# Warnings: the addresses of unconfirmed and ended alert subscriptions go daily, on the day
# the sign-up form says (consumer_warnings.services.purge_subscriptions).
CELERY_BEAT_SCHEDULE["warnings-purge-subscriptions"] = _daily(
    "consumer_warnings.tasks.purge_subscriptions", 2, 50
)

# --- Portal ------------------------------------------------------------------------------
PORTAL_HOTLINE = "1800 6838"
# Announced days off were once read from these variables; they are data now (the back
# office's "Announced days", with the decision that announced them). A deployment that still
# sets them must record them there rather than lose them silently.
for _retired in ("PORTAL_EXTRA_DAYS_OFF", "PORTAL_EXTRA_WORKING_DAYS"):
    if os.environ.get(_retired, "").strip():
        raise ImproperlyConfigured(
            f"{_retired} is no longer read: record these days in the back office "
            "(Announced days, with the decision that announced them), then unset it."
        )
# Complaint filing: at most COUNT filings per client address in SECONDS; personal data of
# closed complaints is erased after RETENTION_YEARS.
COMPLAINTS_FILING_RATE = (
    int(env("COMPLAINTS_FILING_RATE_COUNT", "10")),
    int(env("COMPLAINTS_FILING_RATE_SECONDS", "3600")),
)
COMPLAINTS_RETENTION_YEARS = int(env("COMPLAINTS_RETENTION_YEARS", "5"))
# Days after the result in which a consumer who is not satisfied may ask to look again.
COMPLAINTS_REOPEN_DAYS = int(env("COMPLAINTS_REOPEN_DAYS", "30"))
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (0: none, the
# connection's address is the client's).
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
# Whether province officers may publish warnings for their own province.
WARNINGS_PROVINCE_PUBLISHING = env_bool("WARNINGS_PROVINCE_PUBLISHING", True)

# --- Personal data at rest (portal/crypto.py) -------------------------------------------
# PERSONAL_DATA_KEYS: comma-separated Fernet keys; the first encrypts the complainants'
# contact data, every one decrypts (rotation: put a new key first, run
# `manage.py rotate_personal_data_keys`, then drop the old key). PERSONAL_DATA_HASH_KEY: a
# separate key of the same form for the keyed hashes that find a complaint by phone or
# e-mail; PERSONAL_DATA_OLD_HASH_KEYS: hash keys still matched while the command rehashes.
# Development and tests derive fixed keys from the public development secret, so that
# `make run` needs nothing; the production profile refuses them.
PERSONAL_DATA_KEY_HINT = (
    "generate one: python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'"
)


def dev_personal_data_key(purpose):
    digest = hashlib.sha256(f"{purpose}:{DEV_SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def is_fernet_key(key):
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32
    except (binascii.Error, ValueError):
        return False


DEV_PERSONAL_DATA_KEYS = frozenset(
    dev_personal_data_key(purpose) for purpose in ("personal-data-keys", "personal-data-hash")
)
PERSONAL_DATA_KEYS = env_list("PERSONAL_DATA_KEYS")
PERSONAL_DATA_HASH_KEY = env("PERSONAL_DATA_HASH_KEY")
PERSONAL_DATA_OLD_HASH_KEYS = env_list("PERSONAL_DATA_OLD_HASH_KEYS")
if PRODUCTION:
    missing = [
        name
        for name, value in (
            ("PERSONAL_DATA_KEYS", PERSONAL_DATA_KEYS),
            ("PERSONAL_DATA_HASH_KEY", PERSONAL_DATA_HASH_KEY),
        )
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            "The production profile needs these environment variables: "
            + ", ".join(missing)
            + f" (the complainants' contact data is encrypted with them; {PERSONAL_DATA_KEY_HINT})"
        )
    if DEV_PERSONAL_DATA_KEYS & {*PERSONAL_DATA_KEYS, PERSONAL_DATA_HASH_KEY}:
        raise ImproperlyConfigured(
            "PERSONAL_DATA_KEYS or PERSONAL_DATA_HASH_KEY is the development key, derived from "
            f"a key published in this repository; {PERSONAL_DATA_KEY_HINT}"
        )
else:
    PERSONAL_DATA_KEYS = PERSONAL_DATA_KEYS or [dev_personal_data_key("personal-data-keys")]
    PERSONAL_DATA_HASH_KEY = PERSONAL_DATA_HASH_KEY or dev_personal_data_key("personal-data-hash")
for _name, _keys in (
    ("PERSONAL_DATA_KEYS", PERSONAL_DATA_KEYS),
    ("PERSONAL_DATA_HASH_KEY", [PERSONAL_DATA_HASH_KEY]),
    ("PERSONAL_DATA_OLD_HASH_KEYS", PERSONAL_DATA_OLD_HASH_KEYS),
):
    for _position, _key in enumerate(_keys, 1):
        if not is_fernet_key(_key):
            raise ImproperlyConfigured(
                f"{_name} holds a malformed key (number {_position}): each key must be 32 "
                f"bytes in URL-safe base64, 44 characters; {PERSONAL_DATA_KEY_HINT}"
            )
if PERSONAL_DATA_HASH_KEY in PERSONAL_DATA_KEYS:
    raise ImproperlyConfigured(
        "PERSONAL_DATA_HASH_KEY must differ from every key in PERSONAL_DATA_KEYS."
    )

# --- Security --------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Inline style attributes (progress bars, allauth's QR code) are allowed; scripts
        # are not.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.security.DisallowedHost": {"level": "ERROR"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}

ADMIN_SITE_HEADER = _("DNVNTD back office")
