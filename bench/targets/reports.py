"""Annual reports: figure computation for every unit, the national compilation and the PDF
of the national report, each timed next to a single SQL GROUP BY over the same rows (the
baseline) in the same run.

The rows themselves (complaints, assessments, warnings) come from the other targets'
generators (bench/targets/<part>.py), which bench/run.py runs before this one; ``generate``
here only adds the action plan and times the reporting steps, printing the figures. It can
also run on its own against an already filled database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dnvntd_bench \
        .venv/bin/python -m bench.targets.reports

``measure`` opens, locks and compiles a year inside a transaction it rolls back (sequences
still advance). ``--figures-only [YEAR] [--rounds N]`` times the figures alone and writes nothing,
N rounds (3) compared by their medians: run it with
``PGOPTIONS="-c default_transaction_read_only=on"`` on a database others use.
"""

import datetime
import importlib
import time

from django.db import connection, transaction
from django.utils import timezone

# (part, model path, date field of the window) for the baseline GROUP BY.
BASELINES = (
    ("complaints", "complaints.models.Complaint", "received_at"),
    ("selfassess", "selfassess.models.Assessment", "submitted_at"),
    ("consumer_warnings", "consumer_warnings.models.ConsumerWarning", "published_at"),
)


def _model(path):
    module_name, _sep, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError):
        return None


def _timed(label, function, stdout):
    began = time.perf_counter()
    result = function()
    took = time.perf_counter() - began
    stdout.write(f"  {label:<52} {took * 1000:10.1f} ms\n")
    return result, took


def _baseline(start, end, stdout):
    """One GROUP BY province per part over the window's rows: the floor for the figures."""
    total = 0.0
    for part, path, field in BASELINES:
        model = _model(path)
        if model is None or field not in {f.name for f in model._meta.get_fields()}:
            stdout.write(f"  baseline {part}: not available\n")
            continue
        table = model._meta.db_table
        column = model._meta.get_field(field).column
        province = (
            "province_id" if "province" in {f.name for f in model._meta.get_fields()} else "NULL"
        )
        sql = (
            f"SELECT {province}, COUNT(*) FROM {table} "  # noqa: S608 (names from the models)
            f"WHERE {column} >= %s AND {column} < %s GROUP BY 1"
        )
        begin = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
        finish = timezone.make_aware(
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
        )

        def run(sql=sql, begin=begin, finish=finish):
            with connection.cursor() as cursor:
                cursor.execute(sql, [begin, finish])
                return cursor.fetchall()

        rows, took = _timed(f"baseline GROUP BY {table}", run, stdout)
        stdout.write(f"    {sum(n for _p, n in rows)} rows in the window\n")
        total += took
    return total


def measure(stdout, year=None):
    """Time the reporting steps for ``year`` (default: the year whose window holds today)."""
    from django.core.management import call_command

    from reports import services
    from reports.models import Plan

    if not Plan.objects.exists():
        call_command("seed_reports", stdout=stdout)
    today = timezone.localdate()
    year = year or (today.year + 1 if today.month >= 11 else today.year)
    with transaction.atomic():
        result = _measure(stdout, services.ensure_year(year), services)
        transaction.set_rollback(True)  # measuring only: leave the database as it was
    return result


def _measure(stdout, reporting_year, services):
    from portal.pdf import render_pdf
    from reports.models import NationalReport
    from reports.selectors import national_report_document

    year = reporting_year.year
    units = services.reporting_units(reporting_year.plan)
    stdout.write(
        f"reports: year {year}, window {reporting_year.data_start}–{reporting_year.data_end}, "
        f"{len(units)} units\n"
    )
    baseline = _baseline(reporting_year.data_start, reporting_year.data_end, stdout)
    stdout.write(f"  {'baseline total':<52} {baseline * 1000:10.1f} ms\n")

    (live, _national), took_figures = _timed(
        "figures for all units (adapter, every part)",
        lambda: services._figures_for_units(reporting_year, units),
        stdout,
    )
    _timed("open the year: drafts with figures", lambda: services.open_year(reporting_year), stdout)
    _timed("lock: frozen snapshots", lambda: services.lock_year(reporting_year), stdout)
    reporting_year.refresh_from_db()
    snapshot, took_compile = _timed(
        "national compilation (snapshot)",
        lambda: services.build_national_snapshot(reporting_year),
        stdout,
    )
    national = NationalReport(reporting_year=reporting_year, snapshot=snapshot)
    document = national_report_document(national)
    pdf, took_pdf = _timed(
        "national report PDF (WeasyPrint)",
        lambda: render_pdf("reports/pdf/national_report.html", document),
        stdout,
    )
    stdout.write(f"  national PDF: {len(pdf) // 1024} KiB\n")
    if baseline:
        stdout.write(f"  figures / baseline: {took_figures / baseline:6.1f}×\n")
    return {
        "baseline": baseline,
        "figures": took_figures,
        "compile": took_compile,
        "pdf": took_pdf,
        "units": len(live),
    }


def measure_figures(stdout, year=None, rounds=3):
    """Time only what reads the figures, writing nothing (not even a reporting year): the
    baseline, the figures of every unit and the nationwide figures alone (the compilation
    of a year not locked). The window is the year's as its plan sets it.

    ``rounds`` times each in turn, interleaved so that the load of a shared machine weighs
    on all alike, and compares the medians: the first round also pays for the process's
    first imports and the cold pages, which a report compiled by a running server does
    not."""
    from statistics import median

    from reports import figures, services

    today = timezone.localdate()
    year = year or (today.year + 1 if today.month >= 11 else today.year)
    plan = services.plan_for_year(year)
    rules = services.year_rules(year, plan)
    if rules is None:
        raise SystemExit("no action plan with reporting rules is loaded (seed_reports)")
    start, end = rules["data_start"], rules["data_end"]
    units = services.reporting_units(plan)
    province_ids = [a.province_id for a in units if services.carries_figures(a)]
    stdout.write(f"reports: year {year}, window {start}–{end}, {len(units)} units\n")
    taken = {"baseline": [], "figures": [], "national": []}
    for round_number in range(1, rounds + 1):
        stdout.write(f" round {round_number}\n")
        baseline = _baseline(start, end, stdout)
        stdout.write(f"  {'baseline total':<52} {baseline * 1000:10.1f} ms\n")
        _result, took_figures = _timed(
            "figures for all units (adapter, every part)",
            lambda: figures.collect_all(start=start, end=end, province_ids=province_ids),
            stdout,
        )
        _result, took_national = _timed(
            "nationwide figures alone (compilation, not locked)",
            lambda: figures.collect_all(start=start, end=end, province_ids=[]),
            stdout,
        )
        taken["baseline"].append(baseline)
        taken["figures"].append(took_figures)
        taken["national"].append(took_national)
    result = {name: median(values) for name, values in taken.items()}
    stdout.write(f" median of {rounds} rounds\n")
    for name, value in result.items():
        stdout.write(f"  {name:<52} {value * 1000:10.1f} ms\n")
    if result["baseline"]:
        stdout.write(f"  figures / baseline: {result['figures'] / result['baseline']:6.1f}×\n")
        stdout.write(
            f"  nationwide alone / baseline: {result['national'] / result['baseline']:6.1f}×\n"
        )
    return result


def generate(count, stdout):
    """The rows are the other targets'; this only loads the plan and prints the timings."""
    measure(stdout)


def urls():
    # The report pages are for signed-in officers with MFA; the load test covers public pages.
    return []


if __name__ == "__main__":
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    if "--figures-only" in sys.argv:
        args = sys.argv[1:]
        rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 3
        given = [int(a) for i, a in enumerate(args) if a.isdigit() and args[i - 1] != "--rounds"]
        measure_figures(sys.stdout, given[0] if given else None, rounds)
    else:
        measure(sys.stdout)
