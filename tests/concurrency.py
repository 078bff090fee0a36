"""Run callables at the same moment in real threads, each with its own database connection
(for the PostgreSQL concurrency tests: ``@pytest.mark.postgres`` with
``@pytest.mark.django_db(transaction=True)``)."""

import threading

from django.db import connections


def race(*calls, timeout=60):
    """Start every call in its own thread behind a barrier, so they hit the database
    together. Returns one ``(result, exception)`` pair per call, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def runner(index, call):
        try:
            barrier.wait(timeout=timeout)
            outcomes[index] = (call(), None)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread raised
            outcomes[index] = (None, exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert all(not t.is_alive() for t in threads), "a thread did not finish"
    return outcomes


def winners_and_losers(outcomes):
    winners = [result for result, exc in outcomes if exc is None]
    losers = [exc for _result, exc in outcomes if exc is not None]
    return winners, losers
