"""200 filings sent in parallel to a running server: 200 complaints, 200 distinct codes.

Each client walks the form with its own cookie jar, then all send the final step at once.
Runs on PostgreSQL in CI (row locks on the year's counter); on SQLite the writes are
serialised by the database and nothing may be lost either."""

import contextlib
import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from complaints.models import Complaint
from portal.models import Province, Sector

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

CLIENTS = 200
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the test reads the Location itself: half the requests


class FormClient:
    def __init__(self, base_url):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.token = None

    def get(self, path):
        with self.opener.open(self.base_url + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path, data):
        if self.token is None:
            # One light page view for the CSRF token, reused for every later step.
            self.token = TOKEN_RE.search(self.get("/khieu-nai/tra-cuu/")).group(1)
        data = {**data, "csrfmiddlewaretoken": self.token}
        request = urllib.request.Request(  # noqa: S310 - the live server's own http URL
            self.base_url + path, data=urllib.parse.urlencode(data).encode(), method="POST"
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, "", response.read().decode()
        except urllib.error.HTTPError as exc:
            if exc.code != 302:
                raise
            return exc.code, exc.headers["Location"], ""


def prepare(client, index, province, sector):
    steps = [
        (
            "nguoi-gui",
            {
                "complainant_name": f"Người tiêu dùng {index}",
                "complainant_phone": f"09{index:08d}",
                "complainant_email": f"nguoi{index}@example.vn",
            },
        ),
        ("doanh-nghiep", {"business_name": f"Cửa hàng {index}", "province": province}),
        ("noi-dung", {"sector": sector, "description": "Hàng lỗi, không được đổi."}),
        ("yeu-cau", {"request": "Đổi hàng mới."}),
        ("tep", {"go": "next"}),
    ]
    for slug, data in steps:
        status, location, _body = client.post(f"/khieu-nai/gui/{slug}/", data)
        assert status == 302 and f"/gui/{slug}/" not in location, (slug, location)


def test_parallel_filings_all_arrive_with_distinct_codes(live_server, settings, reference_data):
    settings.COMPLAINTS_FILING_RATE = (100_000, 60)
    # pytest-django's SQLite test database lives in shared-cache memory, whose table locks
    # fail at once instead of waiting: there the requests are sent one after the other.
    parallel = connection.vendor != "sqlite"
    # Django's live server listens with a backlog of 10: more simultaneous connections are
    # reset by the kernel before any request is read.
    workers = 10 if parallel else 1
    province = Province.objects.get(code="01").pk
    sector = Sector.objects.get(code="ban-le").pk
    clients = [FormClient(live_server.url) for _ in range(CLIENTS)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda pair: prepare(pair[1], pair[0], province, sector), enumerate(clients)))

    barrier = threading.Barrier(workers)

    def send(client):
        if parallel:
            # Release the final posts together, in waves of ``workers`` (20 waves).
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=30)
        status, location, _body = client.post(
            "/khieu-nai/gui/xac-nhan/", {"consent_processing": "on", "go": "send"}
        )
        return status, location, client.get(location) if status == 302 else ""

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(send, clients))

    assert all(status == 302 and url.endswith("/gui/da-gui/") for status, url, _b in results)
    shown_codes = {re.search(r"KN-\d{4}-\d{6}", body).group(0) for _s, _u, body in results}
    assert len(shown_codes) == CLIENTS
    codes = set(Complaint.objects.values_list("code", flat=True))
    assert Complaint.objects.count() == CLIENTS
    assert codes == shown_codes
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(numbers[0], numbers[0] + CLIENTS))


def test_two_concurrent_forwards_forward_once(business, province_officer, ministry_officer):
    """Both requests read the complaint as "submitted"; the row lock makes the second one
    see "forwarded" and fail with a message, so the business's step starts once."""
    from complaints import services
    from complaints.models import ComplaintEvent, ComplaintStep, Status, Step
    from portal.errors import InvalidTransition
    from tests.complaints.factories import make_complaint
    from tests.concurrency import race, winners_and_losers

    complaint = make_complaint(business=business)
    first = Complaint.objects.get(pk=complaint.pk)
    second = Complaint.objects.get(pk=complaint.pk)
    outcomes = race(
        lambda: services.forward(first, actor=province_officer),
        lambda: services.forward(second, actor=ministry_officer),
    )
    winners, losers = winners_and_losers(outcomes)
    assert len(winners) == 1
    assert len(losers) == 1 and isinstance(losers[0], InvalidTransition)
    complaint.refresh_from_db()
    assert complaint.status == Status.FORWARDED
    forwarded = ComplaintEvent.objects.filter(
        complaint=complaint, kind=ComplaintEvent.Kind.STATUS, to_status=Status.FORWARDED
    )
    assert forwarded.count() == 1
    assert ComplaintStep.objects.filter(complaint=complaint, kind=Step.ACKNOWLEDGE).count() == 1
    forward_step = ComplaintStep.objects.get(complaint=complaint, kind=Step.FORWARD)
    assert forward_step.completed_at is not None
