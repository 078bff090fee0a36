#!/usr/bin/env python
"""The API contract in CI (issue #14): the committed schema is current and valid OpenAPI, and
a property-based run of schemathesis against the live schema finds no 5xx and no answer that
breaks the schema.

One fresh PostgreSQL database (``$CI_DB_NAME`` + ``_api``) with the reference and demo data,
gunicorn serving the production WSGI app with CI's settings (rate limits raised so that they
cannot hide a bug; 429 is documented all the same), app session tokens for the demo consumer
and the demo business member got by signing in through ``/_allauth/app/v1/auth/login``, then
schemathesis three times over ``/api/v1/openapi.json``: anonymous (the public endpoints; the
others must answer 401, as documented), as the consumer, as the business member. It prints
the cases run per run and in all, exits non-zero on any failure, and always stops gunicorn
and drops its database.

    .venv/bin/python .ci/api_contract.py            # called by .ci/run after the test suite

Environment: ``CI_DB_NAME``, ``REDIS_URL`` as in .ci/run; ``API_CONTRACT_EXAMPLES`` (cases
per operation and phase, default 10), ``API_CONTRACT_SEED`` (default 2026),
``API_CONTRACT_PORT`` (default: a free one).
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SCHEMATHESIS = str(ROOT / ".venv" / "bin" / "schemathesis")
PG = os.environ.get("API_CONTRACT_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("CI_DB_NAME", "dnvntd_ci") + "_api"
EXAMPLES = os.environ.get("API_CONTRACT_EXAMPLES", "10")
SEED = os.environ.get("API_CONTRACT_SEED", "2026")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "response_schema_conformance",
        "status_code_conformance",
        "content_type_conformance",
    ]
)
# The demo logins (portal/management/commands/load_demo_data.py).
DEMO_PASSWORD = "DemoDnvntd@2026"  # noqa: S105 - the published demo password
ROLES = [
    ("anonymous", None),
    ("consumer", "nguoitieudung@demo.dnvntd.vn"),
    ("business", "dn@demo.dnvntd.vn"),
]


def environment():
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        # CI's profile, but errors answered as in production (no debug pages).
        "DJANGO_DEBUG": "false",
        "CACHE_KEY_PREFIX": f"{DATABASE}-{os.getpid()}",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        # Thousands of refused generated requests would each log a warning: keep errors.
        "LOG_LEVEL": "ERROR",
        # Limits high enough that thousands of generated requests from one address are
        # all checked against the schema instead of being refused.
        "API_RATE_ANONYMOUS": "1000000/m",
        "API_RATE_SIGNED_IN": "1000000/m",
        "COMPLAINTS_FILING_RATE_COUNT": "1000000",
    }
    env.pop("DNVNTD_TEST_CLOCK", None)
    return env


def psql(sql):
    subprocess.run(
        ["psql", f"{PG}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def manage(env, *command):
    subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(base, path, body=None, headers=None, timeout=30):
    """(status, body) of a GET, or of a JSON POST when ``body`` is given."""
    conn = http.client.HTTPConnection(urlsplit(base).netloc, timeout=timeout)
    sent = {"Content-Type": "application/json", **(headers or {})}
    data = json.dumps(body) if body is not None else None
    try:
        conn.request("POST" if data else "GET", path, body=data, headers=sent)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_for(base, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if request(base, "/healthz", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {base}/healthz in {timeout} s")


def sign_in(base, email):
    """An app's session token, got the way an app gets it."""
    status, body = request(
        base, "/_allauth/app/v1/auth/login", {"email": email, "password": DEMO_PASSWORD}
    )
    payload = json.loads(body or b"{}")
    token = payload.get("meta", {}).get("session_token")
    if status != 200 or not token:
        raise SystemExit(f"signing {email} in answered {status}: {body[:300]!r}")
    # The token must work on the API itself, or every signed-in case would test nothing.
    status, body = request(base, "/api/v1/me", headers={"X-Session-Token": token})
    if status != 200:
        raise SystemExit(f"/api/v1/me with {email}'s token answered {status}: {body[:300]!r}")
    return token


def run_schemathesis(base, role, token, reports):
    report = reports / f"{role}.json"
    command = [
        SCHEMATHESIS,
        "run",
        f"{base}/api/v1/openapi.json",
        "--url",
        base,
        "--checks",
        CHECKS,
        "--max-examples",
        EXAMPLES,
        "--seed",
        SEED,
        "--workers",
        "2",
        "--request-timeout",
        "30",
        "--no-color",
        "--suppress-health-check",
        "too_slow,filter_too_much",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "-H",
        "Accept-Language: en",
    ]
    if token:
        command += ["-H", f"X-Session-Token: {token}"]
    print(f"\n=== schemathesis as {role} ===", flush=True)
    started = time.monotonic()
    # In the run's own folder: schemathesis keeps a .schemathesis/ cache where it runs.
    result = subprocess.run(command, cwd=reports)
    seconds = time.monotonic() - started
    return result.returncode, cases_of(report), seconds


def cases_of(report):
    """The number of test cases (requests) schemathesis ran, from its JSON report."""
    if not report.exists():
        return None
    cases = json.loads(report.read_text()).get("test_cases", {}).get("generated")
    return cases if isinstance(cases, int) else None


def main():
    env = environment()
    reports = Path(tempfile.mkdtemp(prefix="api-contract-"))
    server = None
    failed = False

    def interrupted(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    try:
        print("=== the committed API schema is current and valid ===", flush=True)
        manage(env, "api_schema", "--check")
        for name in ("openapi-v1.json", "allauth-headless.json"):
            subprocess.run(
                [PYTHON, "-m", "openapi_spec_validator", str(ROOT / "docs" / "api" / name)],
                check=True,
            )

        psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        psql(f'CREATE DATABASE "{DATABASE}"')
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_reference_data")
        manage(env, "load_demo_data")

        port = int(os.environ.get("API_CONTRACT_PORT") or free_port())
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "2", "--timeout", "60", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        wait_for(base)
        tokens = {role: sign_in(base, email) if email else None for role, email in ROLES}

        results = []
        for role, _email in ROLES:
            code, cases, seconds = run_schemathesis(base, role, tokens[role], reports)
            results.append((role, code, cases, seconds))
            failed = failed or code != 0

        print("\n=== API contract: schemathesis cases ===")
        total = 0
        for role, code, cases, seconds in results:
            verdict = "ok" if code == 0 else f"FAILED (exit {code})"
            shown = "?" if cases is None else str(cases)
            print(f"  {role:10} {shown:>6} cases  {seconds:6.1f} s  {verdict}")
            total += cases or 0
        print(f"  {'total':10} {total:>6} cases")
        if any(cases is None for _r, _c, cases, _s in results):
            print("  (a run's case count was missing from its report)")
            failed = True
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        try:
            psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        except subprocess.CalledProcessError:
            print(f"could not drop {DATABASE}", file=sys.stderr)
        shutil.rmtree(reports, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
