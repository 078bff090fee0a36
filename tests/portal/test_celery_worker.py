"""One real Celery worker against Redis runs a portal task end to end (CI sets REDIS_URL
and DATABASE_URL; on a plain developer machine the test is skipped)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from portal.models import Membership
from portal.tasks import notify_membership_decision
from tests.conftest import make_member
from tests.processes import stop

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL"),
    pytest.mark.django_db(transaction=True),
]


def database_url():
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a shared database server")
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_worker_sends_membership_decision_mail(tmp_path, business, reference_data):
    from portal.celery import app

    user = make_member(business, "duoc.duyet@example.vn", status=Membership.Status.APPROVED)
    membership = user.memberships.get()
    outbox = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
            "-Q",
            "celery",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    app.conf.task_always_eager = False
    try:
        notify_membership_decision.delay(membership.pk)
        # Wait for the state (the e-mail written), not for a time: a loaded 2-core CI machine
        # may take a minute to start a worker. Give up only if the worker died or after
        # five minutes, and show what it printed.
        deadline = time.monotonic() + 300
        sent = []
        while time.monotonic() < deadline and not sent and worker.poll() is None:
            sent = list(outbox.glob("*.log")) if outbox.exists() else []
            time.sleep(0.5)
        if not sent:
            worker.terminate()
            output = worker.communicate(timeout=20)[0]
            pytest.fail(f"the worker sent no e-mail; it printed:\n{output[-3000:]}")
        message = sent[0].read_text(encoding="utf-8")
        assert "duoc.duyet@example.vn" in message
        assert business.name in message or "=?utf-8?" in message
    finally:
        app.conf.task_always_eager = True
        stop(worker)
        worker.stdout.close()
