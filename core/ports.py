"""What the core needs from technology, as small interfaces; adapters/ implements them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from core.merkle import TreeSource
from core.sql import Sql


@dataclass(frozen=True)
class StoredRecord:
    """One row of the log as the store holds it: eventsourcing's stored event plus the
    system fields kept beside it in the same transaction."""

    position: int
    event_id: UUID
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes
    recorded_at: str
    hash: bytes


@dataclass(frozen=True)
class Head:
    """The end of the log: its last position, when that was recorded, the chain digest."""

    position: int
    recorded_at: str | None
    digest: bytes

    @property
    def hexdigest(self) -> str:
        return self.digest.hex()


@dataclass(frozen=True)
class IdempotencyKey:
    """A client's key for one request: a retry with the same key and the same request
    (same `request_hash`) gets the original result; the key is kept in the same
    transaction as the events it produced, so a crash cannot separate them."""

    scope: str
    key: str
    request_hash: str


@dataclass(frozen=True)
class IdempotentResult:
    request_hash: str
    first_position: int
    last_position: int
    count: int


class PreservedChunk(NamedTuple):
    """Events of an exported log, to be appended exactly as they were."""

    stored_events: Sequence[StoredEvent]
    recorded_at: Sequence[str]
    hashes: Sequence[bytes]
    #: Called with the positions the events were given, inside the transaction.
    appended: Callable[[Sequence[int]], None]


class LogRecorder(Protocol):
    """Reads of the log with its system fields; every store's application recorder
    implements this beside eventsourcing's ApplicationRecorder interface."""

    def select_records(
        self, *, after: int = 0, limit: int = 1000, upto: int | None = None
    ) -> Sequence[StoredRecord]:
        """Records with after < position <= upto, in log order."""
        ...

    def find_record(self, event_id: UUID) -> StoredRecord | None: ...

    def head(self) -> Head: ...

    def position_at(self, recorded_at: str) -> int:
        """The last position recorded at or before the given transaction time (0: none)."""
        ...

    def barrier(self) -> str:
        """Wait until every transaction that took the write lock before this call is
        committed (or rolled back), and return the store's clock then: any later
        transaction is stamped after it."""
        ...

    def find_idempotent(self, scope: str, key: str) -> IdempotentResult | None:
        """What a request with this idempotency key recorded, if one did."""
        ...

    def sql(self) -> Sql:
        """The store's database, for tables kept beside the log."""
        ...

    def tree_source(self) -> TreeSource:
        """The log's Merkle tree (core/merkle.py): stored nodes, leaves from events."""
        ...

    def build_tree(self) -> int:
        """Store the tree's nodes missing for events already recorded (a log kept before
        the tree was); returns how many. Appends keep it from then on."""
        ...

    def restore_chunks(self, chunks: Iterable[PreservedChunk]) -> int:
        """Append preserved events (with their recorded times and the hashes they were
        exported with) chunk by chunk, all in one transaction: a log of any length is
        restored in bounded memory, and an error anywhere, raised by the store or by
        whoever yields the chunks, keeps nothing. Returns how many were appended."""
        ...


class RawRow(NamedTuple):
    """One position of the log as the store holds it, undecoded, for `verify`: the
    event and its link in the chain (recorded_at, hash, previous_position), kept in the
    same row; any value may be missing (None) or malformed in a damaged store. Ids are
    raw 16-byte UUIDs (or whatever bytes a damaged row holds)."""

    position: int
    originator_id: bytes | None
    originator_version: int | None
    topic: str | None
    state: bytes | None
    recorded_at: str | None
    hash: bytes | None
    previous_position: int | None


class LogScanner(Protocol):
    """Raw reads that see the store as it is, damage included; every store's
    application recorder implements this beside LogRecorder."""

    def scan_log(self, *, after: int | None = None, limit: int = 10000) -> Sequence[RawRow]:
        """Positions > after (every position when None), in order, at most `limit`
        of them, at least one if any."""
        ...

    def rows_at(self, positions: Sequence[int]) -> Sequence[RawRow]:
        """The rows at some positions (those the log has), in position order: the
        events the views read as facts, found through their posting lists."""
        ...

    def scan_marks(
        self, *, after: str = "", limit: int = 10000
    ) -> Sequence[tuple[str, int]] | None:
        """The time index behind "position at time T", where the store keeps one
        apart from the rows: (recorded_at, the largest position marked at that time),
        for times > after, in order, at most `limit`. None where the rows are their
        own time index (bisected by position)."""
        ...

    def event_position(self, originator_id: UUID, version: int) -> int | None:
        """Where the event rows hold this event, if they do."""
        ...

    def event_positions(self, keys: Sequence[tuple[UUID, int]]) -> dict[tuple[UUID, int], int]:
        """Where the event rows hold each of these events (originator, version), for
        those they hold: the targets of a page's changes, in one query rather than a
        query each (a store without it is asked `event_position` for each)."""
        ...


@dataclass(frozen=True)
class StoreAdapter:
    """A kind of store, chosen by the scheme of FOLLOWUP_DATABASE_URL. `environment`
    turns the URL into the eventsourcing environment that builds its recorders.

    Optional, for the command line: `exists` says whether the URL names a store that
    was created (only `followup init` creates one); `writable` whether this process
    may write to it; `copy` copies a store that is read-only (an auditor's
    write-protected copy) into a folder and returns the copy's URL, for the commands
    that only read (the views they derive are written there)."""

    scheme: str
    environment: Callable[[str], Mapping[str, str]]
    description: str = ""
    exists: Callable[[str], bool] | None = None
    writable: Callable[[str], bool] | None = None
    copy: Callable[[str, str], str] | None = None
