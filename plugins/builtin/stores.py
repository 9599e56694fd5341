"""Built-in store adapters: embedded SQLite (the default), PostgreSQL, and memory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from core.errors import StoreError
from core.ports import StoreAdapter
from plugins import hookimpl


def sqlite_environment(url: str) -> Mapping[str, str]:
    """``sqlite:///relative/path.sqlite`` or ``sqlite:////absolute/path.sqlite``."""
    path = unquote(urlsplit(url).path)
    if path.startswith("/"):
        path = path[1:]
    if not path:
        raise StoreError(f"No file in {url!r}: use sqlite:///path/to/file.sqlite")
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return {
        "PERSISTENCE_MODULE": "adapters.sqlite_store:Factory",
        "SQLITE_DBNAME": path,
        # Several API workers share the file: wait for the write lock, don't fail fast.
        "SQLITE_LOCK_TIMEOUT": "30",
    }


def memory_environment(url: str) -> Mapping[str, str]:
    return {"PERSISTENCE_MODULE": "adapters.memory_store:Factory"}


@hookimpl
def followup_stores() -> list[StoreAdapter]:
    return [
        StoreAdapter("sqlite", sqlite_environment, "Embedded SQLite file (the default)."),
        StoreAdapter("memory", memory_environment, "In memory, for unit tests."),
    ]
