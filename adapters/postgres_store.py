"""The store for scale: eventsourcing's PostgreSQL recorder, chained like the SQLite one.

eventsourcing serialises the transactions that insert events with a table lock (so
positions are handed out in commit order). The chain's last link is read after that
lock is taken and the new events are inserted with their links (and their positions,
the next after the last) in the same transaction, so the chain can neither lag nor
fork however many API workers write at once. The
transaction time comes from the database's clock (``clock_timestamp()``), so workers on
several machines share one clock."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import (
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
)
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Composed, Identifier

from adapters.chain import (
    LEGACY_LAYOUT,
    chain_rows,
    event_row,
    idempotency_row,
    time_marks,
    written_records,
)
from adapters.sql_postgres import PostgresSql, to_psycopg
from adapters.tree import SqlTreeSource, TreeKeeper
from core.clock import format_timestamp
from core.integrity import GENESIS, event_id, event_stream_prefix
from core.ports import (
    Head,
    IdempotencyKey,
    IdempotentResult,
    PreservedChunk,
    RawRow,
    StoredRecord,
)

#: The log's table, as eventsourcing names it after the application (FollowUp).
LOG_TABLE = "followup_events"

#: The advisory lock held while creating tables (an arbitrary key; see Factory).
CREATE_TABLES_LOCK = 0x666F6C6C6F777571


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """Application recorder whose every event row also holds its link in the chain
    (`recorded_at`, `hash`, `previous_position`), and which writes the request's
    idempotency key (``idempotency_keys``) and the Merkle tree's new nodes in the same
    transaction."""

    #: False only for the benchmark's baseline: the chain alone, as before the tree.
    keeps_tree = True

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self._listeners: set[threading.Event] = set()
        self._listening: threading.Thread | None = None
        self._listening_lock = threading.Lock()
        self.sql_create_statements[self.create_table_statement_index] = self._q(
            "CREATE TABLE IF NOT EXISTS {events} ("
            "originator_id uuid NOT NULL, "
            "originator_version bigint NOT NULL, "
            "topic text, "
            "state bytea, "
            "notification_id bigserial, "
            # Byte order, as in SQLite and Python, whatever the database's collation:
            # the time index compares these strings.
            'recorded_at text COLLATE "C", '
            "hash bytea, "
            "previous_position bigint, "
            "PRIMARY KEY (originator_id, originator_version))"
        )
        self.sql_create_statements.extend(
            [
                self._q(
                    "CREATE TABLE IF NOT EXISTS {marks} ("
                    'recorded_at text COLLATE "C" NOT NULL, position bigint NOT NULL, '
                    "PRIMARY KEY (recorded_at, position))"
                ),
                self._q(
                    "CREATE TABLE IF NOT EXISTS {keys} ("
                    "scope text NOT NULL, key text NOT NULL, request_hash text NOT NULL, "
                    "first_position bigint NOT NULL, last_position bigint NOT NULL, "
                    "count integer NOT NULL, PRIMARY KEY (scope, key))"
                ),
                self._q(
                    "CREATE TABLE IF NOT EXISTS {tree} (level smallint NOT NULL, "
                    "idx bigint NOT NULL, hash bytea NOT NULL, PRIMARY KEY (level, idx))"
                ),
            ]
        )
        self._tree = TreeKeeper()

    # -- notifications ------------------------------------------------------------

    def listen(self, listener: threading.Event) -> None:
        """Set `listener` whenever a transaction appends events (LISTEN on the
        channel eventsourcing notifies on every insert), whichever process wrote."""
        with self._listening_lock:
            self._listeners.add(listener)
            if self._listening is None or not self._listening.is_alive():
                self._listening = threading.Thread(
                    target=self._listen, name="followup-listen", daemon=True
                )
                self._listening.start()

    def unlisten(self, listener: threading.Event) -> None:
        with self._listening_lock:
            self._listeners.discard(listener)

    def _listen(self) -> None:
        while True:
            with self._listening_lock:
                if not self._listeners:
                    self._listening = None
                    return
            try:
                with connect(self.datastore) as connection:
                    connection.execute(SQL("LISTEN {0}").format(Identifier(self.channel_name)))
                    self._wake()  # events may have come before LISTEN took effect
                    while self._listeners:
                        for _ in connection.notifies(timeout=1.0, stop_after=1):
                            self._wake()
            except psycopg.Error:
                threading.Event().wait(1.0)  # the server went away: try again shortly

    def _wake(self) -> None:
        with self._listening_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener.set()

    def _q(self, template: str) -> Composed:
        """A statement naming this recorder's tables, schema-qualified."""
        schema = Identifier(self.datastore.schema)
        return SQL(template).format(
            events=SQL("{}.{}").format(schema, Identifier(self.events_table_name)),
            marks=SQL("{}.{}").format(schema, Identifier("time_marks")),
            keys=SQL("{}.{}").format(schema, Identifier("idempotency_keys")),
            tree=SQL("{}.{}").format(schema, Identifier("merkle_nodes")),
        )

    def _name(self, table: str) -> str:
        """A table of this recorder's schema, quoted, for statements made as text."""
        return ".".join(
            '"' + part.replace('"', '""') + '"'
            for part in (self.datastore.schema or "public", table)
        )

    def create_table(self) -> None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s",
                [self.datastore.schema or "public", self.events_table_name],
            )
            columns = {row["column_name"] for row in curs.fetchall()}
        if columns and "hash" not in columns:
            raise OperationalError(LEGACY_LAYOUT)
        super().create_table()

    # -- writing ------------------------------------------------------------------

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Lock the table (as eventsourcing does, so positions are handed out in
        commit order), read the chain's last link and the database's clock, then
        insert the events with their links and positions, and the idempotency key:
        two round trips, one transaction. Any error rolls all of it back."""
        if not stored_events:
            return []
        positions: list[int] = []
        error: BaseException | None = None
        with self.datastore.get_connection() as conn:
            with conn.pipeline() as pipeline:
                try:
                    with conn.transaction(), conn.cursor() as curs:
                        positions = self._insert_chained(curs, pipeline, stored_events, **kwargs)
                except Exception as e:  # re-raised once the pipeline is closed
                    error = e
            if error is not None:
                raise error
        return positions

    def restore_chunks(self, chunks: Iterable[PreservedChunk]) -> int:
        count = 0
        error: BaseException | None = None
        with self.datastore.get_connection() as conn:
            with conn.pipeline() as pipeline:
                try:
                    with conn.transaction(), conn.cursor() as curs:
                        for chunk in chunks:
                            positions = self._insert_chained(
                                curs,
                                pipeline,
                                chunk.stored_events,
                                recorded_at=chunk.recorded_at,
                                expected_hashes=chunk.hashes,
                            )
                            chunk.appended(positions)
                            count += len(positions)
                except Exception as e:  # re-raised once the pipeline is closed
                    error = e
            if error is not None:
                raise error
        return count

    def _insert_chained(
        self,
        curs: Cursor[DictRow],
        pipeline: Any,
        stored_events: Sequence[StoredEvent],
        *,
        recorded_at: Sequence[str] | None = None,
        idempotency: IdempotencyKey | None = None,
        expected_hashes: Sequence[bytes] | None = None,
        written: list[StoredRecord] | None = None,
        **kwargs: Any,
    ) -> list[int]:
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(self._last_link, prepare=True)
        pipeline.sync()
        last = curs.fetchone()
        assert last is not None
        if last["position"] is not None and last["hash"] is None:
            raise IntegrityError(f"the event at position {last['position']} has no link: verify")
        first = (last["position"] or 0) + 1
        positions = list(range(first, first + len(stored_events)))
        rows = chain_rows(
            stored_events,
            positions,
            previous_hash=bytes(last["hash"]) if last["hash"] is not None else GENESIS,
            previous_recorded_at=last["recorded_at"],
            previous_position=last["position"] or 0,
            now=last["now"],
            recorded_at=recorded_at,
            expected_hashes=expected_hashes,
            leaves=self.keeps_tree,
        )
        originators = [_uuid(stored.originator_id) for stored in stored_events]
        if len(rows) == 1:  # the API's usual case: no arrays to build and parse
            stored, row = stored_events[0], rows[0]
            curs.execute(
                self._insert_event, list(event_row(stored, row, originators[0])), prepare=True
            )
        else:
            curs.execute(
                self._insert_events_chained,
                [
                    positions,
                    originators,
                    [stored.originator_version for stored in stored_events],
                    [stored.topic for stored in stored_events],
                    [stored.state for stored in stored_events],
                    [row.recorded_at for row in rows],
                    [row.hash for row in rows],
                    [row.previous_position for row in rows],
                ],
                prepare=True,
            )
        if self.keeps_tree:
            nodes = self._tree.appended(
                self._tree_source(curs, pipeline),
                last["position"] or 0,
                bytes(last["hash"]) if last["hash"] is not None else GENESIS,
                [row.leaf for row in rows],
                rows[-1].hash,
            )
            if nodes:
                curs.execute(self._insert_nodes, _node_arrays(nodes), prepare=True)
        marks = time_marks(rows)
        curs.execute(
            self._insert_marks,
            [[at for at, _ in marks], [position for _, position in marks]],
            prepare=True,
        )
        if idempotency is not None:
            curs.execute(self._insert_key, idempotency_row(idempotency, positions))
        if written is not None:
            written.extend(written_records(stored_events, rows))
        # No sync here: the COMMIT is the next round trip, and a conflict (an event or
        # a key stored twice) fails it, so nothing of the transaction is kept.
        return positions

    @cached_property
    def _last_link(self) -> Composed:
        return self._q(
            "SELECT clock_timestamp() AS now, l.notification_id AS position, "
            "l.recorded_at, l.hash FROM (SELECT 1) AS one LEFT JOIN LATERAL ("
            "SELECT notification_id, recorded_at, hash FROM {events} "
            "ORDER BY notification_id DESC LIMIT 1) AS l ON true"
        )

    @cached_property
    def _insert_event(self) -> Composed:
        return self._q(
            "INSERT INTO {events} (notification_id, originator_id, originator_version, "
            "topic, state, recorded_at, hash, previous_position) "
            "VALUES (%s,%s,%s,%s,%s,%s,%s,%s)"
        )

    @cached_property
    def _insert_events_chained(self) -> Composed:
        return self._q(
            "INSERT INTO {events} (notification_id, originator_id, originator_version, "
            "topic, state, recorded_at, hash, previous_position) SELECT * FROM unnest("
            "%s::bigint[], %s::uuid[], %s::bigint[], %s::text[], %s::bytea[], %s::text[], "
            "%s::bytea[], %s::bigint[])"
        )

    @cached_property
    def _insert_marks(self) -> Composed:
        return self._q(
            "INSERT INTO {marks} (recorded_at, position) "
            "SELECT * FROM unnest(%s::text[], %s::bigint[])"
        )

    @cached_property
    def _insert_nodes(self) -> Composed:
        return self._q(
            "INSERT INTO {tree} (level, idx, hash) "
            "SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[])"
        )

    # -- the Merkle tree (core/merkle.py, adapters/tree.py) ---------------------------

    def _tree_source(self, curs: Cursor[DictRow], pipeline: Any) -> SqlTreeSource:
        def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
            curs.execute(to_psycopg(sql), list(params))
            pipeline.sync()
            return [tuple(row.values()) for row in curs.fetchall()]

        return self._source(fetch)

    def _source(self, fetch: Any) -> SqlTreeSource:
        return SqlTreeSource(
            fetch,
            nodes=self._name("merkle_nodes"),
            events=self._name(self.events_table_name),
            position="notification_id",
            stream_bytes=_uuid_bytes,
        )

    def tree_source(self) -> SqlTreeSource:
        """The tree's nodes and leaves for reading, each read its own transaction."""

        def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
            with (
                self.datastore.get_connection() as conn,
                conn.cursor(row_factory=tuple_row) as curs,
            ):
                curs.execute(to_psycopg(sql), list(params))
                return list(curs.fetchall())

        return self._source(fetch)

    def build_tree(self) -> int:
        """Store the tree's nodes for events recorded before it was kept."""
        added = 0
        error: BaseException | None = None
        with self.datastore.get_connection() as conn:
            with conn.pipeline() as pipeline:
                try:
                    with conn.transaction(), conn.cursor() as curs:
                        self._lock_table(curs)
                        curs.execute(self._last_link, prepare=True)
                        pipeline.sync()
                        last = curs.fetchone()
                        if last is not None and last["position"] is not None:
                            digest = bytes(last["hash"])
                            nodes = self._tree.rebuilt(
                                self._tree_source(curs, pipeline), last["position"], digest
                            )
                            if nodes:
                                curs.execute(self._insert_nodes, _node_arrays(nodes))
                            added = len(nodes)
                except Exception as e:  # re-raised once the pipeline is closed
                    error = e
            if error is not None:
                raise error
        return added

    @cached_property
    def _insert_key(self) -> Composed:
        return self._q(
            "INSERT INTO {keys} "
            "(scope, key, request_hash, first_position, last_position, count) "
            "VALUES (%s, %s, %s, %s, %s, %s)"
        )

    # -- reading ------------------------------------------------------------------

    @cached_property
    def _select_records(self) -> Composed:
        return self._q(
            "SELECT notification_id AS position, originator_id, originator_version, "
            "topic, state, recorded_at, hash FROM {events} WHERE hash IS NOT NULL "
        )

    def _fetch(self, statement: Composed, params: Sequence[Any]) -> list[DictRow]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)
            return curs.fetchall()

    def select_records(
        self, *, after: int = 0, limit: int = 1000, upto: int | None = None
    ) -> list[StoredRecord]:
        statement = self._select_records + SQL("AND notification_id > %s ")
        params: list[Any] = [after]
        if upto is not None:
            statement += SQL("AND notification_id <= %s ")
            params.append(upto)
        statement += SQL("ORDER BY notification_id LIMIT %s")
        params.append(limit)
        return [_record(row) for row in self._fetch(statement, params)]

    def find_record(self, event_id: UUID) -> StoredRecord | None:
        prefix, version = event_stream_prefix(event_id)
        rows = self._fetch(
            self._select_records
            + SQL(
                "AND originator_id BETWEEN %s AND %s AND originator_version = %s "
                "ORDER BY notification_id"
            ),
            [UUID(bytes=prefix + bytes(4)), UUID(bytes=prefix + b"\xff" * 4), version],
        )
        return next((r for r in map(_record, rows) if r.event_id == event_id), None)

    def head(self) -> Head:
        rows = self._fetch(self._select_records + SQL("ORDER BY notification_id DESC LIMIT 1"), [])
        if not rows:
            return Head(0, None, GENESIS)
        return Head(rows[0]["position"], rows[0]["recorded_at"], bytes(rows[0]["hash"]))

    def position_at(self, recorded_at: str) -> int:
        rows = self._fetch(
            self._q(
                "SELECT position FROM {marks} WHERE recorded_at <= %s "
                "ORDER BY recorded_at DESC, position DESC LIMIT 1"
            ),
            [recorded_at],
        )
        return int(rows[0]["position"]) if rows else 0

    def barrier(self) -> str:
        """A SHARE lock on the log waits for the writer holding its EXCLUSIVE lock to
        commit; the database's clock is read while holding it (writers stamp their
        time from that clock after taking their lock)."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._q("LOCK TABLE {events} IN SHARE MODE"))
            curs.execute("SELECT clock_timestamp() AS now")
            row = curs.fetchone()
        assert row is not None
        return format_timestamp(row["now"])

    def find_idempotent(self, scope: str, key: str) -> IdempotentResult | None:
        rows = self._fetch(
            self._q(
                "SELECT request_hash, first_position, last_position, count FROM {keys} "
                "WHERE scope = %s AND key = %s"
            ),
            [scope, key],
        )
        if not rows:
            return None
        row = rows[0]
        return IdempotentResult(
            row["request_hash"], row["first_position"], row["last_position"], row["count"]
        )

    def sql(self) -> PostgresSql:
        return PostgresSql(self.datastore)

    # -- the raw scan behind `followup verify` ---------------------------------------

    def scan_log(self, *, after: int | None = None, limit: int = 10000) -> list[RawRow]:
        low = _LOWEST if after is None else after
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row) as curs,
        ):
            curs.execute(self._scan, [low, limit], prepare=True)
            return [
                RawRow(
                    p,
                    _uuid_bytes(o),
                    v,
                    t,
                    s if s is None else bytes(s),
                    r,
                    h if h is None else bytes(h),
                    q,
                )
                for p, o, v, t, s, r, h, q in curs.fetchall()
            ]

    def rows_at(self, positions: Sequence[int]) -> list[RawRow]:
        found: list[RawRow] = []
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row) as curs,
        ):
            for start in range(0, len(positions), 5000):
                curs.execute(self._at, [list(positions[start : start + 5000])], prepare=True)
                found += [
                    RawRow(
                        p,
                        _uuid_bytes(o),
                        v,
                        t,
                        s if s is None else bytes(s),
                        r,
                        h if h is None else bytes(h),
                        q,
                    )
                    for p, o, v, t, s, r, h, q in curs.fetchall()
                ]
        return found

    @cached_property
    def _at(self) -> Composed:
        return self._q(
            "SELECT notification_id, originator_id, originator_version, topic, state, "
            "recorded_at, hash, previous_position FROM {events} "
            "WHERE notification_id = ANY(%s) ORDER BY notification_id"
        )

    @cached_property
    def _scan(self) -> Composed:
        return self._q(
            "SELECT notification_id, originator_id, originator_version, topic, state, "
            "recorded_at, hash, previous_position FROM {events} "
            "WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        )

    def scan_marks(self, *, after: str = "", limit: int = 10000) -> list[tuple[str, int]]:
        rows = self._fetch(
            self._q(
                "SELECT recorded_at, MAX(position) AS position FROM {marks} "
                "WHERE recorded_at > %s GROUP BY recorded_at ORDER BY recorded_at LIMIT %s"
            ),
            [after, limit],
        )
        return [(row["recorded_at"], row["position"]) for row in rows]

    def event_position(self, originator_id: UUID, version: int) -> int | None:
        return self.event_positions([(originator_id, version)]).get((originator_id, version))

    def event_positions(self, keys: Sequence[tuple[UUID, int]]) -> dict[tuple[UUID, int], int]:
        found: dict[tuple[UUID, int], int] = {}
        for start in range(0, len(keys), 5000):
            chunk = keys[start : start + 5000]
            rows = self._fetch(
                self._q(
                    "SELECT e.originator_id, e.originator_version, e.notification_id "
                    "FROM unnest(%s::uuid[], %s::bigint[]) AS k (id, version) "
                    "JOIN {events} e ON e.originator_id = k.id AND e.originator_version = k.version"
                ),
                [[key[0] for key in chunk], [key[1] for key in chunk]],
            )
            for row in rows:
                key = (_uuid(row["originator_id"]), int(row["originator_version"]))
                found[key] = int(row["notification_id"])
        return found


#: Below every position PostgreSQL's bigint can hold.
_LOWEST = -(2**63)


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _uuid_bytes(value: Any) -> bytes:
    if isinstance(value, UUID):
        return value.bytes
    if value is None:
        return b""
    return str(value).encode("utf-8")


def _node_arrays(nodes: Sequence[tuple[int, int, bytes]]) -> list[list[Any]]:
    return [[n[0] for n in nodes], [n[1] for n in nodes], [n[2] for n in nodes]]


def _record(row: DictRow) -> StoredRecord:
    return StoredRecord(
        position=row["position"],
        event_id=event_id(row["originator_id"], row["originator_version"]),
        originator_id=row["originator_id"],
        originator_version=row["originator_version"],
        topic=row["topic"],
        state=bytes(row["state"]),
        recorded_at=row["recorded_at"],
        hash=bytes(row["hash"]),
    )


def connect(datastore: PostgresDatastore) -> psycopg.Connection[Any]:
    """A connection of its own (autocommit), with the pool's settings."""
    pool = datastore.pool
    kwargs = pool.kwargs if isinstance(pool.kwargs, dict) else {}
    password = pool.get_password_func() if pool.get_password_func else kwargs.get("password")
    return psycopg.connect(
        dbname=kwargs.get("dbname"),
        host=kwargs.get("host"),
        port=kwargs.get("port"),
        user=kwargs.get("user"),
        password=password or None,
        connect_timeout=10,
        autocommit=True,
    )


class Factory(PostgresFactory):
    """eventsourcing infrastructure factory for PERSISTENCE_MODULE=adapters.postgres_store."""

    application_recorder_class = ChainedPostgresApplicationRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        # The pool retries a failing connection until its timeout, then reports only
        # that it timed out; one direct attempt fails at once, with the server's reason
        # (no such database, authentication failed...).
        try:
            self._connect().close()
        except psycopg.Error as error:
            self.datastore.close()
            raise OperationalError(str(error).strip()) from None

    def _connect(self) -> psycopg.Connection[Any]:
        return connect(self.datastore)

    @contextmanager
    def _one_at_a_time(self) -> Iterator[None]:
        """gunicorn starts its workers together, and each creates the tables if they
        are missing; PostgreSQL's CREATE TYPE and CREATE TABLE IF NOT EXISTS can still
        collide, so workers take turns (a session lock on a connection of its own)."""
        if not self.env_create_table():
            yield
            return
        with self._connect() as connection:
            connection.execute("SELECT pg_advisory_lock(%s)", [CREATE_TABLES_LOCK])
            yield

    def application_recorder(self) -> ApplicationRecorder:
        if self.datastore.originator_id_type != "uuid":
            raise OSError("the chained PostgreSQL store needs ORIGINATOR_ID_TYPE=uuid")
        if self.datastore.enable_db_functions:
            raise OSError("the chained PostgreSQL store inserts its own rows: no DB functions")
        with self._one_at_a_time():
            return super().application_recorder()

    def tracking_recorder(self, tracking_recorder_class: Any = None) -> Any:
        with self._one_at_a_time():
            return super().tracking_recorder(tracking_recorder_class)


def log_table_exists(env: Mapping[str, str]) -> bool:
    """Whether the database named by an environment holds the log's table."""
    try:
        connection = psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"],
            password=env.get("POSTGRES_PASSWORD") or None,
            connect_timeout=int(env.get("POSTGRES_CONNECT_TIMEOUT", "10")),
            autocommit=True,
        )
    except psycopg.Error as error:
        raise OperationalError(str(error).strip()) from None
    with connection:
        row = connection.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            [env.get("POSTGRES_SCHEMA") or "public", LOG_TABLE],
        ).fetchone()
    return row is not None
