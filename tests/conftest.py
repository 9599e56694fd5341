"""Shared fixtures: services over the in-memory store (fast, for the core), over a
real SQLite file in a temporary directory, or over a fresh database of the throwaway
PostgreSQL cluster (tests/postgres.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from followup.bootstrap import Services, bootstrap

# The throwaway PostgreSQL cluster (started on first use) and a fresh database per test.
from tests.postgres import (  # noqa: F401
    postgres_cluster,
    postgres_database,
    postgres_services,
    postgres_url,
)

#: Where the Makefile installs the example third-party plugin (tests/plugin_example): a
#: folder of its own, on the path only in the tests about it, so that it changes no
#: other test's expectations.
EXAMPLE_PLUGIN_PATH = Path(sys.prefix) / "plugin-example"


@pytest.fixture
def example_plugin_on(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example plugin installed, as far as this test and the processes it starts
    can tell (its folder on sys.path and PYTHONPATH)."""
    if not any(EXAMPLE_PLUGIN_PATH.glob("followup_legislation_sharing-*.dist-info")):
        pytest.fail(
            f"the example plugin is not installed in {EXAMPLE_PLUGIN_PATH}: run `make test`"
        )
    monkeypatch.syspath_prepend(str(EXAMPLE_PLUGIN_PATH))
    paths = [str(EXAMPLE_PLUGIN_PATH), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    return EXAMPLE_PLUGIN_PATH


@pytest.fixture
def memory_services() -> Iterator[Services]:
    services = bootstrap("memory://", load_entry_points=False)
    yield services
    services.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/followup.sqlite"


@pytest.fixture
def sqlite_services(sqlite_url: str) -> Iterator[Services]:
    services = bootstrap(sqlite_url, load_entry_points=False)
    yield services
    services.close()


@pytest.fixture
def api_client(sqlite_url: str) -> Iterator[Any]:
    """The API through Flask's test client, with a token per role (tests/apiclient.py)."""
    from tests.apiclient import open_api

    yield from open_api(sqlite_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_api(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """The API through Flask's test client over each kind of store (a SQLite file, a
    database of the run's PostgreSQL cluster), working in the test's own folder."""
    from tests.apiclient import open_api
    from tests.server import store_url_for

    monkeypatch.chdir(tmp_path)
    yield from open_api(store_url_for(request, tmp_path))
