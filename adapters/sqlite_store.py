"""The embedded default store: eventsourcing's SQLite recorder, made durable
(WAL with synchronous=FULL) and chained (each event's row also holds its transaction
time and its link in the hash chain, written by the same INSERT)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    InterfaceError,
    ListenNotifySubscription,
    OperationalError,
    StoredEvent,
    Subscription,
)
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteFactory,
    SQLiteTransaction,
)

from adapters.chain import (
    LEGACY_LAYOUT,
    chain_rows,
    event_row,
    idempotency_row,
    written_records,
)
from adapters.sql_sqlite import SqliteSql
from adapters.tree import SQLITE_TABLE, SqlTreeSource, TreeKeeper
from core.clock import format_timestamp, utc_now
from core.integrity import GENESIS, event_id, event_stream_prefix
from core.ports import (
    Head,
    IdempotencyKey,
    IdempotentResult,
    PreservedChunk,
    RawRow,
    StoredRecord,
)

#: How often a subscription looks for events written by other processes.
POLL_INTERVAL = 0.1


class DurableSQLiteConnectionPool(SQLiteConnectionPool):
    """Connections as eventsourcing makes them (WAL, autocommit, rows by name), but
    durable: eventsourcing leaves synchronous=NORMAL, with which a power cut can lose
    the last acknowledged transactions; FULL syncs the WAL on every commit. And with a
    statement cache: eventsourcing asks for `cached_statements=True`, which is a cache
    of one, so every statement of a transaction was compiled again each time (measured:
    half the CPU time of a one-event append)."""

    def _create_connection(self) -> SQLiteConnection:
        try:
            raw = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,  # autocommit: transactions are begun explicitly
                cached_statements=STATEMENT_CACHE,
                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except (sqlite3.Error, TypeError) as error:
            raise InterfaceError(error) from error
        if not self.is_sqlite_memory_mode:
            if raw.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                raw.execute("PRAGMA journal_mode=WAL")
            self.is_journal_mode_wal = True
            raw.execute("PRAGMA synchronous=FULL")
            # SQLite's default page cache is 2 MB; the views' indexes outgrow it quickly,
            # and every insert then reads pages back from disk.
            raw.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        raw.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=raw, max_age=self.max_age)


#: Page cache per connection, in KiB.
CACHE_KIB = 32 * 1024
#: Compiled statements kept per connection.
STATEMENT_CACHE = 256


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """Application recorder whose every event row also holds its link in the chain
    (`recorded_at`, `hash`, `previous_position`), written in the same INSERT, and
    which keeps the log's Merkle tree in the same transaction."""

    #: False only for the benchmark's baseline: the chain alone, as before the tree.
    keeps_tree = True

    def __init__(self, datastore: Any, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        self._listeners: set[threading.Event] = set()
        self._listeners_lock = threading.Lock()
        self._tree = TreeKeeper()
        table = self.events_table_name  # ours, not user input
        self._insert_chained = (
            f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, state, "  # noqa: S608
            "recorded_at, hash, previous_position) VALUES (?,?,?,?,?,?,?,?)"
        )
        self._last_link = (
            f"SELECT rowid, recorded_at, hash FROM {table} ORDER BY rowid DESC LIMIT 1"  # noqa: S608
        )
        self._select_records = (
            "SELECT rowid AS position, originator_id, originator_version, topic, state, "  # noqa: S608
            f"recorded_at, hash FROM {table} WHERE hash IS NOT NULL "
        )
        self._scan = (
            "SELECT rowid, originator_id, originator_version, topic, state, "  # noqa: S608
            f"recorded_at, hash, previous_position FROM {table} "
            "WHERE rowid > ? ORDER BY rowid LIMIT ?"
        )
        self._at = (
            "SELECT rowid, originator_id, originator_version, topic, state, "  # noqa: S608
            f"recorded_at, hash, previous_position FROM {table} "
            "WHERE rowid IN ({}) ORDER BY rowid"
        )
        self._time_from = (
            f"SELECT recorded_at FROM {table} WHERE rowid >= ? AND recorded_at IS NOT NULL "  # noqa: S608
            "ORDER BY rowid LIMIT 1"
        )
        self._find_event = (
            f"SELECT rowid FROM {table} WHERE originator_id = ? AND originator_version = ?"  # noqa: S608
        )

    def construct_create_table_statements(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {self.events_table_name} ("
            "originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
            "recorded_at TEXT, hash BLOB, previous_position INTEGER, "
            "PRIMARY KEY (originator_id, originator_version))",
            "CREATE TABLE IF NOT EXISTS idempotency_keys ("
            "scope TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, "
            "first_position INTEGER NOT NULL, last_position INTEGER NOT NULL, "
            "count INTEGER NOT NULL, PRIMARY KEY (scope, key))",
            SQLITE_TABLE,
        ]

    def _create_table(self, c: SQLiteCursor) -> None:
        c.execute(f"PRAGMA table_info({self.events_table_name})")
        columns = {row["name"] for row in c.fetchall()}
        if columns and "hash" not in columns:
            raise OperationalError(LEGACY_LAYOUT)
        super()._create_table(c)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with (
            self.datastore.get_connection(commit=True) as connection,
            ImmediateTransaction(connection, commit=True) as c,
            c,
        ):
            positions = self._insert_events(c, stored_events, **kwargs)
        self._notify_listeners()
        return positions

    def _notify_listeners(self) -> None:
        with self._listeners_lock:
            for listener in self._listeners:
                listener.set()

    def restore_chunks(self, chunks: Iterable[PreservedChunk]) -> int:
        count = 0
        with (
            self.datastore.get_connection(commit=True) as connection,
            ImmediateTransaction(connection, commit=True) as c,
            c,
        ):
            for chunk in chunks:
                positions = self._insert_events(
                    c,
                    chunk.stored_events,
                    recorded_at=chunk.recorded_at,
                    expected_hashes=chunk.hashes,
                )
                assert positions is not None
                chunk.appended(positions)
                count += len(positions)
        self._notify_listeners()
        return count

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        *,
        recorded_at: Sequence[str] | None = None,
        idempotency: IdempotencyKey | None = None,
        expected_hashes: Sequence[bytes] | None = None,
        written: list[StoredRecord] | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        # The transaction holds SQLite's write lock from its BEGIN: no other writer can
        # come between reading the chain's last link and writing the new ones.
        c.execute(self._last_link)
        last = c.fetchone()
        if last is not None and not isinstance(last["hash"], bytes):
            raise IntegrityError(f"the event at position {last['rowid']} has no link: verify")
        first = last["rowid"] + 1 if last else 1
        positions = list(range(first, first + len(stored_events)))
        rows = chain_rows(
            stored_events,
            positions,
            previous_hash=last["hash"] if last else GENESIS,
            previous_recorded_at=last["recorded_at"] if last else None,
            previous_position=last["rowid"] if last else 0,
            now=utc_now(),
            recorded_at=recorded_at,
            expected_hashes=expected_hashes,
            leaves=self.keeps_tree,
        )
        values = [
            event_row(stored, row, _uuid(stored.originator_id).hex)
            for stored, row in zip(stored_events, rows, strict=True)
        ]
        if len(values) == 1:  # the API's usual case
            c.execute(self._insert_chained, values[0])
        else:
            c.executemany(self._insert_chained, values)
        if idempotency is not None:
            c.execute(
                "INSERT INTO idempotency_keys "
                "(scope, key, request_hash, first_position, last_position, count) "
                "VALUES (?,?,?,?,?,?)",
                idempotency_row(idempotency, positions),
            )
        if self.keeps_tree:
            nodes = self._tree.appended(
                self._tree_source(c),
                last["rowid"] if last else 0,
                bytes(last["hash"]) if last else GENESIS,
                [row.leaf for row in rows],
                rows[-1].hash,
            )
            if nodes:
                c.executemany(_INSERT_NODE, nodes)
        if written is not None:
            written.extend(written_records(stored_events, rows))
        return positions

    # -- the Merkle tree (core/merkle.py, adapters/tree.py) -----------------------------

    def _tree_source(self, c: SQLiteCursor) -> SqlTreeSource:
        def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
            c.execute(sql, params)
            return [tuple(row) for row in c.fetchall()]

        return self._source(fetch)

    def tree_source(self) -> SqlTreeSource:
        """The tree's nodes and leaves for reading (each read its own transaction:
        what a tree of some size rests on never changes)."""

        def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
            with self.datastore.transaction(commit=False) as c:
                c.execute(sql, params)
                return [tuple(row) for row in c.fetchall()]

        return self._source(fetch)

    def _source(self, fetch: Any) -> SqlTreeSource:
        return SqlTreeSource(
            fetch,
            nodes="merkle_nodes",
            events=self.events_table_name,
            position="rowid",
            stream_bytes=bytes.fromhex,
        )

    def build_tree(self) -> int:
        """Store the tree's nodes for events recorded before it was kept (or after a
        restore by an older version); returns how many were added."""
        with (
            self.datastore.get_connection(commit=True) as connection,
            ImmediateTransaction(connection, commit=True) as c,
            c,
        ):
            c.execute(self._last_link)
            last = c.fetchone()
            if last is None:
                return 0
            digest = bytes(last["hash"])
            nodes = self._tree.rebuilt(self._tree_source(c), last["rowid"], digest)
            if nodes:
                c.executemany(_INSERT_NODE, nodes)
        return len(nodes)

    def select_records(
        self, *, after: int = 0, limit: int = 1000, upto: int | None = None
    ) -> list[StoredRecord]:
        statement = self._select_records + "AND rowid > ? "
        params: list[Any] = [after]
        if upto is not None:
            statement += "AND rowid <= ? "
            params.append(upto)
        statement += "ORDER BY rowid LIMIT ?"
        params.append(limit)
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return [_record(row) for row in c.fetchall()]

    def find_record(self, event_id: UUID) -> StoredRecord | None:
        prefix, version = event_stream_prefix(event_id)
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._select_records + "AND originator_id BETWEEN ? AND ? "
                "AND originator_version = ? ORDER BY rowid",
                [prefix.hex() + "00000000", prefix.hex() + "ffffffff", version],
            )
            rows = c.fetchall()
        return next((r for r in map(_record, rows) if r.event_id == event_id), None)

    def head(self) -> Head:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_records + "ORDER BY rowid DESC LIMIT 1")
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
        """The rows are their own time index: `recorded_at` never goes backwards along
        the log (the chain covers it; `verify` checks the order), so the last event
        recorded at or before T is found by bisecting positions, about log2(n) lookups
        by primary key in one read. A separate index would cost every append a page
        more to write (measured: a tenth of SQLite's append throughput)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._last_link)
            last = c.fetchone()
            low, high = 0, last["rowid"] if last else 0
            while low < high:
                middle = (low + high + 1) // 2
                c.execute(self._time_from, [middle])
                row = c.fetchone()
                if row is not None and row["recorded_at"] <= recorded_at:
                    low = middle
                else:
                    high = middle - 1
        return low

    def barrier(self) -> str:
        """Take the write lock (so a writer holding it has committed) and read the
        clock while holding it; writers stamp their time after taking it."""
        with self.datastore.get_connection(commit=False) as connection:
            raw: sqlite3.Connection = connection._sqlite_conn
            try:
                raw.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:  # busy beyond the lock timeout
                raise OperationalError(error) from error
            try:
                return format_timestamp(utc_now())
            finally:
                raw.execute("ROLLBACK")

    # -- the raw scan behind `followup verify` ---------------------------------------

    def scan_log(self, *, after: int | None = None, limit: int = 10000) -> list[RawRow]:
        low = _LOWEST if after is None else after
        with self.datastore.get_connection(commit=False) as connection:
            raw: sqlite3.Connection = connection._sqlite_conn
            cursor = raw.cursor()
            cursor.row_factory = None  # plain tuples
            try:
                cursor.execute(self._scan, (low, limit))
                return _raw_rows(cursor.fetchall())
            finally:
                cursor.close()

    def rows_at(self, positions: Sequence[int]) -> list[RawRow]:
        found: list[RawRow] = []
        with self.datastore.get_connection(commit=False) as connection:
            raw: sqlite3.Connection = connection._sqlite_conn
            cursor = raw.cursor()
            cursor.row_factory = None  # plain tuples
            try:
                for start in range(0, len(positions), 500):
                    chunk = positions[start : start + 500]
                    cursor.execute(self._at.format(",".join("?" * len(chunk))), chunk)
                    found += _raw_rows(cursor.fetchall())
            finally:
                cursor.close()
        return found

    def scan_marks(self, *, after: str = "", limit: int = 10000) -> None:
        """No separate time index: the rows, which `verify` reads, are their own."""
        return None

    def event_position(self, originator_id: UUID, version: int) -> int | None:
        return self.event_positions([(originator_id, version)]).get((originator_id, version))

    def event_positions(self, keys: Sequence[tuple[UUID, int]]) -> dict[tuple[UUID, int], int]:
        found: dict[tuple[UUID, int], int] = {}
        with self.datastore.transaction(commit=False) as c:
            for originator_id, version in keys:  # in-process: a lookup each is cheap
                c.execute(self._find_event, [originator_id.hex, version])
                row = c.fetchone()
                if row:
                    found[(originator_id, version)] = int(row["rowid"])
        return found

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


_INSERT_NODE = "INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)"

#: Below every rowid SQLite can hold: a full scan sees rows forged anywhere.
_LOWEST = -(2**63)


class ImmediateTransaction(SQLiteTransaction):
    """Takes SQLite's write lock at BEGIN, so that the chain's last link is read, and
    the new links written, with no other writer (thread or process) in between."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:  # busy beyond the lock timeout
            raise OperationalError(error) from error
        return cursor


def _raw_rows(fetched: list[tuple[Any, ...]]) -> list[RawRow]:
    """Rows of the scan, ids as bytes. The fast path assumes well-formed rows; a
    damaged one sends the page through the careful conversion."""
    fromhex = bytes.fromhex
    try:
        return [RawRow(p, fromhex(o), v, t, s, r, h, q) for p, o, v, t, s, r, h, q in fetched]
    except (TypeError, ValueError):
        return [
            RawRow(p, _id_bytes(o) or b"", v, t, _blob(s), r, _blob(h), q)
            for p, o, v, t, s, r, h, q in fetched
        ]


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


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
    originator = UUID(row["originator_id"])
    return StoredRecord(
        position=row["position"],
        event_id=event_id(originator, row["originator_version"]),
        originator_id=originator,
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


def copy_read_only(path: str, target: Path) -> None:
    """Copy a store this process may not write to (SQLite's backup API, read-only).
    A WAL database whose folder cannot be written cannot keep its shared-memory index
    there: it is then read as immutable, which is exact once its write-ahead log is
    empty (a store closed cleanly, as a copy handed to an auditor is)."""
    from urllib.parse import quote

    from core.errors import StoreError

    uri = f"file:{quote(str(Path(path).resolve()))}"
    try:
        source = sqlite3.connect(f"{uri}?mode=ro", uri=True)
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        wal = Path(path + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise StoreError(
                f"Cannot read {path}: it is read-only and its write-ahead log ({wal}) "
                "holds events not yet written into it; open it once where it can be "
                "written, or copy it with `sqlite3 FILE .backup COPY`."
            ) from None
        source = sqlite3.connect(f"{uri}?immutable=1", uri=True)
    try:
        with sqlite3.connect(target) as copy:
            source.backup(copy)
        copy.close()
    except sqlite3.Error as error:
        raise StoreError(f"Cannot read {path}: {error}") from None
    finally:
        source.close()
