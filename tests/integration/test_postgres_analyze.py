"""After a long fold (a rebuild, a large import: a helper's), the views' tables have
their planner statistics brought up to date on PostgreSQL: autovacuum would take a
minute or more, and plans made for empty tables doubled a follower's pages."""

from __future__ import annotations

import time

import pytest

from core.views.tables import DATA_TABLES
from tests.integration.test_projection import record_samples


def analyzed(services) -> set[str]:
    """The views' tables analyzed by hand (not by autovacuum) since the server began."""
    with services.sql.transaction(write=False) as c:
        c.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL "
            "AND relname LIKE 'view_%'"
        )
        return {row[0] for row in c.fetchrows()}


@pytest.mark.parametrize(("helper_min", "expected"), [(0, set(DATA_TABLES)), (10**9, set())])
def test_a_long_fold_analyzes_the_views_tables(postgres_url, helper_min, expected):
    services = record_samples(postgres_url)
    projection = services.views.projection
    projection.helper_min = helper_min  # the samples are a long fold, or not
    projection.rebuild()
    found = analyzed(services)
    deadline = time.monotonic() + 5
    while found != expected and time.monotonic() < deadline:  # statistics of statistics
        time.sleep(0.1)  # may reach the view a moment late
        found = analyzed(services)
    services.close()
    assert found == expected
