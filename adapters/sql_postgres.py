"""The Sql port on PostgreSQL (psycopg 3), over eventsourcing's own datastore: the same
connection pool, database and schema as the log.

Queries are written once with ``?`` placeholders (core/sql.py); this adapter turns them
into psycopg's ``%s``. Writers are serialised, as SQLite serialises them (BEGIN
IMMEDIATE), by a transaction-scoped advisory lock: code written against one backend
behaves the same on the other, read-then-write included."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from adapters.sql_sqlite import FileSql, scratch_sql
from core.sql import Dialect

#: The advisory lock every writing transaction of the port holds (an arbitrary key).
WRITERS_LOCK = 0x666F6C6C6F777570  # "followup"


@lru_cache(maxsize=512)
def to_psycopg(sql: str) -> str:
    """``?`` placeholders to ``%s``, outside quoted literals and identifiers; a literal
    ``%`` becomes ``%%``, since psycopg reads every ``%`` as the start of a placeholder."""
    out: list[str] = []
    quote: str | None = None
    for char in sql:
        if quote is not None:
            if char == quote:
                quote = None
            out.append("%%" if char == "%" else char)
        elif char in ("'", '"'):
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


#: Rows inserted as they are (no ON CONFLICT, no expression): `INSERT INTO table
#: (columns) VALUES (?,...,?)`, which executemany sends by COPY.
PLAIN_INSERT = re.compile(r"INSERT INTO (\w+) \(([\w, ]+)\) VALUES \((?:\?,)*\?\)", re.ASCII)
#: Fewer rows than this are inserted one statement each, as psycopg pipelines them.
COPY_FROM = 20


class PostgresCursor:
    def __init__(self, cursor: Cursor[DictRow]) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(to_psycopg(sql), list(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Many rows; a plain insert of many by COPY, which the server takes for less
        than as many INSERTs (a page of the views' fold writes thousands of rows: the
        replay of 100,000 events, `python -m bench.views --postgres 100000`, folded
        21,900-22,800 events/s with INSERTs, 30,100-30,900 by COPY)."""
        insert = PLAIN_INSERT.fullmatch(sql)
        if insert is not None and len(rows) >= COPY_FROM:
            table, columns = insert.groups()
            with self._cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        self._cursor.executemany(to_psycopg(sql), [list(row) for row in rows])

    def fetchone(self) -> Mapping[str, Any] | None:
        row = self._cursor.fetchone()
        return dict(row) if row is not None else None

    def fetchall(self) -> list[Mapping[str, Any]]:
        return [dict(row) for row in self._cursor.fetchall()]

    def fetchrows(self) -> Sequence[Sequence[Any]]:
        return [tuple(row.values()) for row in self._cursor.fetchall()]

    def fetchmany(self, size: int) -> Sequence[Sequence[Any]]:
        return [tuple(row.values()) for row in self._cursor.fetchmany(size)]

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


class PostgresSql:
    dialect: Dialect = "postgresql"

    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore

    @contextmanager
    def transaction(self, *, write: bool, derived: bool = False) -> Iterator[PostgresCursor]:
        # eventsourcing's datastore rolls back unless asked to commit, and turns
        # psycopg's errors into eventsourcing's (IntegrityError, OperationalError...).
        with self.datastore.transaction(commit=write) as cursor:
            if write:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITERS_LOCK])
            if write and derived:
                # Derived rows are rebuilt from the log if a crash loses them.
                cursor.execute("SET LOCAL synchronous_commit = off")
            yield PostgresCursor(cursor)

    def scratch(self) -> AbstractContextManager[FileSql]:
        return scratch_sql()

    def settle(self) -> None:
        return None  # the server checkpoints on its own schedule

    def analyze(self, tables: Sequence[str]) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            for table in tables:
                cursor.execute(SQL("ANALYZE {}").format(Identifier(table)))

    @contextmanager
    def lease(self, name: str) -> Iterator[bool]:
        """A session advisory lock on a connection kept for the purpose (released by
        the server if the connection or the process goes)."""
        key = int.from_bytes(
            hashlib.sha256(f"followup/{name}".encode()).digest()[:8], "big", signed=True
        )
        with self.datastore.get_connection() as connection:
            row = connection.execute("SELECT pg_try_advisory_lock(%s) AS held", [key]).fetchone()
            held = bool(row["held"]) if row else False
            connection.commit()
            try:
                yield held
            finally:
                if held:
                    connection.execute("SELECT pg_advisory_unlock(%s)", [key])
                    connection.commit()
