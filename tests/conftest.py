"""Shared fixtures: reference data, one user per role, MFA helpers.

Role fixtures (all with verified e-mail; officers with TOTP set up):
``ministry_officer``, ``province_officer`` (Hà Nội, code 01), ``other_province_officer``
(Hồ Chí Minh, 79), ``business_member`` (owner of ``business`` in Hà Nội),
``other_business_member`` (owner of ``other_business`` in Hồ Chí Minh), ``consumer``.
``login(client, user)`` signs a test client in (with the MFA stage passed).
"""

import datetime
import os
from urllib.parse import urlsplit, urlunsplit

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings

from portal import services
from portal.models import Agency, Membership, Province
from portal.roles import forget_actor

from .factories import BusinessFactory, UserFactory

TOTP_SECRET = "JBSWY3DPEHPK3PXPTESTSECRETTWOAAA"

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)")


# The whole suite runs at one instant (DESIGN: no test may depend on the day it runs):
# DNVNTD_TEST_CLOCK, an ISO date-time with its offset; CI runs the suite at two of them.
DEFAULT_TEST_CLOCK = "2027-03-10T09:30:00+07:00"


def test_clock():
    value = os.environ.get("DNVNTD_TEST_CLOCK", "").strip() or DEFAULT_TEST_CLOCK
    try:
        instant = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"DNVNTD_TEST_CLOCK={value!r} is not an ISO date-time") from None
    if instant.tzinfo is None:
        raise pytest.UsageError(f"DNVNTD_TEST_CLOCK={value!r} needs an offset, e.g. +07:00")
    return instant


TEST_CLOCK = test_clock()
test_clock.__test__ = False


def pytest_report_header(config):
    return f"clock: {TEST_CLOCK.isoformat()} (DNVNTD_TEST_CLOCK), ticking"


@pytest.fixture(scope="session", autouse=True)
def _frozen_clock_for_the_session():
    """Session fixtures (the test database's reference data) see the same clock."""
    with time_machine.travel(TEST_CLOCK, tick=True):
        yield


@pytest.fixture(autouse=True)
def _frozen_clock(_frozen_clock_for_the_session):
    """Every test starts at TEST_CLOCK; time then moves on (tick=True) so that timeouts,
    rate-limit windows and the live server behave. A test may travel further itself
    (``time_machine.travel`` nests). Not frozen: the browser's JavaScript clock,
    PostgreSQL's now() and subprocesses."""
    with time_machine.travel(TEST_CLOCK, tick=True):
        yield


@pytest.fixture(scope="session", autouse=True)
def _suite_settings(tmp_path_factory):
    """Process-wide settings for the suite, so that the live server of the browser tests (a
    thread) has them too. Hashing with PBKDF2 is most of the cost of creating users; MD5
    is enough in tests. STATIC_ROOT exists (empty), so WhiteNoise does not warn."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STATIC_ROOT=tmp_path_factory.mktemp("staticfiles"),
        CACHES=worker_caches(),
    ):
        yield


def worker_caches():
    """With pytest-xdist and Redis, each worker gets its own Redis database (the ones below
    REDIS_URL's): every test starts with cache.clear(), which empties the whole database,
    so none may be REDIS_URL's own, where Celery's broker keeps the worker test's task."""
    from django.conf import settings

    caches = settings.CACHES
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    location = caches["default"].get("LOCATION")
    if not (worker.startswith("gw") and "RedisCache" in caches["default"]["BACKEND"]):
        return caches
    url = urlsplit(location)
    number = int(url.path.strip("/") or 0) - int(worker[2:]) - 1
    if number < 0:
        raise pytest.UsageError(f"not enough Redis databases below {location} for {worker}")
    location = urlunsplit(url._replace(path=f"/{number}"))
    return {**caches, "default": {**caches["default"], "LOCATION": location}}


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.postgres`` alone is enough: such tests skip on SQLite (CI runs them)."""
    for item in items:
        if not ON_POSTGRES and item.get_closest_marker("postgres"):
            item.add_marker(postgres_only)


@pytest.fixture(autouse=True)
def _eager_celery(settings, tmp_path):
    """Tasks run in-process in tests; only the worker test talks to a real broker.
    Private files go to a temporary folder."""
    from portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _vietnamese_by_default(settings):
    """A request to /en/… leaves English active in the test thread; start every test in the
    site's default language so URLs and messages do not depend on test order."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits live in the cache: start every test with a clean one."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _close_downloads(monkeypatch):
    """A web server closes every download after sending it; the test client closes only
    the ones a test reads to the end. Close the rest when the test ends."""
    from django.http import FileResponse

    opened = []
    original = FileResponse._set_streaming_content

    def tracking(response, value):
        opened.append(response)
        return original(response, value)

    monkeypatch.setattr(FileResponse, "_set_streaming_content", tracking)
    yield
    for response in opened:
        # The files only: response.close() would also signal the end of a request, which
        # touches the database after the test's own teardown.
        for closer in response._resource_closers:
            closer()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data (provinces, agencies, sectors) is loaded once per test database."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", "--portal-only", verbosity=0)
    yield
    if connection.vendor == "postgresql":
        # A live server's request thread may still be closing its connection when the last
        # test ends; PostgreSQL then refuses to drop the test database. End such sessions.
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def reference_data(db):
    """The portal's reference data; reloaded when a transactional test flushed it."""
    if not Province.objects.filter(code="01").exists():
        call_command("load_reference_data", "--portal-only", verbosity=0)


@pytest.fixture
def provinces(reference_data):
    return {p.code: p for p in Province.objects.current()}


@pytest.fixture
def hanoi(provinces):
    return provinces["01"]


@pytest.fixture
def hcm(provinces):
    return provinces["79"]


def enable_mfa(user, secret=TOTP_SECRET):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
    return user


def totp_now(secret=TOTP_SECRET):
    from portal.management.commands.totp_code import current_code

    return current_code(secret)


def make_officer(agency, email, mfa=True):
    user = UserFactory(email=email)
    services.add_agency_member(user=user, agency=agency)
    user.refresh_from_db()
    forget_actor(user)
    if mfa:
        enable_mfa(user)
    return user


@pytest.fixture
def ministry_officer(reference_data):
    return make_officer(Agency.objects.get(code="ubctqg"), "canbo.bo@example.vn")


@pytest.fixture
def ministry_unit_officer(reference_data):
    """A member of a ministry unit that is not the authority (Cục Hóa chất): no complaints."""
    return make_officer(Agency.objects.get(code="cuc-hoa-chat"), "canbo.hoachat@example.vn")


@pytest.fixture
def association_member(reference_data):
    """A member of VINASTAS, a consumer association (Luật 19/2023 Điều 57 k3)."""
    return make_officer(Agency.objects.get(code="vinastas"), "hoi.vinastas@example.vn")


@pytest.fixture
def province_officer(hanoi):
    agency = Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=hanoi)
    return make_officer(agency, "canbo.hanoi@example.vn")


@pytest.fixture
def other_province_officer(hcm):
    agency = Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=hcm)
    return make_officer(agency, "canbo.hcm@example.vn")


@pytest.fixture
def business(hanoi):
    return BusinessFactory(
        tax_code="0101000013", name="Công ty Cổ phần Bình An Hà Nội", province=hanoi
    )


@pytest.fixture
def other_business(hcm):
    return BusinessFactory(tax_code="0301000028", name="Công ty TNHH Sài Gòn Đỏ", province=hcm)


def make_member(business, email, status=Membership.Status.APPROVED, role=Membership.Role.OWNER):
    user = UserFactory(email=email)
    Membership.objects.create(user=user, business=business, role=role, status=status)
    forget_actor(user)
    return user


@pytest.fixture
def business_member(business):
    return make_member(business, "thanhvien@binhan.example.vn")


@pytest.fixture
def other_business_member(other_business):
    return make_member(other_business, "thanhvien@saigondo.example.vn")


@pytest.fixture
def consumer(reference_data):
    return UserFactory(email="nguoitieudung@example.vn")


def login(client, user):
    """Sign ``client`` in as ``user``, as if the MFA stage had been passed."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Use as ``with run_on_commit(): ...`` to run after-commit dispatches (Celery tasks)
    inside a test transaction."""

    def runner():
        return django_capture_on_commit_callbacks(execute=True)

    return runner


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"
