"""The Sql port on SQLite: eventsourcing's own SQLite datastore (same file, same pool,
same durability), or a private in-memory database for the memory store."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from eventsourcing.persistence import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    PersistenceError,
    ProgrammingError,
)
from eventsourcing.sqlite import SQLITE3_DEFAULT_LOCK_TIMEOUT, SQLiteDatastore

from core.sql import Dialect

#: sqlite3's errors as eventsourcing's, which the PostgreSQL port raises too: code
#: written against the port catches the same errors on either backend.
_ERRORS: tuple[tuple[type[sqlite3.Error], type[PersistenceError]], ...] = (
    (sqlite3.IntegrityError, IntegrityError),
    (sqlite3.OperationalError, OperationalError),
    (sqlite3.ProgrammingError, ProgrammingError),
    (sqlite3.DataError, DataError),
    (sqlite3.InterfaceError, InterfaceError),
    (sqlite3.InternalError, InternalError),
    (sqlite3.NotSupportedError, NotSupportedError),
    (sqlite3.DatabaseError, DatabaseError),
    (sqlite3.Error, PersistenceError),
)


@contextmanager
def _portable_errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as error:
        for raw, portable in _ERRORS:
            if isinstance(error, raw):
                raise portable(str(error)) from error
        raise  # pragma: no cover - sqlite3.Error is the last entry


#: Pages of WAL after which a transaction of derived rows copies the WAL back into the
#: database (SQLite's default is 1000: a fold of big pages would copy its rows back
#: page after page; fewer, larger copies write each database page fewer times).
DERIVED_CHECKPOINT = 50_000
#: How long a transaction of derived rows waits for the database's write lock, in ms.
DERIVED_BUSY_MS = 200


class SqliteCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with _portable_errors():
            self._cursor.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with _portable_errors():
            self._cursor.executemany(sql, rows)

    def fetchone(self) -> Mapping[str, Any] | None:
        row = self._cursor.fetchone()
        return dict(row) if row is not None else None

    def fetchall(self) -> list[Mapping[str, Any]]:
        return [dict(row) for row in self._cursor.fetchall()]

    def fetchrows(self) -> Sequence[Sequence[Any]]:
        # sqlite3.Row is already a sequence of the values.
        rows: list[Sequence[Any]] = self._cursor.fetchall()
        return rows

    def fetchmany(self, size: int) -> Sequence[Sequence[Any]]:
        rows: list[Sequence[Any]] = self._cursor.fetchmany(size)
        return rows

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


class SqliteSql:
    dialect: Dialect = "sqlite"

    def __init__(self, datastore: SQLiteDatastore) -> None:
        self.datastore = datastore

    @contextmanager
    def transaction(self, *, write: bool, derived: bool = False) -> Iterator[SqliteCursor]:
        # A writer takes the write lock up front (BEGIN IMMEDIATE): a transaction that
        # reads first and writes later would fail, not wait, if another process wrote
        # in between.
        with self.datastore.get_connection(commit=write) as connection:
            raw: sqlite3.Connection = connection._sqlite_conn
            if write and derived:
                # Derived rows may be lost in a power cut (they are rebuilt from the log):
                # their commit need not wait for the disk. WAL keeps them consistent.
                raw.execute("PRAGMA synchronous=NORMAL")
                raw.execute(f"PRAGMA wal_autocheckpoint={DERIVED_CHECKPOINT}")
                # A writer of derived rows does not queue behind the log's writers with
                # this process's one writing connection in hand: it gives up soon, and
                # tries again later (see core/views/projection.py).
                raw.execute(f"PRAGMA busy_timeout={DERIVED_BUSY_MS}")
            try:
                with _transaction(raw, write) as cursor:
                    yield cursor
            finally:
                if write and derived:
                    raw.execute("PRAGMA synchronous=FULL")
                    raw.execute("PRAGMA wal_autocheckpoint=1000")
                    timeout = self.datastore.pool.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT
                    raw.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")

    def scratch(self) -> AbstractContextManager[FileSql]:
        return scratch_sql()

    def settle(self) -> None:
        """Copy the WAL into the database now (what transactions of derived rows put
        off), so that the next writer does not pay for it."""
        if self.datastore.pool.is_sqlite_memory_mode:
            return
        with self.datastore.get_connection(commit=False) as connection:
            connection._sqlite_conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def analyze(self, tables: Sequence[str]) -> None:
        return None  # SQLite's plans here follow the indexes' shapes, not statistics

    def lease(self, name: str) -> AbstractContextManager[bool]:
        pool = self.datastore.pool
        if pool.is_sqlite_memory_mode:
            return _process_lease(f"{pool.db_name}/{name}")
        return _file_lease(f"{pool.db_name}-{name}.lock")


#: Leases of stores without a file (in memory), held in this process.
_MEMORY_LEASES: dict[str, threading.Lock] = {}
_MEMORY_LEASES_LOCK = threading.Lock()


@contextmanager
def _process_lease(key: str) -> Iterator[bool]:
    with _MEMORY_LEASES_LOCK:
        lock = _MEMORY_LEASES.setdefault(key, threading.Lock())
    held = lock.acquire(blocking=False)
    try:
        yield held
    finally:
        if held:
            lock.release()


@contextmanager
def _file_lease(path: str) -> Iterator[bool]:
    """An exclusive lock on a file beside the database (flock: released by the system
    if the process dies; separate opens exclude each other, threads included)."""
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # a read-only place: nothing can be written there anyway
        yield False
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


class PrivateSql:
    """A SQLite database of this process alone, behind one connection and a lock."""

    dialect: Dialect = "sqlite"

    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.row_factory = sqlite3.Row
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self, *, write: bool, derived: bool = False) -> Iterator[SqliteCursor]:
        with self._lock, _transaction(self._connection, write) as cursor:
            yield cursor

    def lease(self, name: str) -> AbstractContextManager[bool]:
        return _process_lease(f"{id(self)}/{name}")

    def scratch(self) -> AbstractContextManager[FileSql]:
        return scratch_sql()

    def settle(self) -> None:
        return None

    def analyze(self, tables: Sequence[str]) -> None:
        return None


class FileSql(PrivateSql):
    """A private SQLite file, for scratch work (folding views again to compare)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self._connection.execute("PRAGMA journal_mode=OFF")
        self._connection.execute("PRAGMA synchronous=OFF")
        self._connection.execute("PRAGMA cache_size=-32768")

    def close(self) -> None:
        self._connection.close()


@contextmanager
def scratch_sql() -> Iterator[FileSql]:
    with tempfile.TemporaryDirectory(prefix="followup-scratch-") as folder:
        sql = FileSql(os.path.join(folder, "scratch.sqlite"))
        try:
            yield sql
        finally:
            sql.close()


class MemorySql(PrivateSql):
    """One private in-memory SQLite database, for the memory store's side tables."""

    def __init__(self) -> None:
        super().__init__(":memory:")


@contextmanager
def _transaction(connection: sqlite3.Connection, write: bool) -> Iterator[SqliteCursor]:
    cursor = connection.cursor()
    with _portable_errors():  # a busy database too says so as the port's error
        cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield SqliteCursor(cursor)
    except BaseException:
        connection.rollback()
        raise
    finally:
        if connection.in_transaction:
            if write:
                connection.commit()
            else:
                connection.rollback()
        cursor.close()
