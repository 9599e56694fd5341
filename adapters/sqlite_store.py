"""The embedded default store: eventsourcing's SQLite recorder, made durable
(WAL with synchronous=FULL) and chained (a hash chain and the transaction time kept in
the same transaction as each event)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    ListenNotifySubscription,
    StoredEvent,
    Subscription,
)
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteFactory,
)

from adapters.chain import chain_rows, idempotency_row, merge_orphans
from adapters.sql_sqlite import SqliteSql
from core.clock import utc_now
from core.integrity import GENESIS
from core.ports import Head, IdempotencyKey, IdempotentResult, RawRow, StoredRecord

#: How often a subscription looks for events written by other processes.
POLL_INTERVAL = 0.1


class DurableSQLiteConnectionPool(SQLiteConnectionPool):
    """eventsourcing turns WAL on but leaves synchronous=NORMAL, with which a power cut
    can lose the last acknowledged transactions; FULL syncs the WAL on every commit."""

    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        if not self.is_sqlite_memory_mode:
            raw: sqlite3.Connection = connection._sqlite_conn
            raw.execute("PRAGMA synchronous=FULL")
            # SQLite's default page cache is 2 MB; the views' indexes outgrow it quickly,
            # and every insert then reads pages back from disk.
            raw.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        return connection


#: Page cache per connection, in KiB.
CACHE_KIB = 32 * 1024


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """Application recorder whose every insert also writes the chain row of each event."""

    def __init__(self, datastore: Any, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        self._listeners: set[threading.Event] = set()
        self._listeners_lock = threading.Lock()
        table = self.events_table_name  # ours, not user input
        self._scan_joined = (
            "SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state, "  # noqa: S608
            "c.event_id, c.recorded_at, c.hash, c.previous_position "
            f"FROM {table} e LEFT JOIN event_chain c ON c.position = e.rowid "
            "WHERE e.rowid > ? ORDER BY e.rowid LIMIT ?"
        )
        self._scan_orphans = (
            "SELECT c.position, c.event_id, c.recorded_at, c.hash, c.previous_position "  # noqa: S608
            "FROM event_chain c WHERE c.position > ? AND c.position <= ? "
            f"AND NOT EXISTS (SELECT 1 FROM {table} e WHERE e.rowid = c.position) "
            "ORDER BY c.position LIMIT ?"
        )
        self._find_event = (
            f"SELECT rowid FROM {table} WHERE originator_id = ? AND originator_version = ?"  # noqa: S608
        )

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS event_chain ("
            "position INTEGER PRIMARY KEY, "
            "event_id TEXT NOT NULL UNIQUE, "
            "recorded_at TEXT NOT NULL, "
            "hash BLOB NOT NULL, "
            "previous_position INTEGER)",
            "CREATE INDEX IF NOT EXISTS event_chain_recorded_at "
            "ON event_chain (recorded_at, position)",
            "CREATE TABLE IF NOT EXISTS idempotency_keys ("
            "scope TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, "
            "first_position INTEGER NOT NULL, last_position INTEGER NOT NULL, "
            "count INTEGER NOT NULL, PRIMARY KEY (scope, key))",
        ]

    def _create_table(self, c: SQLiteCursor) -> None:
        super()._create_table(c)
        # Stores made before the chain kept the previous position gain the column.
        c.execute("PRAGMA table_info(event_chain)")
        if "previous_position" not in {row["name"] for row in c.fetchall()}:
            try:
                c.execute("ALTER TABLE event_chain ADD COLUMN previous_position INTEGER")
            except sqlite3.OperationalError as error:  # another worker got there first
                if "duplicate column" not in str(error):
                    raise

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super().insert_events(stored_events, **kwargs)
        with self._listeners_lock:
            for listener in self._listeners:
                listener.set()
        return positions

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        *,
        recorded_at: Sequence[str] | None = None,
        idempotency: IdempotencyKey | None = None,
        expected_hashes: Sequence[bytes] | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        # The INSERTs come first: they take SQLite's write lock before the chain's last
        # row is read, so no other writer can slip in between.
        positions = super()._insert_events(c, stored_events, **kwargs)
        assert positions is not None
        if not positions:
            return positions
        c.execute(
            "SELECT position, hash, recorded_at FROM event_chain ORDER BY position DESC LIMIT 1"
        )
        last = c.fetchone()
        rows = chain_rows(
            stored_events,
            positions,
            previous_hash=bytes(last["hash"]) if last else GENESIS,
            previous_recorded_at=last["recorded_at"] if last else None,
            previous_position=last["position"] if last else 0,
            now=utc_now(),
            recorded_at=recorded_at,
            expected_hashes=expected_hashes,
        )
        c.executemany(
            "INSERT INTO event_chain (position, event_id, recorded_at, hash, previous_position) "
            "VALUES (?,?,?,?,?)",
            [
                (r.position, r.event_id.hex, r.recorded_at, r.hash, r.previous_position)
                for r in rows
            ],
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

    # -- the raw scan behind `followup verify` ---------------------------------------

    def scan_log(self, *, after: int | None = None, limit: int = 10000) -> list[RawRow]:
        low = _LOWEST if after is None else after
        with self.datastore.get_connection(commit=False) as connection:
            raw: sqlite3.Connection = connection._sqlite_conn
            # Plain tuples, read in one transaction so both queries see the same store.
            cursor = raw.cursor()
            cursor.row_factory = None
            try:
                cursor.execute("BEGIN")
                cursor.execute(self._scan_joined, (low, limit))
                joined = _joined_rows(cursor.fetchall())
                high = joined[-1][0] if len(joined) == limit else _HIGHEST
                cursor.execute(self._scan_orphans, (low, high, limit))
                orphans = [
                    RawRow(p, None, None, None, None, _id_bytes(e), r, _blob(h), q)
                    for p, e, r, h, q in cursor.fetchall()
                ]
            finally:
                raw.rollback()
                cursor.close()
        return merge_orphans(joined, orphans, limit)

    def chain_position(self, event_id: UUID) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT position FROM event_chain WHERE event_id = ?", [event_id.hex])
            row = c.fetchone()
        return int(row["position"]) if row else None

    def event_position(self, originator_id: UUID, version: int) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._find_event, [originator_id.hex, version])
            row = c.fetchone()
        return int(row["rowid"]) if row else None

    # -- subscriptions ------------------------------------------------------------

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        """eventsourcing's SQLite recorder has none; projection runners need one."""
        return PollingSubscription(self, gt=gt, topics=topics)

    def listen(self, listener: threading.Event) -> None:
        with self._listeners_lock:
            self._listeners.add(listener)

    def unlisten(self, listener: threading.Event) -> None:
        with self._listeners_lock:
            self._listeners.discard(listener)


class PollingSubscription(ListenNotifySubscription[ChainedSQLiteApplicationRecorder]):
    """SQLite cannot notify other processes, so the subscription looks for new events
    every POLL_INTERVAL; events written by this process wake it at once."""

    def __init__(
        self,
        recorder: ChainedSQLiteApplicationRecorder,
        gt: int | None = None,
        topics: Sequence[str] = (),
        interval: float = POLL_INTERVAL,
    ) -> None:
        self._interval = interval
        self._polling_stopped = threading.Event()
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        recorder.listen(self._has_been_notified)
        self._poll_thread = threading.Thread(target=self._poll, daemon=True)
        self._poll_thread.start()

    def _poll(self) -> None:
        while not self._polling_stopped.wait(self._interval):
            self._has_been_notified.set()

    def stop(self) -> None:
        self._polling_stopped.set()
        super().stop()
        self._recorder.unlisten(self._has_been_notified)

    def __exit__(self, *args: object, **kwargs: Any) -> None:
        try:
            super().__exit__(*args, **kwargs)
        finally:
            self._poll_thread.join()


#: Below and above every rowid SQLite can hold: a full scan sees rows forged anywhere.
_LOWEST = -(2**63)
_HIGHEST = 2**63 - 1


def _joined_rows(fetched: list[tuple[Any, ...]]) -> list[RawRow]:
    """Rows of the scan's join, ids as bytes. The fast path assumes well-formed rows;
    a damaged one sends the page through the careful conversion."""
    fromhex = bytes.fromhex
    try:
        return [
            RawRow(p, fromhex(o), v, t, s, None if e is None else fromhex(e), r, h, q)
            for p, o, v, t, s, e, r, h, q in fetched
        ]
    except (TypeError, ValueError):
        return [
            RawRow(p, _id_bytes(o) or b"", v, t, _blob(s), _id_bytes(e), r, _blob(h), q)
            for p, o, v, t, s, e, r, h, q in fetched
        ]


def _blob(value: Any) -> Any:
    """A BLOB column as bytes, whatever a damaged row stored there (None stays None)."""
    if value is None or isinstance(value, bytes):
        return value
    return value.encode("utf-8") if isinstance(value, str) else str(value).encode("utf-8")


def _id_bytes(value: Any) -> bytes | None:
    """A stored UUID (hex text) as its 16 bytes; anything else as its own bytes, so a
    damaged row still hashes to something (and fails to verify)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return bytes.fromhex(value) if len(value) == 32 else UUID(value).bytes
        except ValueError:
            return value.encode("utf-8")
    return bytes(value)


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
