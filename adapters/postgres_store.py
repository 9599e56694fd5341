"""The store for scale: eventsourcing's PostgreSQL recorder, chained like the SQLite one.

eventsourcing serialises the transactions that insert events with a table lock (so
positions are handed out in commit order). The chain's last link is read after that
lock is taken and the new links are written before the commit, in the same transaction,
so the chain can neither lag nor fork however many API workers write at once. The
transaction time comes from the database's clock (``clock_timestamp()``), so workers on
several machines share one clock."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    ApplicationRecorder,
    InterfaceError,
    OperationalError,
    ProgrammingError,
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

from adapters.chain import chain_rows, idempotency_row, merge_orphans
from adapters.sql_postgres import PostgresSql
from core.integrity import GENESIS
from core.ports import Head, IdempotencyKey, IdempotentResult, RawRow, StoredRecord

#: The advisory lock held while creating tables (an arbitrary key; see Factory).
CREATE_TABLES_LOCK = 0x666F6C6C6F777571


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """Application recorder whose every insert also writes the chain row of each event
    (table ``event_chain``) and the request's idempotency key (``idempotency_keys``)."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.sql_create_statements.extend(
            [
                self._q(
                    "CREATE TABLE IF NOT EXISTS {chain} ("
                    "position bigint PRIMARY KEY, "
                    "event_id uuid NOT NULL UNIQUE, "
                    # Byte order, as in SQLite and Python, whatever the database's
                    # collation: the time index compares these strings.
                    'recorded_at text COLLATE "C" NOT NULL, '
                    "hash bytea NOT NULL, "
                    "previous_position bigint)"
                ),
                SQL(
                    "CREATE INDEX IF NOT EXISTS event_chain_recorded_at "
                    "ON {schema}.event_chain (recorded_at, position)"
                ).format(schema=Identifier(self.datastore.schema)),
                self._q(
                    "CREATE TABLE IF NOT EXISTS {keys} ("
                    "scope text NOT NULL, key text NOT NULL, request_hash text NOT NULL, "
                    "first_position bigint NOT NULL, last_position bigint NOT NULL, "
                    "count integer NOT NULL, PRIMARY KEY (scope, key))"
                ),
            ]
        )
        self.insert_events_statement += self._returning_last_link()

    def _returning_last_link(self) -> Composed:
        """Added to eventsourcing's INSERT ... RETURNING notification_id: the end of the
        chain (read once per statement, under the table lock) and the database's clock,
        on every returned row, without another statement."""
        last = "(SELECT {} FROM {{chain}} ORDER BY position DESC LIMIT 1)"
        return self._q(
            ", clock_timestamp() AS chain_now, "
            f"{last.format('position')} AS chain_position, "
            f"{last.format('hash')} AS chain_hash, "
            f"{last.format('recorded_at')} AS chain_recorded_at"
        )

    def _q(self, template: str) -> Composed:
        """A statement naming this recorder's tables, schema-qualified."""
        schema = Identifier(self.datastore.schema)
        return SQL(template).format(
            events=SQL("{}.{}").format(schema, Identifier(self.events_table_name)),
            chain=SQL("{}.{}").format(schema, Identifier("event_chain")),
            keys=SQL("{}.{}").format(schema, Identifier("idempotency_keys")),
        )

    # -- writing ------------------------------------------------------------------

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """eventsourcing's insert (lock the table, insert, read the new positions),
        then the chain and the idempotency key, pipelined in one transaction. Any
        error, ours or the server's, rolls the whole transaction back."""
        positions: list[int] | None = None
        error: BaseException | None = None
        with self.datastore.get_connection() as conn:
            with conn.pipeline() as pipeline:
                try:
                    with conn.transaction():
                        with conn.cursor() as curs:
                            self._insert_events(curs, stored_events, **kwargs)
                        if stored_events:
                            with conn.cursor() as curs:
                                positions = self._insert_chained(
                                    curs, pipeline, stored_events, **kwargs
                                )
                except Exception as e:  # re-raised once the pipeline is closed
                    error = e
            if error is not None:
                raise error
        return positions

    def _insert_chained(
        self,
        curs: Cursor[DictRow],
        pipeline: Any,
        stored_events: Sequence[StoredEvent],
        *,
        recorded_at: Sequence[str] | None = None,
        idempotency: IdempotencyKey | None = None,
        expected_hashes: Sequence[bytes] | None = None,
        **kwargs: Any,
    ) -> list[int]:
        # Table lock, NOTIFY, INSERT ... RETURNING notification_id (eventsourcing's),
        # whose RETURNING also reads, after the lock, the chain's end and the clock.
        self._insert_stored_events(curs, stored_events, **kwargs)
        pipeline.sync()
        returned = curs.fetchall()
        positions = [row["notification_id"] for row in returned]
        if len(positions) != len(stored_events):
            raise ProgrammingError(f"{len(positions)} positions for {len(stored_events)} events")
        last = returned[0]
        rows = chain_rows(
            stored_events,
            positions,
            previous_hash=bytes(last["chain_hash"]) if last["chain_hash"] is not None else GENESIS,
            previous_recorded_at=last["chain_recorded_at"],
            previous_position=last["chain_position"] or 0,
            now=last["chain_now"],
            recorded_at=recorded_at,
            expected_hashes=expected_hashes,
        )
        if len(rows) == 1:  # the API's usual case: no arrays to build and parse
            curs.execute(self._insert_link, list(rows[0]), prepare=True)
        else:
            curs.execute(
                self._insert_links,
                [
                    [r.position for r in rows],
                    [r.event_id for r in rows],
                    [r.recorded_at for r in rows],
                    [r.hash for r in rows],
                    [r.previous_position for r in rows],
                ],
                prepare=True,
            )
        if idempotency is not None:
            curs.execute(self._insert_key, idempotency_row(idempotency, positions))
        # No sync here: the COMMIT is the next round trip, and a conflict (a key used
        # twice) fails it, so nothing of the transaction is kept.
        return positions

    @cached_property
    def _insert_links(self) -> Composed:
        return self._q(
            "INSERT INTO {chain} (position, event_id, recorded_at, hash, previous_position) "
            "SELECT * FROM unnest(%s::bigint[], %s::uuid[], %s::text[], %s::bytea[], "
            "%s::bigint[])"
        )

    @cached_property
    def _insert_link(self) -> Composed:
        return self._q(
            "INSERT INTO {chain} (position, event_id, recorded_at, hash, previous_position) "
            "VALUES (%s, %s, %s, %s, %s)"
        )

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
            "SELECT e.notification_id AS position, e.originator_id, e.originator_version, "
            "e.topic, e.state, c.event_id, c.recorded_at, c.hash "
            "FROM {events} e JOIN {chain} c ON c.position = e.notification_id "
        )

    def _fetch(self, statement: Composed, params: Sequence[Any]) -> list[DictRow]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)
            return curs.fetchall()

    def select_records(
        self, *, after: int = 0, limit: int = 1000, upto: int | None = None
    ) -> list[StoredRecord]:
        statement = self._select_records + SQL("WHERE e.notification_id > %s ")
        params: list[Any] = [after]
        if upto is not None:
            statement += SQL("AND e.notification_id <= %s ")
            params.append(upto)
        statement += SQL("ORDER BY e.notification_id LIMIT %s")
        params.append(limit)
        return [_record(row) for row in self._fetch(statement, params)]

    def find_record(self, event_id: UUID) -> StoredRecord | None:
        rows = self._fetch(self._select_records + SQL("WHERE c.event_id = %s"), [event_id])
        return _record(rows[0]) if rows else None

    def head(self) -> Head:
        rows = self._fetch(
            self._q(
                "SELECT position, recorded_at, hash FROM {chain} ORDER BY position DESC LIMIT 1"
            ),
            [],
        )
        if not rows:
            return Head(0, None, GENESIS)
        return Head(rows[0]["position"], rows[0]["recorded_at"], bytes(rows[0]["hash"]))

    def position_at(self, recorded_at: str) -> int:
        rows = self._fetch(
            self._q(
                "SELECT position FROM {chain} WHERE recorded_at <= %s "
                "ORDER BY recorded_at DESC, position DESC LIMIT 1"
            ),
            [recorded_at],
        )
        return int(rows[0]["position"]) if rows else 0

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
            # One snapshot for both queries, so they see the same store.
            conn.transaction(force_rollback=True),
            conn.cursor(row_factory=tuple_row) as curs,
        ):
            curs.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            curs.execute(self._scan_joined, [low, limit], prepare=True)
            joined = [
                RawRow(
                    p,
                    _uuid_bytes(o),
                    v,
                    t,
                    s if s is None else bytes(s),
                    None if e is None else _uuid_bytes(e),
                    r,
                    h if h is None else bytes(h),
                    q,
                )
                for p, o, v, t, s, e, r, h, q in curs.fetchall()
            ]
            high = joined[-1][0] if len(joined) == limit else _HIGHEST
            curs.execute(self._scan_orphans, [low, high, limit], prepare=True)
            orphans = [
                RawRow(p, None, None, None, None, _uuid_bytes(e), r, bytes(h), q)
                for p, e, r, h, q in curs.fetchall()
            ]
        return merge_orphans(joined, orphans, limit)

    @cached_property
    def _scan_joined(self) -> Composed:
        return self._q(
            "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, "
            "e.state, c.event_id, c.recorded_at, c.hash, c.previous_position "
            "FROM {events} e LEFT JOIN {chain} c ON c.position = e.notification_id "
            "WHERE e.notification_id > %s ORDER BY e.notification_id LIMIT %s"
        )

    @cached_property
    def _scan_orphans(self) -> Composed:
        return self._q(
            "SELECT c.position, c.event_id, c.recorded_at, c.hash, c.previous_position "
            "FROM {chain} c WHERE c.position > %s AND c.position <= %s "
            "AND NOT EXISTS (SELECT 1 FROM {events} e WHERE e.notification_id = c.position) "
            "ORDER BY c.position LIMIT %s"
        )

    def chain_position(self, event_id: UUID) -> int | None:
        rows = self._fetch(self._q("SELECT position FROM {chain} WHERE event_id = %s"), [event_id])
        return int(rows[0]["position"]) if rows else None

    def event_position(self, originator_id: UUID, version: int) -> int | None:
        rows = self._fetch(
            self._q(
                "SELECT notification_id FROM {events} "
                "WHERE originator_id = %s AND originator_version = %s"
            ),
            [originator_id, version],
        )
        return int(rows[0]["notification_id"]) if rows else None


#: Below and above every position PostgreSQL's bigint can hold.
_LOWEST = -(2**63)
_HIGHEST = 2**63 - 1


def _uuid_bytes(value: Any) -> bytes:
    if isinstance(value, UUID):
        return value.bytes
    if value is None:
        return b""
    return str(value).encode("utf-8")


def _record(row: DictRow) -> StoredRecord:
    return StoredRecord(
        position=row["position"],
        event_id=row["event_id"],
        originator_id=row["originator_id"],
        originator_version=row["originator_version"],
        topic=row["topic"],
        state=bytes(row["state"]),
        recorded_at=row["recorded_at"],
        hash=bytes(row["hash"]),
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
        pool = self.datastore.pool
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
        with self._one_at_a_time():
            return super().application_recorder()

    def tracking_recorder(self, tracking_recorder_class: Any = None) -> Any:
        with self._one_at_a_time():
            return super().tracking_recorder(tracking_recorder_class)
