"""The composition root: builds the store and the services from the plugins' registry
and configuration. Nothing is built at import time; every entry point (API, CLI,
scheduler) calls `bootstrap` and takes what it uses from the services."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from core.application import FollowUp
from core.catalogue import Catalogue
from core.clock import Clock, utc_now
from core.errors import StoreError
from core.importing import Importer
from core.jobs import Job
from core.notifying import NotifierKind, Target, build_targets
from core.ports import StoreAdapter
from core.sql import Sql
from followup.registry import Registry
from reports.sections import ReportContributions

if TYPE_CHECKING:
    from core.accounts import Accounts
    from core.tokens import Tokens
    from core.views.service import Views

DATABASE_URL_VARIABLE = "FOLLOWUP_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///var/followup.sqlite"


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get(DATABASE_URL_VARIABLE) or DEFAULT_DATABASE_URL


@dataclass
class Services:
    """What the entry points work with, built from one registry. Each part is built on
    first use: a command that only verifies the chain never creates the views' tables.
    Jobs get it as their workplace (``core.jobs.Workplace``), the annual report as its
    sources (``reports.sections.ReportSources``): each sees only what it declares."""

    database_url: str
    registry: Registry
    app: FollowUp

    @property
    def catalogue(self) -> Catalogue:
        return self.app.catalogue

    @property
    def sql(self) -> Sql:
        """The store's database, for tables kept beside the log."""
        return self.app.log.sql()

    @cached_property
    def views(self) -> Views:
        """The views, built on first use (it creates their tables)."""
        from core.views.engine import Folds
        from core.views.service import Views

        registry = self.registry
        folds = Folds(self.catalogue, list(registry.view_handlers), list(registry.tallies))
        return Views(
            self.app,
            self.sql,
            folds,
            registry.summary_figures,
            registry.indicators,
            self.app.clock,
        )

    @cached_property
    def tokens(self) -> Tokens:
        """API tokens (their digests in a table beside the log, their issue in the log)."""
        from core.tokens import Tokens

        return Tokens(self.app)

    @cached_property
    def accounts(self) -> Accounts:
        """The console's accounts and its record of sign-ins (tables beside the log,
        opening and changes in the log)."""
        from core.accounts import Accounts

        return Accounts(self.app)

    @property
    def report(self) -> ReportContributions:
        return self.registry.report

    @property
    def jobs(self) -> Mapping[str, Job[Any]]:
        return self.registry.jobs

    @property
    def notifier_kinds(self) -> Mapping[str, NotifierKind]:
        return self.registry.notifiers

    def notifiers(
        self, configured: Mapping[str, Mapping[str, Any]], environ: Mapping[str, str]
    ) -> dict[str, Target]:
        """The notifiers a configuration sets up, built from the plugins' kinds (their
        secrets read from `environ`); ConfigError names what is wrong."""
        return build_targets(configured, self.registry.notifiers, environ)

    @property
    def importers(self) -> Mapping[str, Importer]:
        return self.registry.importers

    def close(self) -> None:
        if "views" in self.__dict__:  # built (a cached property)
            self.views.close()
        self.app.close()


def store_adapter(stores: Mapping[str, StoreAdapter], url: str) -> StoreAdapter:
    """The adapter of the kind of store a URL names."""
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme == "postgres":
        scheme = "postgresql"
    if scheme not in stores:
        known = ", ".join(sorted(f"{s}://" for s in stores))
        raise StoreError(f"Unknown database URL {redacted(url)!r}; known kinds: {known}.")
    return stores[scheme]


class NoStore(StoreError):
    """The URL names no store: only `followup init` creates one."""

    def __init__(self, url: str) -> None:
        super().__init__(f"There is no store at {redacted(url)}; `followup init` creates one.")


def bootstrap(
    url: str | None = None,
    *,
    load_entry_points: bool = True,
    extra_plugins: Iterable[Any] = (),
    clock: Clock = utc_now,
    create: bool = True,
    registry: Registry | None = None,
) -> Services:
    """Open the store named by `url` (or FOLLOWUP_DATABASE_URL, or the embedded default)
    with every plugin loaded, creating its tables if needed; with `create` False, a
    store that does not exist yet is refused (NoStore) and nothing is created. A caller
    that has loaded the plugins already passes their `registry`."""
    url = database_url(url)
    if registry is None:
        registry = Registry.load(load_entry_points=load_entry_points, extra_plugins=extra_plugins)
    catalogue = Catalogue(registry.event_types)
    adapter = store_adapter(registry.stores, url)
    if not create and adapter.exists is not None:
        try:
            found = adapter.exists(url)
        except Exception as error:  # the drivers raise many kinds; one message
            raise StoreError(f"Cannot open the store at {redacted(url)}: {error}") from error
        if not found:
            raise NoStore(url)
    environment = adapter.environment(url)
    try:
        app = FollowUp(environment, catalogue, clock)
    except Exception as error:  # the drivers raise many kinds; the user needs one message
        raise StoreError(f"Cannot open the store at {redacted(url)}: {error}") from error
    return Services(url, registry, app)


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
