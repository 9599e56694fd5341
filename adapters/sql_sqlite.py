"""The Sql port on SQLite: eventsourcing's own SQLite datastore (same file, same pool,
same durability), or a private in-memory database for the memory store."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.sqlite import SQLiteDatastore

from core.sql import Dialect


class SqliteCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cursor.executemany(sql, rows)

    def fetchone(self) -> Mapping[str, Any] | None:
        row = self._cursor.fetchone()
        return dict(row) if row is not None else None

    def fetchall(self) -> list[Mapping[str, Any]]:
        return [dict(row) for row in self._cursor.fetchall()]

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


class SqliteSql:
    dialect: Dialect = "sqlite"

    def __init__(self, datastore: SQLiteDatastore) -> None:
        self.datastore = datastore

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[SqliteCursor]:
        # A writer takes the write lock up front (BEGIN IMMEDIATE): a transaction that
        # reads first and writes later would fail, not wait, if another process wrote
        # in between.
        with self.datastore.get_connection(commit=write) as connection:
            raw: sqlite3.Connection = connection._sqlite_conn
            with _transaction(raw, write) as cursor:
                yield cursor


class MemorySql:
    """One private in-memory SQLite database, for the memory store's side tables."""

    dialect: Dialect = "sqlite"

    def __init__(self) -> None:
        self._connection = sqlite3.connect(
            ":memory:", check_same_thread=False, isolation_level=None
        )
        self._connection.row_factory = sqlite3.Row
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[SqliteCursor]:
        with self._lock, _transaction(self._connection, write) as cursor:
            yield cursor


@contextmanager
def _transaction(connection: sqlite3.Connection, write: bool) -> Iterator[SqliteCursor]:
    cursor = connection.cursor()
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
