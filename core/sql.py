"""The port for tables kept beside the log in the store's own database (tokens,
idempotency keys, views...). Queries use ``?`` placeholders and parameters only; each
adapter translates the placeholder for its driver. Rows are read by column name."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgresql"]


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def fetchone(self) -> Mapping[str, Any] | None: ...

    def fetchall(self) -> list[Mapping[str, Any]]: ...

    def fetchrows(self) -> Sequence[Sequence[Any]]:
        """The remaining rows as sequences of values, in the columns' order (no
        mapping per row: for reads of many rows)."""
        ...

    def fetchmany(self, size: int) -> Sequence[Sequence[Any]]:
        """At most `size` of the remaining rows, as fetchrows gives them."""
        ...

    @property
    def rowcount(self) -> int: ...


class Sql(Protocol):
    """A transaction on the store's database. `write=True` commits at the end (and
    rolls back on any exception); `write=False` never changes anything. `derived=True`
    says the rows written can be rebuilt from the log (views): the commit may return
    before the disk has them, though never leave them half written."""

    dialect: Dialect

    def transaction(
        self, *, write: bool, derived: bool = False
    ) -> AbstractContextManager[Cursor]: ...

    def scratch(self) -> AbstractContextManager[Sql]:
        """A throwaway database of the same dialect rules (a temporary SQLite file
        where the store is a file or a server), removed when the block ends: for
        folding the log again to compare with the tables kept here."""
        ...

    def settle(self) -> None:
        """After many transactions of derived rows: let the database put its house in
        order now (SQLite copies its write-ahead log into the file, which transactions
        of derived rows put off), rather than in the next writer's transaction."""
        ...

    def analyze(self, tables: Sequence[str]) -> None:
        """After these tables grew by much (the views folded again, a large import):
        bring the statistics the database plans its queries by up to date now.
        PostgreSQL's autovacuum would do it within a minute or more, its plans meanwhile
        made for empty tables (after a million-event rebuild a follower took 0.52 s a
        page, timed by a script outside the repository before this method; with it,
        `python -m bench.views --postgres 1000000 --postgres-import 100000` gave 0.22 s);
        SQLite plans by the indexes' shapes (none).
        Added after the port's first release: a port without it is not asked."""
        ...

    def lease(self, name: str) -> AbstractContextManager[bool]:
        """Try to hold the store-wide lease `name` without waiting: yields whether it
        is held (by this caller alone, across threads and processes) until the block
        ends, or until the process dies (the lease then goes with it)."""
        ...


def iterate(cursor: Cursor) -> Iterator[Mapping[str, Any]]:
    yield from cursor.fetchall()
