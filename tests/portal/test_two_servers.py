"""Two web servers, one database and one bucket: a file uploaded through one gunicorn is
downloaded through the other (PostgreSQL only: both processes need the same database
server; the bucket is a moto S3 server started by the test)."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.urls import reverse

from selfassess import services
from tests.conftest import login
from tests.portal.test_celery_worker import database_url

# The S3 server fixtures are shared with the storage tests (imported = available here).
from tests.portal.test_s3_storage import bucket_keys, free_port, s3_options, s3_server  # noqa: F401
from tests.processes import stop
from tests.selfassess.conftest import PDF_BYTES
from tests.selfassess.factories import criterion, make_set

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# A loaded 2-core CI machine may take long to start a process; wait for states, up to this.
PATIENCE = 300


def start_server(env, log):
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, f"http://127.0.0.1:{port}"


def wait_until_up(process, url, log_path):
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"{url}/healthz", timeout=10).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn at {url} did not start; it printed:\n{log_path.read_text()[-3000:]}")


def test_a_file_uploaded_through_one_server_is_downloaded_through_the_other(
    client,
    tmp_path,
    s3_options,  # noqa: F811 (the fixture imported above)
    business_member,
    reference_data,
):
    local_root = tmp_path / "server-disk"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PRIVATE_MEDIA_ROOT": str(local_root),
        "PRIVATE_S3_BUCKET": s3_options["bucket"],
        "AWS_S3_ENDPOINT_URL": s3_options["endpoint_url"],
        "AWS_ACCESS_KEY_ID": s3_options["access_key"],
        "AWS_SECRET_ACCESS_KEY": s3_options["secret_key"],
        "AWS_S3_REGION_NAME": s3_options["region_name"],
    }
    criteria_set = make_set()
    assessment = services.start_assessment(
        user=business_member,
        business=business_member.memberships.get().business,
        criteria_set=criteria_set,
    )
    a2 = criterion(criteria_set, "A2")
    group_a = criteria_set.groups.get(code="A")
    # One signed-in session, kept in the shared database, used against both servers.
    login(client, business_member)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)

    servers = []
    logs = []
    try:
        for name in ("a", "b"):
            log_path = tmp_path / f"gunicorn-{name}.log"
            log = log_path.open("w")
            logs.append(log)
            servers.append((*start_server(env, log), log_path))
        for process, url, log_path in servers:
            wait_until_up(process, url, log_path)
        (_p, first, _l), (_q, second, _m) = servers

        fill = f"{first}{reverse('selfassess:fill', args=[assessment.pk, group_a.pk])}"
        page = session.get(fill, timeout=60)
        assert page.status_code == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        sent = session.post(
            fill,
            data={
                "csrfmiddlewaretoken": token,
                f"answer_{a2.pk}": "implemented",
                "save_next": "1",
            },
            files={f"evidence_{a2.pk}": ("Kế hoạch.pdf", PDF_BYTES, "application/pdf")},
            allow_redirects=False,
            timeout=60,
        )
        assert sent.status_code == 302, sent.text[-2000:]
        evidence = assessment.evidence.get()
        assert bucket_keys(s3_options) == [evidence.file.name]

        path = reverse("selfassess:evidence", args=[assessment.pk, evidence.pk])
        download = session.get(f"{second}{path}", timeout=60)
        assert download.status_code == 200
        assert download.content == PDF_BYTES
        assert download.headers["Content-Type"] == "application/pdf"
        # Nothing was written to either server's disk.
        assert not local_root.exists() or not any(local_root.rglob("*"))
    finally:
        for process, _url, _log_path in servers:
            stop(process)
        for log in logs:
            log.close()
