#!/usr/bin/env python
"""Load benchmark of the public pages, in the production shape.

Creates (or reuses) a PostgreSQL database, fills it with generated data at the chosen
scale, starts gunicorn with the production profile, then for every URL of every target
measures requests per second and p95 latency under concurrent load, next to /healthz
measured in the same run as the baseline. Also prints the number of database queries each
page makes. It prints figures; it asserts nothing.

    .venv/bin/python bench/run.py --scale 10000 --duration 10 --concurrency 8
    .venv/bin/python bench/run.py --targets complaints --scale 1000000 --skip-load
    .venv/bin/python bench/run.py --targets complaints,selfassess,consumer_warnings,reports \
        --counts complaints=1000000,selfassess=100000,consumer_warnings=100000 --skip-load

Targets are modules in bench/targets/ defining ``generate(count, stdout)``, ``urls()`` →
[(label, path)] and optionally ``posts()`` → [(label, path, form_data)].
"""

import argparse
import http.client
import importlib
import os
import pkgutil
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10_000, help="rows per target generator")
    parser.add_argument("--targets", default="", help="comma-separated (default: all)")
    parser.add_argument(
        "--counts",
        default="",
        help="per-target rows, e.g. complaints=1000000,selfassess=100000 (overrides --scale)",
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per URL")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", default="dnvntd_bench")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the data")
    parser.add_argument("--skip-load", action="store_true", help="only generate and count")
    return parser.parse_args()


def environment(args):
    from bench.targets.complaints import BENCH_PERSONAL_DATA_ENV

    return {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{args.pg}/{args.database}",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "STATIC_ROOT": str(ROOT / "bench" / "out" / "static"),
        "PRIVATE_MEDIA_ROOT": str(ROOT / "bench" / "out" / "private"),
        "LOG_LEVEL": "WARNING",
        # The production profile needs a shared store (rate limits, cache) and mail that
        # is not lost: a Redis database of the benchmark's own, mail written to files.
        "REDIS_URL": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13"),
        "EMAIL_BACKEND": "bench.mailbox.EmailBackend",
        **BENCH_PERSONAL_DATA_ENV,
        "EMAIL_FILE_PATH": str(ROOT / "bench" / "out" / "mail"),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }


def ensure_database(args):
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (args.database,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{args.database}"')


def manage(env, *command):
    subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)


def load_targets(names):
    import bench.targets as package

    available = sorted(m.name for m in pkgutil.iter_modules(package.__path__))
    chosen = [n for n in names.split(",") if n] or available
    return [importlib.import_module(f"bench.targets.{name}") for name in chosen]


def count_queries(targets):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    print(f"\n{'page':40} {'status':>6} {'queries':>8}")
    for target in targets:
        for label, path in target.urls():
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path, HTTP_HOST="127.0.0.1")
            print(f"{label[:40]:40} {response.status_code:>6} {len(ctx):>8}")


def wait_for(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz in time")


def hammer(port, method, path, body, duration, concurrency):
    """Send requests for ``duration`` seconds from ``concurrency`` keep-alive clients;
    return (requests per second, p95 latency in ms, error count)."""
    latencies, errors = [], [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration
    headers = {"Host": "127.0.0.1"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"

    def csrf(conn):
        """A form POST needs the CSRF cookie and token a browser would get from the page."""
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("csrftoken="):
                token = value.split(";", 1)[0].split("=", 1)[1]
                return {"Cookie": f"csrftoken={token}"}, f"&csrfmiddlewaretoken={token}"
        return {}, ""

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local = []
        own_headers, own_body = dict(headers), body
        if method == "POST":
            extra, token = csrf(conn)
            own_headers.update(extra)
            own_body = (body or "") + token
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request(method, path, body=own_body, headers=own_headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400  # a refused POST (403) is not a success
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            local.append(time.perf_counter() - started)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    begin = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - begin
    if not latencies:
        return 0.0, float("nan"), errors[0]
    p95 = statistics.quantiles(latencies, n=20)[18] * 1000 if len(latencies) > 1 else 0
    return len(latencies) / elapsed, p95, errors[0]


def main():
    args = parse_args()
    env = environment(args)
    os.environ.update(env)
    ensure_database(args)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "compile_translations")
    manage(env, "load_reference_data")

    import django

    django.setup()
    targets = load_targets(args.targets)
    counts = dict(item.split("=", 1) for item in args.counts.split(",") if "=" in item)
    if not args.skip_generate:
        for target in targets:
            name = target.__name__.rsplit(".", 1)[1]
            count = int(counts.get(name, args.scale))
            started = time.perf_counter()
            target.generate(count, sys.stdout)
            took = time.perf_counter() - started
            print(f"generated {name}: {count} in {took:.1f}s")
    # After a bulk load PostgreSQL's planner statistics are stale until autovacuum catches
    # up; a production database has them, so measure with them.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    count_queries(targets)
    if args.skip_load:
        return

    from urllib.parse import urlencode

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_for(args.port)
        base_rps, base_p95, _ = hammer(
            args.port, "GET", "/healthz", None, args.duration, args.concurrency
        )
        print(f"\n{'url':48} {'req/s':>9} {'p95 ms':>9} {'errors':>7} {'vs /healthz':>12}")
        print(f"{'/healthz (baseline)':48} {base_rps:9.1f} {base_p95:9.1f} {0:7d} {1.0:12.2f}")
        for target in targets:
            runs = [("GET", label, path, None) for label, path in target.urls()]
            for label, path, data in getattr(target, "posts", list)():
                runs.append(("POST", label, path, urlencode(data, doseq=True)))
            for method, label, path, body in runs:
                rps, p95, errors = hammer(
                    args.port, method, path, body, args.duration, args.concurrency
                )
                ratio = rps / base_rps if base_rps else 0
                name = f"{method} {label}"[:48]
                print(f"{name:48} {rps:9.1f} {p95:9.1f} {errors:7d} {ratio:12.2f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
