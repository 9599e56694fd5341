"""The same property as tests/unit/test_views_against_fold.py on the real stores:
the projection's tables on a SQLite file and on PostgreSQL answer as a naive fold does;
and so they do when every item is big (not kept presented by the tables: read through
what core/views/decoded.py keeps, shared by every example of the run)."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.views import behind, engine, writing
from followup.bootstrap import bootstrap
from tests.unit.test_views_against_fold import check_against_fold

STORE_EXAMPLES = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@pytest.mark.parametrize(
    "mode",
    [
        "in_process",
        "with_a_helper_process",
        "forgetting_items",
        "writing_slowly",
        "forgetting_while_writing_slowly",
        "all_big",
    ],
)
def test_on_sqlite(tmp_path, mode, monkeypatch):
    # A fold with a helper writes each page behind, while it folds the next ones (up
    # to IN_FLIGHT pages handed over). It reads back what it forgot (it keeps
    # KEPT_ITEMS items between pages) from the tables, and what the pages before
    # changed from those pages, while they are being written (slowly here: the
    # writing process, a fork, keeps this patch); it forgets no item a page still
    # being written changed. With every item big, every item read is presented and
    # kept by the reading process.
    helper = mode not in ("in_process", "all_big")
    if mode == "all_big":
        monkeypatch.setattr(engine, "PRESENTED", 0)
    if mode in ("forgetting_items", "forgetting_while_writing_slowly"):
        monkeypatch.setattr(writing, "KEPT_ITEMS", 1)
    if mode in ("writing_slowly", "forgetting_while_writing_slowly"):
        monkeypatch.setattr(behind, "_write", slowly(behind._write))
    on_sqlite(tmp_path, lambda services, data: check_against_fold(services, data, helper=helper))


def on_sqlite(tmp_path, check, examples=STORE_EXAMPLES):
    """Run `check(services, data)` on a fresh SQLite file for each example."""
    numbers = itertools.count()

    @examples
    @given(data=st.data())
    def run(data):
        url = f"sqlite:///{tmp_path}/{next(numbers)}.sqlite"
        services = bootstrap(url, load_entry_points=False)
        try:
            check(services, data)
        finally:
            services.close()

    run()


def on_postgresql(cluster, check, examples=STORE_EXAMPLES):
    """Run `check(services, data)` on a fresh PostgreSQL database for each example."""

    @examples
    @given(data=st.data())
    def run(data):
        name = cluster.create_database()
        services = bootstrap(cluster.url(name), load_entry_points=False)
        try:
            check(services, data)
        finally:
            services.close()
            cluster.drop_database(name)

    run()


def slowly(write, pause: float = 0.05):
    """`write`, each call `pause` seconds late (a page written slowly)."""

    def slow(*args, **kwargs):
        time.sleep(pause)
        return write(*args, **kwargs)

    return slow


@pytest.mark.parametrize("helper", [False, True], ids=["in_process", "with_a_helper_process"])
def test_on_postgresql(postgres_cluster, helper):
    on_postgresql(
        postgres_cluster, lambda services, data: check_against_fold(services, data, helper=helper)
    )
