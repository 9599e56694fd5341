"""In-memory store for unit tests: eventsourcing's POPO recorder with the same chain
and transaction times as the durable stores."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory

from adapters.chain import ChainRow, chain_rows, event_row, written_records
from adapters.sql_sqlite import MemorySql
from adapters.tree import TreeKeeper
from auditor.tlog import leaf_hash
from core.clock import format_timestamp, utc_now
from core.integrity import GENESIS, canonical_bytes, event_id
from core.merkle import CHUNK, CHUNK_LEVEL, Key
from core.ports import (
    Head,
    IdempotencyKey,
    IdempotentResult,
    PreservedChunk,
    RawRow,
    StoredRecord,
)


class ChainedPOPOApplicationRecorder(POPOApplicationRecorder):
    def __init__(self) -> None:
        super().__init__()
        self._chain: list[ChainRow] = []
        self._by_event_id: dict[UUID, int] = {}
        self._sql = MemorySql()
        self._idempotency: dict[tuple[str, str], IdempotentResult] = {}
        self._nodes: dict[Key, bytes] = {}
        self._tree = TreeKeeper()

    def sql(self) -> MemorySql:
        return self._sql

    def _assert_uniqueness(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._assert_uniqueness(stored_events, **kwargs)
        idempotency: IdempotencyKey | None = kwargs.get("idempotency")
        if idempotency is not None and (idempotency.scope, idempotency.key) in self._idempotency:
            raise IntegrityError(f"idempotency key {idempotency.key!r} already used")

    def _update_table(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        recorded_at = kwargs.pop("recorded_at", None)
        expected_hashes = kwargs.pop("expected_hashes", None)
        idempotency: IdempotencyKey | None = kwargs.pop("idempotency", None)
        written: list[StoredRecord] | None = kwargs.pop("written", None)
        last = self._chain[-1] if self._chain else None
        # Compute the links before touching the table, so a bad argument changes nothing.
        first = len(self._stored_events) + 1
        rows = chain_rows(
            stored_events,
            list(range(first, first + len(stored_events))),
            previous_hash=last.hash if last else GENESIS,
            previous_recorded_at=last.recorded_at if last else None,
            previous_position=last.position if last else 0,
            now=utc_now(),
            recorded_at=recorded_at,
            expected_hashes=expected_hashes,
        )
        nodes = self._tree.appended(
            self,
            last.position if last else 0,
            last.hash if last else GENESIS,
            [row.leaf for row in rows],
            rows[-1].hash,
        )
        positions = super()._update_table(stored_events, **kwargs)
        assert positions is not None
        self._nodes.update({(level, index): h for level, index, h in nodes})
        for stored, row in zip(stored_events, rows, strict=True):
            key = event_id(UUID(str(stored.originator_id)), stored.originator_version)
            self._by_event_id[key] = len(self._chain)
            self._chain.append(row)
        if idempotency is not None:
            self._idempotency[(idempotency.scope, idempotency.key)] = IdempotentResult(
                idempotency.request_hash, positions[0], positions[-1], len(positions)
            )
        if written is not None:
            written.extend(written_records(stored_events, rows))
        return positions

    def restore_chunks(self, chunks: Iterable[PreservedChunk]) -> int:
        """For tests: the chunks gathered, then appended in one insert."""
        gathered = list(chunks)
        positions = self.insert_events(
            [event for chunk in gathered for event in chunk.stored_events],
            recorded_at=[at for chunk in gathered for at in chunk.recorded_at],
            expected_hashes=[h for chunk in gathered for h in chunk.hashes],
        )
        assert positions is not None
        start = 0
        for chunk in gathered:
            chunk.appended(positions[start : start + len(chunk.stored_events)])
            start += len(chunk.stored_events)
        return len(positions)

    # -- the Merkle tree: a TreeSource of its own ---------------------------------

    def tree_source(self) -> ChainedPOPOApplicationRecorder:
        return self

    def build_tree(self) -> int:
        return 0  # kept from the first event

    def tree_nodes(self, keys: Sequence[Key]) -> dict[Key, bytes]:
        return {key: self._nodes[key] for key in keys if key in self._nodes}

    def leaf_hashes(self, first: int, count: int) -> list[bytes]:
        return [
            leaf_hash(
                canonical_bytes(
                    UUID(str(stored.originator_id)),
                    stored.originator_version,
                    stored.topic,
                    stored.state,
                    row.recorded_at,
                )
            )
            for stored, row in zip(
                self._stored_events[first : first + count],
                self._chain[first : first + count],
                strict=True,
            )
        ]

    def tree_covered(self) -> int:
        chunks = [index for level, index in self._nodes if level == CHUNK_LEVEL]
        return (max(chunks) + 1) * CHUNK if chunks else 0

    def find_idempotent(self, scope: str, key: str) -> IdempotentResult | None:
        with self._database_lock:
            return self._idempotency.get((scope, key))

    def _record(self, index: int) -> StoredRecord:
        return written_records([self._stored_events[index]], [self._chain[index]])[0]

    def select_records(
        self, *, after: int = 0, limit: int = 1000, upto: int | None = None
    ) -> list[StoredRecord]:
        with self._database_lock:
            stop = len(self._chain) if upto is None else min(upto, len(self._chain))
            return [self._record(i) for i in range(after, min(stop, after + limit))]

    def find_record(self, event: UUID) -> StoredRecord | None:
        with self._database_lock:
            index = self._by_event_id.get(event)
            return None if index is None else self._record(index)

    def head(self) -> Head:
        with self._database_lock:
            if not self._chain:
                return Head(0, None, GENESIS)
            last = self._chain[-1]
            return Head(last.position, last.recorded_at, last.hash)

    def position_at(self, recorded_at: str) -> int:
        with self._database_lock:
            times = [row.recorded_at for row in self._chain]
            return bisect.bisect_right(times, recorded_at)

    def barrier(self) -> str:
        """Appends hold the lock while they stamp and store: taking it waits for one."""
        with self._database_lock:
            return format_timestamp(utc_now())

    def scan_log(self, *, after: int | None = None, limit: int = 10000) -> list[RawRow]:
        with self._database_lock:
            start = 0 if after is None else max(after, 0)
            return [
                RawRow(*event_row(stored, row, UUID(str(stored.originator_id)).bytes))
                for stored, row in zip(
                    self._stored_events[start : start + limit],
                    self._chain[start : start + limit],
                    strict=True,
                )
            ]

    def rows_at(self, positions: Sequence[int]) -> list[RawRow]:
        with self._database_lock:
            size = len(self._stored_events)
            return [
                RawRow(
                    *event_row(
                        self._stored_events[p - 1],
                        self._chain[p - 1],
                        UUID(str(self._stored_events[p - 1].originator_id)).bytes,
                    )
                )
                for p in sorted(set(positions))
                if 1 <= p <= size
            ]

    def scan_marks(self, *, after: str = "", limit: int = 10000) -> None:
        """No separate time index: `position_at` bisects the rows themselves."""
        return None

    def event_position(self, originator_id: UUID, version: int) -> int | None:
        with self._database_lock:
            index = self._stored_events_index.get(str(originator_id), {}).get(version)
            return None if index is None else index + 1

    def event_positions(self, keys: Sequence[tuple[UUID, int]]) -> dict[tuple[UUID, int], int]:
        found = {key: self.event_position(*key) for key in keys}
        return {key: position for key, position in found.items() if position is not None}


class Factory(POPOFactory):
    """eventsourcing infrastructure factory for PERSISTENCE_MODULE=adapters.memory_store."""

    def application_recorder(self) -> ApplicationRecorder:
        return ChainedPOPOApplicationRecorder()
