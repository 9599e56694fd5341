"""The same property as tests/unit/test_views_against_fold.py on the real stores:
the projection's tables on a SQLite file and on PostgreSQL answer as a naive fold does;
and so they do when every item is big (not kept presented by the tables: read through
what core/views/decoded.py keeps, shared by every example of the run)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.views import engine
from followup.bootstrap import bootstrap
from tests.unit.test_views_against_fold import check_against_fold

STORE_EXAMPLES = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@pytest.mark.parametrize("helper", [False, True], ids=["in_process", "with_a_helper_process"])
def test_on_sqlite(tmp_path, helper):
    numbers = itertools.count()

    @STORE_EXAMPLES
    @given(data=st.data())
    def check(data):
        services = bootstrap(
            f"sqlite:///{tmp_path}/{next(numbers)}.sqlite", load_entry_points=False
        )
        try:
            check_against_fold(services, data, helper=helper)
        finally:
            services.close()

    check()


def test_on_sqlite_with_every_item_big(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "PRESENTED", 0)
    numbers = itertools.count()

    @STORE_EXAMPLES
    @given(data=st.data())
    def check(data):
        services = bootstrap(
            f"sqlite:///{tmp_path}/{next(numbers)}.sqlite", load_entry_points=False
        )
        try:
            check_against_fold(services, data)
        finally:
            services.close()

    check()


def test_on_postgresql(postgres_cluster):
    @STORE_EXAMPLES
    @given(data=st.data())
    def check(data):
        name = postgres_cluster.create_database()
        services = bootstrap(postgres_cluster.url(name), load_entry_points=False)
        try:
            check_against_fold(services, data)
        finally:
            services.close()
            postgres_cluster.drop_database(name)

    check()
