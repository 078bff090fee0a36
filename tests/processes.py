"""Helpers for tests that start real processes (a Celery worker, gunicorn servers)."""

import subprocess


def stop(process, timeout=20):
    """Ask ``process`` to stop, and kill it if it has not within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
