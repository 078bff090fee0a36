#!/usr/bin/env python
"""Load benchmark of the API v1's public list endpoints (issue #14), beside ``/healthz`` in
the same run, built on bench/run.py's databases, server and load loop.

The endpoints are read from the API's own OpenAPI schema: every anonymous GET with no path
parameter and no required query parameter (provinces, sectors, and whichever of warnings,
legal documents, public results, complaint statistics… exist). For each, in ``--rounds``
interleaved rounds that start with ``/healthz``: a cache HIT (the same anonymous GET again
and again, answered from the shared page cache) and a cache MISS (a new ignored ``_b``
parameter on every request). Then the queries one request makes (a miss), on the database of
``--scale`` rows and on one of 10× fewer rows, and on the bigger one with the largest page
(``page_size=100``): the counts must not grow with the rows. It prints figures and ratios;
it asserts nothing.

    .venv/bin/python bench/api.py --scale 2000 --rounds 3 --duration 5
    .venv/bin/python bench/api.py --database dnvntd_bench --skip-generate \
        --small-database dnvntd_bench_tenth        # the full-scale databases of bench/run.py

Databases missing (or without ``--skip-generate``) are filled by bench/run.py's generators
(``--scale`` rows per target, the small one a tenth of that).
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import run  # noqa: E402 - after the path, as a script

PREFIX = "/api/v1"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=2000, help="rows per target generator")
    parser.add_argument("--database", default="dnvntd_bench_api")
    parser.add_argument("--small-database", default="dnvntd_bench_api_tenth")
    parser.add_argument("--skip-generate", action="store_true", help="reuse existing data")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8775)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--only", default="", help="comma-separated parts of endpoint paths")
    # Internal: count one database's queries in a process of its own (Django binds one
    # database per process), printing JSON.
    parser.add_argument("--count-queries", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def environment(args, database):
    env = run.environment(args, database)
    # Thousands of requests a second from one address: the API's limits would answer 429.
    env["API_RATE_ANONYMOUS"] = env["API_RATE_SIGNED_IN"] = "100000000/m"
    # Both databases share the benchmark's Redis: without a prefix of its own, one database's
    # cached figures would be read for the other's.
    env["CACHE_KEY_PREFIX"] = f"bench-{database}"
    return env


def database_exists(pg, database):
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        return found.fetchone() is not None


def prepare(args, database, scale):
    """The database filled by bench/run.py's generators (migrations, reference data, every
    target's rows), unless ``--skip-generate`` and it exists."""
    if args.skip_generate and database_exists(args.pg, database):
        return
    command = [sys.executable, str(ROOT / "bench" / "run.py"), "--database", database]
    command += ["--scale", str(scale), "--skip-load", "--no-counts", "--pg", args.pg]
    if args.skip_generate:
        command.append("--skip-generate")
    subprocess.run(command, cwd=ROOT, check=True)


def public_lists(schema, only=""):
    """``(path, takes page_size)`` of every anonymous GET without path parameters or required
    query parameters, and the others with why they are left out."""
    terms = [t.strip() for t in only.split(",") if t.strip()]
    chosen, skipped = [], []
    for path, operations in sorted(schema["paths"].items()):
        operation = operations.get("get")
        if operation is None or (terms and not any(t in path for t in terms)):
            continue
        parameters = operation.get("parameters", [])
        if operation.get("security"):
            skipped.append((path, "signed-in only"))
        elif any(p["in"] == "path" for p in parameters):
            skipped.append((path, "one object, not a list"))
        elif any(p.get("required") for p in parameters):
            skipped.append((path, "needs a query parameter"))
        else:
            chosen.append((path, any(p["name"] == "page_size" for p in parameters)))
    return chosen, skipped


def count_queries(only):
    """In this process's database: the schema's public lists and the queries of one request
    to each (a cache miss), at the default page and at the largest one."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from portal.api import MAX_PAGE_SIZE, api

    with translation.override("en"):
        schema = json.loads(json.dumps(api.get_openapi_schema(), default=str))
    chosen, skipped = public_lists(schema, only)
    client = Client()
    counts = {}
    for path, paged in chosen:
        row = {}
        for key, query in [("default", {}), ("largest", {"page_size": MAX_PAGE_SIZE})]:
            if key == "largest" and not paged:
                continue
            # The first request fills what the process and the data caches keep; the second,
            # with a new key as well, is the steady cost of a page-cache miss. Both are shown.
            seen = []
            for _attempt in range(2):
                address = {**query, "_b": secrets.token_hex(4)}  # never a cached page
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(path, address, HTTP_HOST="127.0.0.1")
                seen.append(len(ctx))
            row[key] = {"status": response.status_code, "first": seen[0], "queries": seen[1]}
            if key == "default" and response.status_code == 200:
                body = response.json()
                row["rows"] = body.get("count") if isinstance(body, dict) else len(body)
        counts[path] = row
    print(json.dumps({"chosen": chosen, "skipped": skipped, "counts": counts}))


def counts_of(args, database):
    command = [sys.executable, str(Path(__file__).resolve()), "--count-queries"]
    command += ["--only", args.only]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=environment(args, database),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def print_counts(big, small, args):
    print(f"\nQueries per request (page-cache miss): {args.database} / {args.small_database}")
    print("(first request of the process / steady; page 100: the largest page, steady)")
    print(
        f"{'endpoint':34} {'rows':>7} {'rows/10':>7} {'queries':>9} {'/10 rows':>9} "
        f"{'page 100':>8}  constant?"
    )
    for path, row in big["counts"].items():
        other = small["counts"].get(path, {})
        mine, theirs = row["default"], other.get("default", {})
        largest = row.get("largest", {}).get("queries")
        same = mine["queries"] == theirs.get("queries") and largest in (None, mine["queries"])
        statuses = {mine["status"], theirs.get("status")}
        note = "" if statuses == {200} else f" (status {sorted(s for s in statuses if s)})"
        print(
            f"{path:34} {fmt(row.get('rows')):>7} {fmt(other.get('rows')):>7} "
            f"{pair(mine):>9} {pair(theirs):>9} {fmt(largest):>8}  "
            f"{'yes' if same else 'NO'}{note}"
        )


def pair(counted):
    if not counted:
        return "–"
    return f"{counted['first']}/{counted['queries']}"


def fmt(value):
    return "–" if value is None else str(value)


def measure(args, paths):
    results = defaultdict(list)
    nonce = secrets.token_hex(3)
    for number in range(1, args.rounds + 1):
        base = run.hammer(args.port, "/healthz", args.duration, args.concurrency)
        base["ratio"] = 1.0
        results[("healthz", "/healthz")].append(base)
        run.header(f"Round {number} of {args.rounds} ({args.concurrency} clients)")
        run.line("/healthz", base)
        for path in paths:
            run.get(args.port, path)  # the first visitor fills the cache
            for kind, address in [
                ("hit", path),
                ("miss", run.Page(path, path).misses(f"{nonce}r{number}n")),
            ]:
                result = run.hammer(args.port, address, args.duration, args.concurrency)
                result["ratio"] = result["rps"] / base["rps"] if base["rps"] else float("nan")
                results[(kind, path)].append(result)
                run.line(f"{path} [{kind}]", result)
    return results


def print_table(args, paths, results):
    print(
        f"\n## API public lists (median of {args.rounds} rounds, {args.concurrency} clients, "
        f"{args.duration:g} s each, {args.workers} gunicorn workers, {args.database})\n"
    )
    base = run.summary(results[("healthz", "/healthz")])
    print("| endpoint | req/s | share of `/healthz` | p50 ms | p95 ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(f"| `/healthz` | {base['rps']:.0f} | 100 % | {base['p50']:.1f} | {base['p95']:.1f} | 0 |")
    for path in paths:
        for kind in ("hit", "miss"):
            cut = run.summary(results[(kind, path)])
            print(
                f"| `{path}` ({kind}) | {cut['rps']:.0f} | {run.share(cut['ratio'])} "
                f"| {cut['p50']:.1f} | {cut['p95']:.1f} | {cut['errors']} |"
            )


def main(argv=None):
    args = parse_args(argv)
    if args.count_queries:
        count_queries(args.only)
        return
    small_scale = max(args.scale // run.SMALL_FACTOR, 1)
    prepare(args, args.database, args.scale)
    prepare(args, args.small_database, small_scale)
    big = counts_of(args, args.database)
    small = counts_of(args, args.small_database)
    for path, why in big["skipped"]:
        print(f"not measured: {path} ({why})")
    print_counts(big, small, args)
    paths = [path for path, _paged in big["chosen"]]
    server = None
    try:
        server = run.start_server(environment(args, args.database), args.port, args.workers)
        results = measure(args, paths)
    finally:
        run.stop(server)
    print_table(args, paths, results)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
