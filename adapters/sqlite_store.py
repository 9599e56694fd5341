"""The embedded default store: eventsourcing's SQLite recorder, made durable
(WAL with synchronous=FULL) and chained (a hash chain and the transaction time kept in
the same transaction as each event)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteFactory,
)

from adapters.chain import chain_rows, idempotency_row
from adapters.sql_sqlite import SqliteSql
from core.clock import utc_now
from core.integrity import GENESIS
from core.ports import Head, IdempotencyKey, IdempotentResult, StoredRecord


class DurableSQLiteConnectionPool(SQLiteConnectionPool):
    """eventsourcing turns WAL on but leaves synchronous=NORMAL, with which a power cut
    can lose the last acknowledged transactions; FULL syncs the WAL on every commit."""

    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        if not self.is_sqlite_memory_mode:
            raw: sqlite3.Connection = connection._sqlite_conn
            raw.execute("PRAGMA synchronous=FULL")
        return connection


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """Application recorder whose every insert also writes the chain row of each event."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS event_chain ("
            "position INTEGER PRIMARY KEY, "
            "event_id TEXT NOT NULL UNIQUE, "
            "recorded_at TEXT NOT NULL, "
            "hash BLOB NOT NULL)",
            "CREATE INDEX IF NOT EXISTS event_chain_recorded_at "
            "ON event_chain (recorded_at, position)",
            "CREATE TABLE IF NOT EXISTS idempotency_keys ("
            "scope TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, "
            "first_position INTEGER NOT NULL, last_position INTEGER NOT NULL, "
            "count INTEGER NOT NULL, PRIMARY KEY (scope, key))",
        ]

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        *,
        recorded_at: Sequence[str] | None = None,
        idempotency: IdempotencyKey | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        # The INSERTs come first: they take SQLite's write lock before the chain's last
        # row is read, so no other writer can slip in between.
        positions = super()._insert_events(c, stored_events, **kwargs)
        assert positions is not None
        c.execute("SELECT hash, recorded_at FROM event_chain ORDER BY position DESC LIMIT 1")
        last = c.fetchone()
        rows = chain_rows(
            stored_events,
            positions,
            previous_hash=bytes(last["hash"]) if last else GENESIS,
            previous_recorded_at=last["recorded_at"] if last else None,
            now=utc_now(),
            recorded_at=recorded_at,
        )
        c.executemany(
            "INSERT INTO event_chain (position, event_id, recorded_at, hash) VALUES (?,?,?,?)",
            [(r.position, r.event_id.hex, r.recorded_at, r.hash) for r in rows],
        )
        if idempotency is not None:
            c.execute(
                "INSERT INTO idempotency_keys "
                "(scope, key, request_hash, first_position, last_position, count) "
                "VALUES (?,?,?,?,?,?)",
                idempotency_row(idempotency, positions),
            )
        return positions

    _select_records = (
        "SELECT e.rowid AS position, e.originator_id, e.originator_version, e.topic, e.state, "
        "c.event_id, c.recorded_at, c.hash "
        "FROM stored_events e JOIN event_chain c ON c.position = e.rowid "
    )

    def select_records(
        self, *, after: int = 0, limit: int = 1000, upto: int | None = None
    ) -> list[StoredRecord]:
        statement = self._select_records + "WHERE e.rowid > ? "
        params: list[Any] = [after]
        if upto is not None:
            statement += "AND e.rowid <= ? "
            params.append(upto)
        statement += "ORDER BY e.rowid LIMIT ?"
        params.append(limit)
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return [_record(row) for row in c.fetchall()]

    def find_record(self, event_id: UUID) -> StoredRecord | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_records + "WHERE c.event_id = ?", [event_id.hex])
            row = c.fetchone()
        return _record(row) if row else None

    def head(self) -> Head:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT position, recorded_at, hash FROM event_chain ORDER BY position DESC LIMIT 1"
            )
            row = c.fetchone()
        if row is None:
            return Head(0, None, GENESIS)
        return Head(row["position"], row["recorded_at"], bytes(row["hash"]))

    def find_idempotent(self, scope: str, key: str) -> IdempotentResult | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT request_hash, first_position, last_position, count FROM idempotency_keys "
                "WHERE scope = ? AND key = ?",
                [scope, key],
            )
            row = c.fetchone()
        if row is None:
            return None
        return IdempotentResult(
            row["request_hash"], row["first_position"], row["last_position"], row["count"]
        )

    def sql(self) -> SqliteSql:
        return SqliteSql(self.datastore)

    def position_at(self, recorded_at: str) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT position FROM event_chain WHERE recorded_at <= ? "
                "ORDER BY recorded_at DESC, position DESC LIMIT 1",
                [recorded_at],
            )
            row = c.fetchone()
        return int(row["position"]) if row else 0


def _record(row: sqlite3.Row) -> StoredRecord:
    return StoredRecord(
        position=row["position"],
        event_id=UUID(row["event_id"]),
        originator_id=UUID(row["originator_id"]),
        originator_version=row["originator_version"],
        topic=row["topic"],
        state=bytes(row["state"]),
        recorded_at=row["recorded_at"],
        hash=bytes(row["hash"]),
    )


class Factory(SQLiteFactory):
    """eventsourcing infrastructure factory for PERSISTENCE_MODULE=adapters.sqlite_store."""

    application_recorder_class = ChainedSQLiteApplicationRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        pool = self.datastore.pool
        self.datastore.pool = DurableSQLiteConnectionPool(
            db_name=pool.db_name, lock_timeout=pool.lock_timeout
        )
        pool.close()
