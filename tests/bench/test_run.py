import io
import threading
from contextlib import redirect_stdout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from bench import run
from bench.peers.helpdesk import setup as helpdesk
from bench.targets import consumer_warnings, legaldocs, portal, selfassess


def _query(path):
    return parse_qs(urlsplit(path).query)


def test_a_miss_is_a_new_address_each_time_with_a_new_word_for_a_word_search():
    page = run.Page(
        "search", "/canh-bao/?q=noi+com+dien&kind=recall", ["am sieu toc", "o to"], True
    )
    next_path = page.misses("x")
    paths = [next_path() for _ in range(5)]
    assert len(set(paths)) == 5
    assert all(urlsplit(p).path == "/canh-bao/" for p in paths)
    assert [_query(p)["q"] for p in paths[:3]] == [["am sieu toc"], ["o to"], ["am sieu toc"]]
    assert all(_query(p)["kind"] == ["recall"] for p in paths)


def test_a_miss_keeps_a_query_that_is_not_a_word_search():
    page = run.Page("number", "/van-ban/?q=19%2F2023%2FQH15", ["tieu dung"], False)
    path = page.misses("x")()
    assert _query(path)["q"] == ["19/2023/QH15"]
    assert _query(path)["_b"] == ["x0"]


@pytest.mark.parametrize("target", [portal, legaldocs, consumer_warnings])
def test_word_searches_name_search_pages_of_the_target(target):
    pages = dict(target.urls())
    assert pages.keys() >= target.WORD_SEARCHES
    assert all("q" in _query(pages[label]) for label in target.WORD_SEARCHES)
    assert len(target.SEARCH_WORDS) >= 10


@pytest.mark.django_db
def test_selfassess_word_searches_name_its_search_pages():
    pages = dict(selfassess.urls())
    assert pages.keys() >= selfassess.WORD_SEARCHES
    assert all("q" in _query(pages[label]) for label in selfassess.WORD_SEARCHES)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        status = 500 if "fail" in self.path else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_hammer_counts_answers_and_errors(server):
    good = run.hammer(server, "/ok", 0.3, 2)
    assert good["rps"] > 0 and good["errors"] == 0
    assert 0 < good["p50"] <= good["p95"]
    bad = run.hammer(server, "/fail", 0.3, 2)
    assert bad["errors"] > 0


def _result(rps, p95=10.0, base=1000.0, errors=0):
    return {"rps": rps, "p50": p95 / 2, "p95": p95, "errors": errors, "ratio": rps / base}


def _table(results, pages, figures=None):
    args = run.parse_args(["--rounds", "1"])
    out = io.StringIO()
    with redirect_stdout(out):
        run.print_tables(args, pages, results, figures or {})
    return out.getvalue()


def test_the_table_sets_each_page_beside_its_goals():
    pages = [run.Page("fast", "/a/"), run.Page("slow", "/b/")]
    results = {
        ("healthz", "/healthz"): [_result(1000)],
        ("hit", "fast"): [_result(300)],
        ("miss", "fast"): [_result(60, p95=80)],
        ("small miss", "fast"): [_result(70)],
        ("hit", "slow"): [_result(299)],
        ("miss", "slow"): [_result(60, p95=120)],
        ("small miss", "slow"): [_result(100)],
    }
    table = _table(results, pages)
    assert "| fast (hit) | 300 | 30.0 % | ≥ 30 % | yes |" in table
    assert "| slow (hit) | 299 | 29.9 % | ≥ 30 % | no |" in table
    fast_miss = next(line for line in table.splitlines() if line.startswith("| fast (miss)"))
    assert "| yes (p95 80 ms, falls 14 % from 70 req/s) |" in fast_miss
    slow_miss = next(line for line in table.splitlines() if line.startswith("| slow (miss)"))
    assert "| no (p95 120 ms, falls 40 % from 100 req/s) |" in slow_miss


def test_the_tables_compare_with_helpdesk_and_the_group_by():
    results = {
        ("healthz", "/healthz"): [_result(1000)],
        ("ours", "filing step 1"): [_result(100)],
        ("helpdesk", "submit"): [_result(40)],
        ("ours", "tracking form"): [_result(100)],
        ("helpdesk", "view form"): [_result(60)],
    }
    reports = {"baseline": 0.2, "figures": 0.5, "compile": 0.3, "units": 40, "ratio": 4.0}
    table = _table(results, [], {"reports": reports})
    assert "| filing step 1 / submit | 100 | 40 | 2.50× | ≥ 2× | yes |" in table
    assert "| tracking form / view form | 100 | 60 | 1.67× | ≥ 2× | no |" in table
    assert "tracking detail" not in table
    assert "parallel filings" not in table
    assert "| all 40 units' figures + national compilation | 0.80 | 4.0× | ≤ 5× | yes |" in table


def test_helpdesk_pages_open_one_ticket_with_its_key():
    pages = helpdesk.urls(7)
    assert pages["submit"] == "/tickets/submit/"
    assert pages["view form"] == "/view/"
    query = _query(pages["view ticket"])
    assert query == {
        "ticket": ["bench-7"],
        "email": [helpdesk.EMAIL],
        "key": [helpdesk.SECRET_KEY],
    }


def test_a_page_faster_on_the_full_database_has_no_fall_and_filings_are_judged():
    results = {
        ("healthz", "/healthz"): [_result(1000)],
        ("hit", "page"): [_result(500)],
        ("miss", "page"): [_result(80, p95=50)],
        ("small miss", "page"): [_result(70)],
    }
    cut = {"p50": 100.0, "p95": 250.0}
    filing = {
        "filings": 200,
        "steps": {"nguoi-gui": cut, "xac-nhan": {"p50": 200.0, "p95": 350.0}},
        "filing": {"p50": 900.0, "p95": 1500.0},
        "lost": 0,
        "consecutive": True,
    }
    table = _table(results, [run.Page("page", "/p/")], {"filing": filing})
    assert "| yes (p95 50 ms, no fall from 70 req/s) |" in table
    assert "| slowest step p95 | 350 ms | ≤ 300 ms | no |" in table
    assert "| whole filing p95 | 1500 ms | ≤ 2 s | yes |" in table
    assert "| lost / codes consecutive | 0 / yes | 0 / yes | yes |" in table
