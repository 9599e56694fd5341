"""Built-in store adapters: embedded SQLite (the default), PostgreSQL, and memory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from core.errors import StoreError
from core.ports import StoreAdapter
from plugins import hookimpl


def sqlite_path(url: str) -> str:
    """The file of ``sqlite:///relative/path.sqlite`` or ``sqlite:////absolute/path``."""
    path = unquote(urlsplit(url).path)
    if path.startswith("/"):
        path = path[1:]
    if not path:
        raise StoreError(f"No file in {url!r}: use sqlite:///path/to/file.sqlite")
    return path


def sqlite_exists(url: str) -> bool:
    path = sqlite_path(url)
    return path == ":memory:" or Path(path).is_file()


def sqlite_writable(url: str) -> bool:
    """The file and its folder (where SQLite keeps its write-ahead log) are writable."""
    path = sqlite_path(url)
    if path == ":memory:":
        return True
    folder = Path(path).parent
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK)


def sqlite_copy(url: str, folder: str) -> str:
    from adapters.sqlite_store import copy_read_only

    target = Path(folder) / "copy.sqlite"
    copy_read_only(sqlite_path(url), target)
    return f"sqlite:///{target}"


def sqlite_environment(url: str) -> Mapping[str, str]:
    """``sqlite:///relative/path.sqlite`` or ``sqlite:////absolute/path.sqlite``."""
    path = sqlite_path(url)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return {
        "PERSISTENCE_MODULE": "adapters.sqlite_store:Factory",
        "SQLITE_DBNAME": path,
        # Several API workers share the file: wait for the write lock, don't fail fast.
        "SQLITE_LOCK_TIMEOUT": "30",
    }


#: Query parameters of a postgresql:// URL and the eventsourcing settings they set.
POSTGRES_OPTIONS = {
    "schema": "POSTGRES_SCHEMA",
    "pool_size": "POSTGRES_POOL_SIZE",
    "max_overflow": "POSTGRES_MAX_OVERFLOW",
    "connect_timeout": "POSTGRES_CONNECT_TIMEOUT",
    "lock_timeout": "POSTGRES_LOCK_TIMEOUT",
}


def postgres_environment(url: str) -> Mapping[str, str]:
    """``postgresql://user:password@host:port/database`` (``?host=/socket/dir`` for a
    Unix socket; ``?schema=``, ``pool_size=``, ``max_overflow=``, ``connect_timeout=``,
    ``lock_timeout=`` pass through to eventsourcing). The password goes into the
    environment handed to eventsourcing, never into messages or logs."""
    parts = urlsplit(url)
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = sorted(set(query) - set(POSTGRES_OPTIONS) - {"host"})
    if unknown:
        raise StoreError(f"Unknown option(s) in the database URL: {', '.join(unknown)}")
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise StoreError("No database in the URL: use postgresql://user:password@host:port/db")
    try:
        port = parts.port
    except ValueError:
        raise StoreError("The port in the database URL is not a number") from None
    host = query.get("host") or unquote(parts.hostname or "") or "127.0.0.1"
    environment = {
        "PERSISTENCE_MODULE": "adapters.postgres_store:Factory",
        "POSTGRES_DBNAME": database,
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": str(port or 5432),
        "POSTGRES_USER": unquote(parts.username or ""),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
    }
    for option, variable in POSTGRES_OPTIONS.items():
        if option in query:
            environment[variable] = query[option]
    if not environment["POSTGRES_USER"]:
        raise StoreError("No user in the URL: use postgresql://user:password@host:port/db")
    return environment


def postgres_exists(url: str) -> bool:
    """Whether the database holds the log's table (`followup init` created it)."""
    from adapters.postgres_store import log_table_exists

    return log_table_exists(postgres_environment(url))


def memory_environment(url: str) -> Mapping[str, str]:
    return {"PERSISTENCE_MODULE": "adapters.memory_store:Factory"}


@hookimpl
def followup_stores() -> list[StoreAdapter]:
    return [
        StoreAdapter(
            "sqlite",
            sqlite_environment,
            "Embedded SQLite file (the default).",
            exists=sqlite_exists,
            writable=sqlite_writable,
            copy=sqlite_copy,
        ),
        StoreAdapter(
            "postgresql",
            postgres_environment,
            "PostgreSQL, for many workers.",
            exists=postgres_exists,
        ),
        StoreAdapter("memory", memory_environment, "In memory, for unit tests."),
    ]
