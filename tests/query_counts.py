"""Helpers for the tests that a public page runs as many queries at 3N rows as at N, and
that a list never counts a whole table (issue #13: lists stay constant at national scale)."""

import re

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

_COUNT = re.compile(r"\bCOUNT\(", re.IGNORECASE)


def page_queries(client, url, params=None):
    """The SQL statements of one visit to ``url``, answered by the view itself: the shared
    cache of anonymous pages is emptied first."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in captured.captured_queries]


def unbounded_counts(statements):
    """The statements that count rows without a LIMIT: a list must count a capped subquery
    (portal.pagination.CappedPaginator), not every row of its table."""
    return [sql for sql in statements if _COUNT.search(sql) and " LIMIT " not in sql.upper()]


def assert_constant(client, url, params, add, n=3):
    """``url`` runs the same number of queries with ``n`` and ``3n`` rows made by
    ``add(count)``; returns the statements at ``3n`` for further checks."""
    add(n)
    page_queries(client, url, params)  # warm per-process caches (content types, sites)
    few = page_queries(client, url, params)
    add(2 * n)
    many = page_queries(client, url, params)
    assert len(many) == len(few), "\n".join(["at N:", *few, "at 3N:", *many])
    return many
