#!/usr/bin/env python
"""Start the processes of docker-compose.yml directly (no Docker engine here): migrate,
gunicorn under the production profile, a Celery worker and Celery beat, against the
machine's PostgreSQL and Redis. Checks that /healthz and the home page answer, that the
worker runs a task sent through Redis, and that beat starts with the portal's schedule.
Prints what it saw; exits non-zero on a failure.

    .venv/bin/python bench/production_shape.py
"""

import http.client
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "dnvntd_shape"
PORT = 8766


def compose_web_command(bind):
    """The compose file's gunicorn command as it is (log format and limits included), only
    bound to ``bind``."""
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    command = list(compose["services"]["web"]["command"])
    command[command.index("--bind") + 1] = bind
    return command


def main():
    import psycopg
    from cryptography.fernet import Fernet

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", (DB,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DB}"')
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"{PG}/{DB}",
        "REDIS_URL": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13"),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(out / "static"),
        "PRIVATE_MEDIA_ROOT": str(out / "private"),
        "EMAIL_BACKEND": "bench.mailbox.EmailBackend",
        # Throwaway keys, like the secret key: this check reads no complaint.
        "PERSONAL_DATA_KEYS": Fernet.generate_key().decode(),
        "PERSONAL_DATA_HASH_KEY": Fernet.generate_key().decode(),
        "EMAIL_FILE_PATH": str(out / "mail"),
    }
    py = sys.executable
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["compile_translations"],
        ["load_reference_data", "--portal-only"],
    ):
        subprocess.run([py, "manage.py", *command], cwd=ROOT, env=env, check=True)
    procs = {
        "web": [py, "-m", *compose_web_command(f"127.0.0.1:{PORT}")],
        "worker": [
            py,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-l",
            "info",
            "--concurrency",
            "1",
        ],
        "beat": [
            py,
            "-m",
            "celery",
            "-A",
            "portal",
            "beat",
            "-l",
            "info",
        ],
    }
    logs = {name: open(out / f"{name}.log", "w") for name in procs}  # noqa: SIM115
    running = {
        name: subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=logs[name],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for name, cmd in procs.items()
    }
    failures = []
    try:
        time.sleep(8)
        for path in ("/healthz", "/", "/en/"):
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            status = conn.getresponse().status
            print(f"web GET {path}: {status}")
            if status != 200:
                failures.append(path)
        marker = f"shape-{secrets.token_hex(4)}"
        subprocess.run(
            [
                py,
                "manage.py",
                "shell",
                "-c",
                f"from portal.tasks import purge_expired_records as t; t.delay('{marker}')",
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        deadline = time.monotonic() + 30
        done = False
        while time.monotonic() < deadline and not done:
            check = subprocess.run(
                [
                    py,
                    "manage.py",
                    "shell",
                    "-c",
                    "from portal.models import JobRun; "
                    f"print(JobRun.objects.filter(key='{marker}', finished_at__isnull=False)"
                    ".exists())",
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            done = check.stdout.strip().endswith("True")
            time.sleep(1)
        print(f"worker ran a task sent through Redis: {done}")
        if not done:
            failures.append("worker")
        beat_log = (out / "beat.log").read_text()
        beat_ok = "beat: Starting" in beat_log and all(
            proc.poll() is None for proc in running.values()
        )
        print(f"beat started, every process still running: {beat_ok}")
        if not beat_ok:
            failures.append("beat")
    finally:
        for proc in running.values():
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in running.values():
            proc.wait(timeout=30)
    if failures:
        raise SystemExit(f"failed: {failures}; logs in {out}")
    print("production shape: OK")


if __name__ == "__main__":
    main()
