#!/usr/bin/env python
"""Load benchmark of the public pages in the production shape, each figure beside its goal
from issue #13.

One run: creates (or reuses) a PostgreSQL database filled by the targets' generators, starts
gunicorn with the production profile and then, in ``--rounds`` interleaved rounds, measures
``/healthz`` followed by every public page twice: as a cache HIT (the same anonymous GET
again and again) and as a cache MISS (a new key every request: a unique ignored ``_b``
parameter, and a new search word where the page is a word search). Every ratio is to the
``/healthz`` of the same round. With ``--small-database`` a second, 10×-smaller database is
measured in the same rounds for the throughput fall as data grows. Then the report figures
against one psql GROUP BY, 200 parallel filings (``bench.filing``), and django-helpdesk 2.6.1
side by side (``bench/peers/helpdesk``). It ends with Markdown tables for the README. It
prints figures; it asserts nothing.

    .venv/bin/python bench/run.py --database dnvntd_bench --skip-generate \
        --counts complaints=1000000,legaldocs=100000,consumer_warnings=100000,selfassess=100000 \
        --small-database dnvntd_bench_tenth     # filled with a tenth of --counts if missing
    .venv/bin/python bench/run.py --database dnvntd_bench_small --scale 2000 \
        --rounds 1 --duration 2 --only "warnings,library: first,helpdesk"

Targets are modules in bench/targets/ defining ``generate(count, stdout)``, ``urls()`` →
[(label, path)] and optionally ``SEARCH_WORDS`` (real words for cache misses) and
``WORD_SEARCHES`` (labels whose ``q`` takes a new word on each miss).
"""

import argparse
import http.client
import importlib
import itertools
import os
import pkgutil
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Issue #13's goals.
HIT_SHARE = 0.30
MISS_SHARE = 0.05
MISS_P95_MS = 100
FALL_MAX = 0.20
REPORTS_MAX = 5.0
STEP_P95_MS = 300
FILING_P95_MS = 2000
PEER_MIN = 2.0
SMALL_FACTOR = 10


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10_000, help="rows per target generator")
    parser.add_argument("--targets", default="", help="comma-separated (default: all)")
    parser.add_argument(
        "--counts",
        default="",
        help="per-target rows, e.g. complaints=1000000,selfassess=100000 (overrides --scale)",
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (and peer's)")
    parser.add_argument("--port", type=int, default=8765, help="ours; +1 small, +2 helpdesk")
    parser.add_argument("--database", default="dnvntd_bench")
    parser.add_argument(
        "--small-database",
        default="",
        help="also measure this database, filled with 10× fewer rows, for the fall with scale",
    )
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated parts of page labels or sections (reports, filing, helpdesk, "
        "tracking detail) to measure; /healthz always is",
    )
    parser.add_argument("--skip-generate", action="store_true", help="reuse the data")
    parser.add_argument("--skip-load", action="store_true", help="only generate and count")
    parser.add_argument("--no-counts", action="store_true", help="skip the query counts")
    parser.add_argument("--filings", type=int, default=200)
    parser.add_argument("--filing-concurrency", type=int, default=16)
    parser.add_argument("--peer-tickets", type=int, default=100_000)
    return parser.parse_args(argv)


def environment(args, database):
    from bench.targets.complaints import BENCH_PERSONAL_DATA_ENV

    return {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{args.pg}/{database}",
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
        # 200 filings come from one address; the production limit is 10 an hour.
        "COMPLAINTS_FILING_RATE_COUNT": "100000",
    }


def ensure_database(pg, database):
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        if not exists.fetchone():
            conn.execute(f'CREATE DATABASE "{database}"')


def manage(env, *command):
    subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)


def load_targets(names):
    import bench.targets as package

    available = sorted(m.name for m in pkgutil.iter_modules(package.__path__))
    chosen = [n for n in names.split(",") if n] or available
    return [importlib.import_module(f"bench.targets.{name}") for name in chosen]


def selected(args, name):
    terms = [t.strip().lower() for t in args.only.split(",") if t.strip()]
    return not terms or any(term in name.lower() for term in terms)


# --- Pages ------------------------------------------------------------------------------------


class Page:
    """One public page: its fixed address for cache hits and a new address per request for
    misses."""

    def __init__(self, label, path, words=(), word_search=False):
        self.label, self.path = label, path
        self.words = list(words) if word_search else []

    def misses(self, nonce):
        """A function returning a new, never-asked address at each call (thread-safe)."""
        split = urlsplit(self.path)
        query = parse_qsl(split.query, keep_blank_values=True)
        counter = itertools.count()
        lock = threading.Lock()

        def next_path():
            with lock:
                n = next(counter)
            pairs = list(query)
            if self.words:
                word = self.words[n % len(self.words)]
                pairs = [("q", word) if key == "q" else (key, v) for key, v in pairs]
            pairs.append(("_b", f"{nonce}{n}"))
            return f"{split.path}?{urlencode(pairs)}"

        return next_path


def pages_of(targets, args):
    pages = []
    for target in targets:
        words = getattr(target, "SEARCH_WORDS", ())
        searches = getattr(target, "WORD_SEARCHES", set())
        for label, path in target.urls():
            if selected(args, label):
                pages.append(Page(label, path, words, label in searches))
    return pages


def count_queries(pages):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    print(f"\n{'page':40} {'status':>6} {'queries':>8}")
    for page in pages:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page.path, HTTP_HOST="127.0.0.1")
        print(f"{page.label[:40]:40} {response.status_code:>6} {len(ctx):>8}")


# --- Load -------------------------------------------------------------------------------------


def get(port, path, headers=None, method="GET", body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
    response = conn.getresponse()
    content = response.read()
    conn.close()
    return response, content


def wait_for(port, path="/healthz", timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if get(port, path)[0].status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server on port {port} did not answer {path} in time")


def hammer(port, path, duration, concurrency, headers=None):
    """GET ``path`` (a string, or a function giving the next address) for ``duration``
    seconds from ``concurrency`` clients. Returns req/s, p50 and p95 in ms, errors."""
    next_path = path if callable(path) else (lambda: path)
    latencies, errors = [], [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration
    own = {"Host": "127.0.0.1", **(headers or {})}

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local, failed = [], 0
        while time.monotonic() < stop_at:
            address = next_path()
            started = time.perf_counter()
            try:
                conn.request("GET", address, headers=own)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                ok = False
            local.append(time.perf_counter() - started)
            failed += not ok
        conn.close()
        with lock:
            latencies.extend(local)
            errors[0] += failed

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    begin = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - begin
    result = {"rps": 0.0, "p50": float("nan"), "p95": float("nan"), "errors": errors[0]}
    if latencies:
        ms = sorted(s * 1000 for s in latencies)
        result["rps"] = len(ms) / elapsed
        result["p50"] = statistics.median(ms)
        result["p95"] = statistics.quantiles(ms, n=20)[18] if len(ms) > 1 else ms[0]
    return result


def start_server(env, port, workers):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    wait_for(port)
    return process


def stop(process):
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def tracking_session(port, code, contact):
    """Look a complaint up as its complainant does; returns (detail path, cookie header)."""
    response, body = get(port, "/khieu-nai/tra-cuu/")
    cookies = {}

    def keep(response):
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                cookies[name] = rest.split(";", 1)[0]

    keep(response)
    token = TOKEN_RE.search(body.decode()).group(1)
    form = urlencode({"code": code, "contact": contact, "csrfmiddlewaretoken": token})
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    response, _body = get(port, "/khieu-nai/tra-cuu/", headers, "POST", form)
    keep(response)
    location = response.getheader("Location") or ""
    if response.status != 302 or "/tra-cuu/KN-" not in location:
        raise RuntimeError(f"tracking lookup answered {response.status} {location!r}")
    return urlsplit(location).path, {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}


# --- Figures ----------------------------------------------------------------------------------


def share(value):
    return f"{value * 100:.1f} %" if value == value else "–"


def median(values):
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def summary(runs):
    """The median over rounds of each figure."""
    return {key: median([r[key] for r in runs]) for key in ("rps", "p50", "p95", "ratio")} | {
        "errors": sum(r["errors"] for r in runs)
    }


def line(name, result, note=""):
    print(
        f"{name[:58]:58} {result['rps']:9.1f} {result['p50']:8.1f} {result['p95']:8.1f} "
        f"{result.get('ratio', float('nan')) * 100:8.2f} % {result['errors']:6d}  {note}"
    )


def header(title):
    print(f"\n{title}")
    print(f"{'page':58} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'/healthz':>10} {'errors':>6}")


def verdict(ok, why=""):
    return ("yes" if ok else "no") + (f" ({why})" if why else "")


def main(argv=None):
    args = parse_args(argv)
    env = environment(args, args.database)
    os.environ.update(env)
    ensure_database(args.pg, args.database)
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
            if name == "reports":
                continue  # it generates nothing: it times the figures, below
            count = int(counts.get(name, args.scale))
            started = time.perf_counter()
            target.generate(count, sys.stdout)
            print(f"generated {name}: {count} in {time.perf_counter() - started:.1f}s")
    # After a bulk load PostgreSQL's planner statistics are stale until autovacuum catches
    # up; a production database has them, so measure with them.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    pages = pages_of(targets, args)
    if not args.no_counts:
        count_queries(pages)
    if args.skip_load:
        return

    if args.small_database:
        prepare_small(args, counts)
    figures = {}
    names = {t.__name__.rsplit(".", 1)[1] for t in targets}
    if "reports" in names and selected(args, "reports"):
        figures["reports"] = measure_reports()

    servers = []
    try:
        servers.append(start_server(env, args.port, args.workers))
        small_port = peer_port = None
        if args.small_database:
            small_port = args.port + 1
            servers.append(
                start_server(environment(args, args.small_database), small_port, args.workers)
            )
        peer = {}
        if selected(args, "helpdesk"):
            from bench.peers.helpdesk import setup as helpdesk

            peer_port = args.port + 2
            process, peer = helpdesk.start(args.pg, peer_port, args.workers, args.peer_tickets)
            servers.append(process)
        results = measure_rounds(args, pages, small_port, peer_port, peer)
        if "complaints" in names and selected(args, "filing"):
            figures["filing"] = measure_filing(args)
    finally:
        for process in servers:
            stop(process)
    print_tables(args, pages, results, figures)


def prepare_small(args, counts):
    """Fill the small database with 10× fewer rows of every target (``--counts`` or
    ``--scale`` divided by 10), in its own process. With ``--skip-generate`` a database that
    exists is reused as it is."""
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (args.small_database,)
        ).fetchone()
    if args.skip_generate and found:
        return
    small_counts = ",".join(
        f"{name}={max(int(count) // SMALL_FACTOR, 1)}" for name, count in counts.items()
    )
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--database",
        args.small_database,
        "--scale",
        str(max(args.scale // SMALL_FACTOR, 1)),
        "--skip-load",
        "--no-counts",
        "--pg",
        args.pg,
    ]
    if small_counts:
        command += ["--counts", small_counts]
    if args.targets:
        command += ["--targets", args.targets]
    subprocess.run(command, cwd=ROOT, check=True)


def measure_rounds(args, pages, small_port, peer_port, peer):
    """Every measurement, ``args.rounds`` times, each round starting with /healthz. Returns
    {key: [per-round result]}, keys like ("hit", label)."""
    results = defaultdict(list)
    nonce = secrets.token_hex(3)
    detail = None
    if selected(args, "tracking detail") or peer:
        detail = tracking_detail(args.port)
    for round_number in range(1, args.rounds + 1):
        base = hammer(args.port, "/healthz", args.duration, args.concurrency)
        base["ratio"] = 1.0
        results[("healthz", "/healthz")].append(base)
        header(f"Round {round_number} of {args.rounds} ({args.concurrency} clients)")
        line("/healthz", base)

        def timed(key, port, path, headers=None, note="", base=base):
            result = hammer(port, path, args.duration, args.concurrency, headers)
            result["ratio"] = result["rps"] / base["rps"] if base["rps"] else float("nan")
            results[key].append(result)
            line(f"{key[1]} [{key[0]}]", result, note)
            return result

        for page in pages:
            get(args.port, page.path)  # the first visitor fills the cache
            timed(("hit", page.label), args.port, page.path)
            timed(("miss", page.label), args.port, page.misses(f"{nonce}r{round_number}n"))
            if small_port:
                misses = page.misses(f"{nonce}s{round_number}n")
                timed(("small miss", page.label), small_port, misses)
        if detail:
            path, cookie = detail
            timed(("private", "complaint tracking detail"), args.port, path, cookie)
        if peer:
            measure_peer(args, peer, peer_port, detail, nonce, round_number, timed)
    return results


def tracking_detail(port):
    """A generated complaint's tracking page with the session its complainant gets."""
    from bench.targets.complaints import BENCH_EMAIL
    from complaints.models import Complaint

    code = (
        Complaint.objects.filter(consent_version="bench")
        .order_by("pk")
        .values_list("code", flat=True)
        .first()
    )
    if code is None:
        print("no generated complaint: the tracking detail is not measured")
        return None
    return tracking_session(port, code, BENCH_EMAIL)


# Ours beside theirs: (our label, our path, their page).
PEER_PAIRS = [
    ("filing step 1", "/khieu-nai/gui/nguoi-gui/", "submit"),
    ("tracking form", "/khieu-nai/tra-cuu/", "view form"),
    ("tracking detail", None, "view ticket"),
]


def measure_peer(args, peer, peer_port, detail, nonce, round_number, timed):
    """Our three pages and django-helpdesk's, one after the other, both as misses (a new
    ignored parameter each time: helpdesk has no page cache, so ours may not use one)."""
    for label, path, theirs in PEER_PAIRS:
        headers = None
        if path is None:
            if detail is None:
                continue
            path, headers = detail
        ours = Page(label, path).misses(f"{nonce}p{round_number}n")
        timed(("ours", label), args.port, ours, headers)
        their_path = Page(theirs, peer[theirs]).misses(f"{nonce}h{round_number}n")
        timed(("helpdesk", theirs), peer_port, their_path)


def measure_reports():
    from bench.targets import reports

    print("\nReport figures against one GROUP BY per part")
    result = reports.measure(sys.stdout)
    result["ratio"] = (
        (result["figures"] + result["compile"]) / result["baseline"]
        if result["baseline"]
        else float("nan")
    )
    print(f"  figures + compilation / baseline: {result['ratio']:.1f}× (goal ≤ {REPORTS_MAX:.0f}×)")
    return result


def measure_filing(args):
    try:
        filing = importlib.import_module("bench.filing")
    except ModuleNotFoundError:
        print("\nbench/filing.py is missing: the filing flow is not measured")
        return None
    from portal.models import Province, Sector

    province = Province.objects.current().order_by("pk").values_list("pk", flat=True).first()
    sector = Sector.objects.order_by("pk").values_list("pk", flat=True).first()
    print(f"\n{args.filings} filings from {args.filing_concurrency} clients at once")
    result = filing.measure(
        f"http://127.0.0.1:{args.port}",
        filings=args.filings,
        concurrency=args.filing_concurrency,
        province_id=province,
        sector_id=sector,
    )
    print(f"{'step':14} {'p50 ms':>9} {'p95 ms':>9}  goal")
    for label, cut in result["steps"].items():
        p95 = cut["p95"] if cut["p95"] is not None else float("nan")
        p50 = cut["p50"] if cut["p50"] is not None else float("nan")
        met = verdict(p95 <= STEP_P95_MS)
        print(f"{label:14} {p50:9.1f} {p95:9.1f}  p95 ≤ {STEP_P95_MS} ms: {met}")
    whole = result["filing"]
    p95 = whole["p95"] if whole["p95"] is not None else float("nan")
    p50 = whole["p50"] if whole["p50"] is not None else float("nan")
    print(f"{'whole filing':14} {p50:9.1f} {p95:9.1f}  p95 ≤ 2 s: {verdict(p95 <= FILING_P95_MS)}")
    print(
        f"ok {result['ok']}/{result['filings']}, lost {result['lost']} (goal 0), duplicates "
        f"{result['duplicates']}, consecutive {result['consecutive']}, {result['seconds']} s"
    )
    for error in result["errors"]:
        print(f"  error: {error}")
    return result


# --- Tables -----------------------------------------------------------------------------------


def print_tables(args, pages, results, figures):
    print(
        f"\n## Results (median of {args.rounds} rounds, {args.concurrency} clients, "
        f"{args.duration:g} s each, {args.workers} gunicorn workers)\n"
    )
    base = summary(results[("healthz", "/healthz")])
    print("| page | req/s | share of `/healthz` | goal | met? |")
    print("| --- | ---: | ---: | --- | --- |")
    print(f"| `/healthz` | {base['rps']:.0f} | 100 % | baseline | – |")
    for page in pages:
        hit = summary(results[("hit", page.label)])
        ok = hit["ratio"] >= HIT_SHARE and not hit["errors"]
        why = f"{hit['errors']} errors" if hit["errors"] else ""
        row(f"{page.label} (hit)", hit, f"≥ {HIT_SHARE * 100:.0f} %", verdict(ok, why))
        miss = summary(results[("miss", page.label)])
        goal = f"≥ {MISS_SHARE * 100:.0f} %, p95 ≤ {MISS_P95_MS} ms"
        problems = []
        if miss["ratio"] < MISS_SHARE:
            problems.append(f"{share(miss['ratio'])}")
        problems.append(f"p95 {miss['p95']:.0f} ms")
        ok = miss["ratio"] >= MISS_SHARE and miss["p95"] <= MISS_P95_MS and not miss["errors"]
        small = results.get(("small miss", page.label))
        if small:
            goal += f", falls ≤ {FALL_MAX * 100:.0f} % from 10× fewer rows"
            small_rps = summary(small)["rps"]
            fall = 1 - miss["rps"] / small_rps if small_rps else float("nan")
            moved = f"falls {fall * 100:.0f} %" if fall > 0 else "no fall"
            problems.append(f"{moved} from {small_rps:.0f} req/s")
            ok = ok and fall <= FALL_MAX
        if miss["errors"]:
            problems.append(f"{miss['errors']} errors")
        row(f"{page.label} (miss)", miss, goal, verdict(ok, ", ".join(problems)))
    detail = results.get(("private", "complaint tracking detail"))
    if detail:
        detail = summary(detail)
        ok = detail["ratio"] >= MISS_SHARE and detail["p95"] <= MISS_P95_MS
        goal = f"≥ {MISS_SHARE * 100:.0f} %, p95 ≤ {MISS_P95_MS} ms"
        row(
            "complaint tracking detail (private)",
            detail,
            goal,
            verdict(ok, f"p95 {detail['p95']:.0f} ms"),
        )

    if any(key[0] == "helpdesk" for key in results):
        print(
            "\n| ours / django-helpdesk 2.6.1 | ours req/s | theirs req/s | ratio | goal | met? |"
        )
        print("| --- | ---: | ---: | ---: | --- | --- |")
        for label, _path, theirs in PEER_PAIRS:
            if ("ours", label) not in results:
                continue
            ours = summary(results[("ours", label)])["rps"]
            them = summary(results[("helpdesk", theirs)])["rps"]
            ratio = ours / them if them else float("nan")
            print(
                f"| {label} / {theirs} | {ours:.0f} | {them:.0f} | {ratio:.2f}× "
                f"| ≥ {PEER_MIN:.0f}× | {verdict(ratio >= PEER_MIN)} |"
            )
    reports = figures.get("reports")
    if reports:
        print("\n| report figures | seconds | × psql GROUP BY | goal | met? |")
        print("| --- | ---: | ---: | --- | --- |")
        print(f"| one GROUP BY per part (baseline) | {reports['baseline']:.2f} | 1× | – | – |")
        spent = reports["figures"] + reports["compile"]
        print(
            f"| all {reports['units']} units' figures + national compilation | {spent:.2f} "
            f"| {reports['ratio']:.1f}× | ≤ {REPORTS_MAX:.0f}× "
            f"| {verdict(reports['ratio'] <= REPORTS_MAX)} |"
        )
    filing = figures.get("filing")
    if filing:
        worst = max(
            (cut["p95"] for cut in filing["steps"].values() if cut["p95"] is not None),
            default=float("nan"),
        )
        whole = filing["filing"]["p95"] or float("nan")
        print(f"\n| {filing['filings']} parallel filings | measured | goal | met? |")
        print("| --- | ---: | --- | --- |")
        step_ok = verdict(worst <= STEP_P95_MS)
        print(f"| slowest step p95 | {worst:.0f} ms | ≤ {STEP_P95_MS} ms | {step_ok} |")
        print(f"| whole filing p95 | {whole:.0f} ms | ≤ 2 s | {verdict(whole <= FILING_P95_MS)} |")
        lost_ok = filing["lost"] == 0 and filing["consecutive"]
        print(
            f"| lost / codes consecutive | {filing['lost']} / {verdict(filing['consecutive'])} "
            "| 0 / yes "
            f"| {verdict(lost_ok)} |"
        )


def row(name, result, goal, met):
    print(f"| {name} | {result['rps']:.0f} | {share(result['ratio'])} | {goal} | {met} |")


if __name__ == "__main__":
    main()
