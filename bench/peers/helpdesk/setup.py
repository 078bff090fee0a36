#!/usr/bin/env python
"""django-helpdesk 2.6.1 as a peer for bench/run.py: the same Django, on PostgreSQL, under
gunicorn with the same number of workers as the portal.

Installs into its own virtualenv (bench/out/helpdesk-venv, outside git), migrates the
database ``helpdesk_bench``, fills it with fictional tickets by one INSERT … SELECT (each with
the "ticket opened" follow-up a real submission leaves), and starts gunicorn. ``start``
returns the server and the URLs of the three public pages compared with ours: the submit
page, the view form and one ticket's page.

    .venv/bin/python bench/peers/helpdesk/setup.py --tickets 100000   # install, fill, check
"""

import argparse
import http.client
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
VENV = ROOT / "bench" / "out" / "helpdesk-venv"
PYTHON = VENV / "bin" / "python"
REQUIREMENTS = ["Django>=5.2,<5.3", "django-helpdesk==2.6.1", "gunicorn", "psycopg[binary]"]
DATABASE = "helpdesk_bench"
QUEUE_SLUG = "bench"
EMAIL = "bench@example.invalid"
# Every generated ticket has this key: a visitor opens a ticket with its number, e-mail and key.
SECRET_KEY = "bench-0000-0000-0000-000000000000"

TICKETS_SQL = """
INSERT INTO helpdesk_ticket (title, created, modified, submitter_email, status, on_hold,
                             description, resolution, priority, queue_id, secret_key)
SELECT 'Ticket ' || i || ': product not as described (fictional)',
       now() - (i %% 700) * interval '1 day', now() - (i %% 700) * interval '1 day',
       %(email)s, 1 + i %% 4, false,
       'The product I received does not match its description; please refund (fictional).',
       '', 1 + i %% 5, %(queue)s, %(key)s
FROM generate_series(1, %(count)s) AS i
"""
FOLLOWUPS_SQL = """
INSERT INTO helpdesk_followup (date, title, comment, public, ticket_id)
SELECT created, 'Ticket Opened', description, true, id
FROM helpdesk_ticket WHERE id > %(after)s
"""


def environment(pg):
    user_host = pg.split("://", 1)[1]
    user, _sep, host_port = user_host.rpartition("@")
    host, _sep, port = host_port.partition(":")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings",
        "PYTHONPATH": str(HERE),
        "HELPDESK_DB": DATABASE,
        "HELPDESK_DB_USER": user.split(":", 1)[0] or "postgres",
        "HELPDESK_DB_PASSWORD": user.split(":", 1)[1] if ":" in user else "",
        "HELPDESK_DB_HOST": host,
        "HELPDESK_DB_PORT": port or "5432",
    }


def install(stdout=sys.stdout):
    """Create the virtualenv and install the pinned packages, once."""
    if PYTHON.exists():
        check = subprocess.run(
            [str(PYTHON), "-c", "import helpdesk, gunicorn, psycopg"], capture_output=True
        )
        if check.returncode == 0:
            return
    stdout.write(f"helpdesk: installing into {VENV}\n")
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "-q", *REQUIREMENTS], check=True)


def prepare(pg, tickets, stdout=sys.stdout):
    """Migrate ``helpdesk_bench`` and bring it to at least ``tickets`` tickets."""
    import psycopg

    install(stdout)
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    env = environment(pg)
    django_admin = [str(PYTHON), "-m", "django"]
    subprocess.run([*django_admin, "migrate", "--noinput", "-v0"], cwd=HERE, env=env, check=True)
    with psycopg.connect(f"{pg}/{DATABASE}", autocommit=True) as conn:
        queue = conn.execute("SELECT id FROM helpdesk_queue WHERE slug = %s", (QUEUE_SLUG,))
        row = queue.fetchone()
        if row is None:
            row = conn.execute(
                "INSERT INTO helpdesk_queue (title, slug, allow_public_submission, "
                "allow_email_submission, email_box_ssl, enable_notifications_on_email_events) "
                "VALUES ('Bench', %s, true, false, false, false) RETURNING id",
                (QUEUE_SLUG,),
            ).fetchone()
        queue_id = row[0]
        have = conn.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()[0]
        if have < tickets:
            started = time.perf_counter()
            after = conn.execute("SELECT coalesce(max(id), 0) FROM helpdesk_ticket").fetchone()[0]
            params = {"email": EMAIL, "queue": queue_id, "key": SECRET_KEY, "count": tickets - have}
            conn.execute(TICKETS_SQL, params)
            conn.execute(FOLLOWUPS_SQL, {"after": after})
            conn.execute("VACUUM ANALYZE helpdesk_ticket")
            conn.execute("VACUUM ANALYZE helpdesk_followup")
            took = time.perf_counter() - started
            stdout.write(f"helpdesk: {tickets - have} tickets added in {took:.1f}s\n")
        first = conn.execute("SELECT min(id) FROM helpdesk_ticket").fetchone()[0]
    return queue_id, first


def urls(ticket_id):
    """The three public pages compared with ours: label → path."""
    query = urlencode({"ticket": f"{QUEUE_SLUG}-{ticket_id}", "email": EMAIL, "key": SECRET_KEY})
    return {
        "submit": "/tickets/submit/",
        "view form": "/view/",
        "view ticket": f"/view/?{query}",
    }


def wait_for(port, path="/view/", timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"django-helpdesk did not answer {path} on port {port}")


def start(pg, port, workers, tickets=100_000, stdout=sys.stdout):
    """Prepare the peer and start it under gunicorn. Returns (process, {label: path}); stop
    it with ``os.killpg(process.pid, signal.SIGTERM)``."""
    _queue, first = prepare(pg, tickets, stdout)
    log = open(ROOT / "bench" / "out" / "helpdesk-gunicorn.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(PYTHON),
            "-m",
            "gunicorn",
            "wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=HERE,
        env=environment(pg),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(port)
    except RuntimeError:
        process.kill()
        raise
    return process, urls(first)


def main():
    import signal

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8775)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    process, pages = start(args.pg, args.port, args.workers, args.tickets)
    failed = []
    try:
        for label, path in pages.items():
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            body = response.read()
            print(f"helpdesk {label:12} {path:90} {response.status} {len(body)} bytes")
            if response.status != 200:
                failed.append(label)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    if failed:
        raise SystemExit(f"failed: {failed}")


if __name__ == "__main__":
    main()
