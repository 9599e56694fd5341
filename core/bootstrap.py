"""The composition root: builds the store, plugins and services from configuration.
Nothing is built at import time; every entry point (API, CLI, scheduler) calls this."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pluggy

from core.application import FollowUp
from core.catalogue import Catalogue
from core.clock import Clock, utc_now
from core.errors import StoreError
from core.ports import StoreAdapter
from core.sql import Sql
from plugins import collect, plugin_manager

if TYPE_CHECKING:
    from core.views.service import Views

DATABASE_URL_VARIABLE = "FOLLOWUP_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///var/followup.sqlite"


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get(DATABASE_URL_VARIABLE) or DEFAULT_DATABASE_URL


@dataclass
class Services:
    """Everything an entry point works with."""

    database_url: str
    plugins: pluggy.PluginManager
    catalogue: Catalogue
    app: FollowUp

    @property
    def sql(self) -> Sql:
        """The store's database, for tables kept beside the log."""
        return self.app.log.sql()

    @cached_property
    def views(self) -> Views:
        """The views, built on first use (it creates their tables)."""
        from core.views.engine import Folds
        from core.views.service import Views

        hook = self.plugins.hook
        folds = Folds(
            self.catalogue,
            collect(hook.followup_view_handlers),
            collect(hook.followup_tallies),
        )
        return Views(
            self.app,
            self.sql,
            folds,
            collect(hook.followup_summary_figures),
            collect(hook.followup_indicators),
            self.app.clock,
        )

    def close(self) -> None:
        self.app.close()


def store_adapters(manager: pluggy.PluginManager) -> dict[str, StoreAdapter]:
    adapters: dict[str, StoreAdapter] = {}
    for adapter in collect(manager.hook.followup_stores):
        adapters[adapter.scheme] = adapter
    return adapters


def store_adapter(manager: pluggy.PluginManager, url: str) -> StoreAdapter:
    """The adapter of the kind of store a URL names."""
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme == "postgres":
        scheme = "postgresql"
    adapters = store_adapters(manager)
    if scheme not in adapters:
        known = ", ".join(sorted(f"{s}://" for s in adapters))
        raise StoreError(f"Unknown database URL {redacted(url)!r}; known kinds: {known}.")
    return adapters[scheme]


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
) -> Services:
    """Open the store named by `url` (or FOLLOWUP_DATABASE_URL, or the embedded default)
    with every plugin loaded, creating its tables if needed; with `create` False, a
    store that does not exist yet is refused (NoStore) and nothing is created."""
    url = database_url(url)
    manager = plugin_manager(load_entry_points=load_entry_points, extra=extra_plugins)
    catalogue = Catalogue(collect(manager.hook.followup_event_types))
    adapter = store_adapter(manager, url)
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
    return Services(url, manager, catalogue, app)


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
