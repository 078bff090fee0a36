"""Filing under load: many consumers walk the real complaint form at once.

Each simulated consumer has its own cookie jar and does what a browser does on the six steps:
one page view for the CSRF token, a POST per step (each answered by a redirect), then the
"sent" page that shows the new code. ``measure`` times every request and returns per-step
and whole-filing percentiles, how many filings were lost, and whether the codes the pages
showed are consecutive with no duplicate (the issue #13 goals: each step p95 ≤ 300 ms, the
whole filing p95 ≤ 2 s, none lost).

    .venv/bin/python -m bench.filing --url http://127.0.0.1:8790 --province 1 --sector 1

The server must allow that many filings from one address (``COMPLAINTS_FILING_RATE`` is
per client address; the production default is 10 an hour): start the server with
``COMPLAINTS_FILING_RATE_COUNT=100000`` in its environment.
"""

import argparse
import http.cookiejar
import json
import re
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CODE_RE = re.compile(r"KN-(\d{4})-(\d{6})")
STEPS = ["nguoi-gui", "doanh-nghiep", "noi-dung", "yeu-cau", "tep", "xac-nhan"]
# What the timings are reported under: the token page, the six POSTs, the "sent" page.
LABELS = ["start", *STEPS, "da-gui"]
TIMEOUT = 120


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # each step's redirect is read, not followed (it is the next step's GET)


def _step_data(index, province_id, sector_id):
    return [
        (
            "nguoi-gui",
            {
                "complainant_name": f"Đo Tải {index}",
                "complainant_phone": f"09{index % 10**8:08d}",
                "complainant_email": f"do-tai-{index}@example.invalid",
            },
        ),
        ("doanh-nghiep", {"business_name": "Cửa hàng hư cấu", "province": province_id}),
        ("noi-dung", {"sector": sector_id, "description": "Dữ liệu đo tải (hư cấu)."}),
        ("yeu-cau", {"request": "Hoàn tiền."}),
        ("tep", {"go": "next"}),
        ("xac-nhan", {"consent_processing": "on", "go": "send"}),
    ]


def walk(base_url, index, province_id, sector_id):
    """File one complaint through the form. Returns ``{"times": {label: seconds}, "code":
    shown code or None, "error": why it failed or ""}``."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
    )
    times = {}
    result = {"times": times, "code": None, "error": ""}

    def timed(label, request):
        started = time.perf_counter()
        try:
            with opener.open(request, timeout=TIMEOUT) as response:
                body = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as exc:
            exc.read()
            body, status = "", exc.code
        finally:
            times[label] = time.perf_counter() - started
        return status, body

    try:
        status, body = timed("start", base_url + "/khieu-nai/tra-cuu/")
        token = TOKEN_RE.search(body).group(1)
        for slug, data in _step_data(index, province_id, sector_id):
            encoded = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
            request = urllib.request.Request(base_url + f"/khieu-nai/gui/{slug}/", data=encoded)
            status, _body = timed(slug, request)
            if status != 302:  # a 200 means the step refused the data
                result["error"] = f"{slug}: HTTP {status}"
                return result
        status, body = timed("da-gui", base_url + "/khieu-nai/gui/da-gui/")
        found = CODE_RE.search(body)
        if status != 200 or not found:
            result["error"] = f"da-gui: HTTP {status}, no code"
            return result
        result["code"] = found.group(0)
    except (OSError, AttributeError) as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
    return result


def _percentiles(seconds):
    if not seconds:
        return {"p50": None, "p95": None}
    ms = sorted(s * 1000 for s in seconds)
    if len(ms) == 1:
        return {"p50": round(ms[0], 1), "p95": round(ms[0], 1)}
    cuts = statistics.quantiles(ms, n=20, method="inclusive")
    return {"p50": round(statistics.median(ms), 1), "p95": round(cuts[18], 1)}


def codes_consecutive(codes):
    """Whether ``codes`` (KN-year-number) have no duplicate and, per year, no gap."""
    if len(set(codes)) != len(codes):
        return False
    by_year = {}
    for code in codes:
        year, number = CODE_RE.fullmatch(code).groups()
        by_year.setdefault(year, []).append(int(number))
    return all(
        sorted(numbers) == list(range(min(numbers), min(numbers) + len(numbers)))
        for numbers in by_year.values()
    )


def measure(base_url, filings=200, concurrency=16, province_id=None, sector_id=None):
    """Walk ``filings`` complaints through the form from ``concurrency`` clients at once.

    Returns a dict: ``steps`` {label: {p50, p95}} in ms (``start`` is the token page view,
    ``da-gui`` the page showing the code), ``filing`` {p50, p95} in ms for one whole walk,
    ``ok``, ``lost`` (walks that showed no code), ``errors`` (a few reasons), ``duplicates``,
    ``consecutive`` (codes shown, no duplicate and no gap), ``seconds`` and ``per_second``.
    """
    if province_id is None or sector_id is None:
        raise ValueError("province_id and sector_id are required")
    base_url = base_url.rstrip("/")
    started = time.perf_counter()

    def one(index):
        began = time.perf_counter()
        outcome = walk(base_url, index, province_id, sector_id)
        outcome["total"] = time.perf_counter() - began
        return outcome

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, range(filings)))
    took = time.perf_counter() - started
    codes = [r["code"] for r in results if r["code"]]
    done = [r for r in results if r["code"]]
    return {
        "filings": filings,
        "concurrency": concurrency,
        "steps": {
            label: _percentiles([r["times"][label] for r in results if label in r["times"]])
            for label in LABELS
        },
        "filing": _percentiles([r["total"] for r in done]),
        "ok": len(codes),
        "lost": filings - len(codes),
        "errors": sorted({r["error"] for r in results if r["error"]})[:5],
        "duplicates": len(codes) - len(set(codes)),
        "consecutive": bool(codes) and codes_consecutive(codes),
        "seconds": round(took, 2),
        "per_second": round(len(codes) / took, 2) if took else 0.0,
    }


def report(result, out=sys.stdout):
    out.write(f"{'step':14} {'p50 ms':>9} {'p95 ms':>9}\n")
    for label, cut in result["steps"].items():
        out.write(f"{label:14} {cut['p50'] or 0:9.1f} {cut['p95'] or 0:9.1f}\n")
    whole = result["filing"]
    out.write(f"{'whole filing':14} {whole['p50'] or 0:9.1f} {whole['p95'] or 0:9.1f}\n")
    out.write(
        f"ok {result['ok']}/{result['filings']}, lost {result['lost']}, "
        f"duplicates {result['duplicates']}, consecutive {result['consecutive']}, "
        f"{result['seconds']} s ({result['per_second']} filings/s)\n"
    )
    for error in result["errors"]:
        out.write(f"  error: {error}\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Time parallel filings against a server.")
    parser.add_argument("--url", required=True)
    parser.add_argument("--filings", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--province", type=int, required=True, help="province id")
    parser.add_argument("--sector", type=int, required=True, help="sector id")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = measure(args.url, args.filings, args.concurrency, args.province, args.sector)
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        report(result)
    return 0 if result["lost"] == 0 and result["consecutive"] else 1


if __name__ == "__main__":
    sys.exit(main())
