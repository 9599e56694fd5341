"""Chain links computed inside the recorder's insert transaction, shared by every
backend, so the chain can never lag behind or fork from the events it covers. Each
link is stored in its event's own row (one row, one B-tree per event, as in
eventsourcing's plain recorder). On PostgreSQL the transaction times are also indexed
in a small table with one entry per run of equal times (`time_marks`)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple, TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent

from auditor.tlog import LEAF_PREFIX
from core.clock import format_timestamp, parse_timestamp
from core.integrity import CANONICAL_HEAD, CANONICAL_LENGTH, MAX_VERSION, event_id
from core.ports import IdempotencyKey, StoredRecord


def idempotency_row(
    idempotency: IdempotencyKey, positions: Sequence[int]
) -> tuple[str, str, str, int, int, int]:
    """Values for (scope, key, request_hash, first_position, last_position, count)."""
    return (
        idempotency.scope,
        idempotency.key,
        idempotency.request_hash,
        positions[0],
        positions[-1],
        len(positions),
    )


#: A store laid out before the links moved into the event rows (development builds
#: before 28 November 2026): refused, not converted, because its event ids differ.
LEGACY_LAYOUT = (
    "this store was written by an earlier development build of followup (event links "
    "in a separate table, other event ids); it is left untouched: use a new store"
)


Originator = TypeVar("Originator")


class ChainRow(NamedTuple):
    position: int
    recorded_at: str
    hash: bytes
    #: The position of the event before this one in the chain (0 for the first). Not
    #: covered by the hash: it only lets `verify` say exactly where a row went missing.
    previous_position: int = 0
    #: The event's leaf in the Merkle tree, SHA-256(0x00 || canonical bytes): not
    #: stored in the row (core/merkle.py keeps the nodes above it).
    leaf: bytes = b""


class ChainMismatch(IntegrityError):
    """A re-imported event does not link to the hash it was exported with; raised
    inside the insert transaction, so nothing of the batch is kept."""

    def __init__(self, index: int, expected: bytes, computed: bytes) -> None:
        self.index = index
        super().__init__(
            f"event {index + 1} of the batch links to {computed.hex()}, not {expected.hex()}"
        )


MICROSECOND = timedelta(microseconds=1)


def chain_rows(
    stored_events: Sequence[StoredEvent],
    positions: Sequence[int],
    *,
    previous_hash: bytes,
    previous_recorded_at: str | None,
    now: datetime,
    recorded_at: Sequence[str] | None = None,
    previous_position: int = 0,
    expected_hashes: Sequence[bytes] | None = None,
    leaves: bool = True,
) -> list[ChainRow]:
    """Links for newly inserted events. Transaction time never goes backwards along the
    log, and each transaction's is later than the last one's (a clock stepping back is
    clamped to just after it), so "the log as of T" is always a prefix of the log.
    `recorded_at` is given only when re-importing a log whose times must be kept, and
    `expected_hashes` with it: the links the exported log had (a mismatch raises
    ChainMismatch). `leaves`: also each event's leaf in the Merkle tree."""
    if recorded_at is not None and len(recorded_at) != len(stored_events):
        raise ValueError("one recorded_at per stored event is needed")
    if expected_hashes is not None and len(expected_hashes) != len(stored_events):
        raise ValueError("one expected hash per stored event is needed")
    clock = format_timestamp(now)
    if previous_recorded_at is not None and previous_recorded_at >= clock:
        # Each transaction's time is later than the last one's (a microsecond later,
        # if the clock did not move or stepped back): the events of one time are then
        # one transaction, visible whole, so an answer "as of" the log's last time is
        # final as soon as it is given.
        clock = format_timestamp(parse_timestamp(previous_recorded_at) + MICROSECOND)
    rows = []
    digest = previous_hash
    # The hot loop of every append: canonical bytes built inline (as `verify` does;
    # tested equal to canonical_bytes), the time's bytes once per distinct time.
    sha256, join, head, length = hashlib.sha256, b"".join, CANONICAL_HEAD, CANONICAL_LENGTH
    tail_of = ""
    tail = b""
    for index, (stored, position) in enumerate(zip(stored_events, positions, strict=True)):
        moment = recorded_at[index] if recorded_at is not None else clock
        if previous_recorded_at is not None and moment < previous_recorded_at:
            raise ValueError("recorded_at must not go backwards along the log")
        previous_recorded_at = moment
        if moment != tail_of:
            at = moment.encode("ascii")
            tail_of, tail = moment, length(len(at)) + at
        originator = stored.originator_id
        raw = originator.bytes if isinstance(originator, UUID) else UUID(str(originator)).bytes
        version = stored.originator_version
        if not 0 <= version <= MAX_VERSION:
            raise ValueError(f"version {version} is outside 0..{MAX_VERSION}")
        topic = stored.topic.encode("utf-8")
        state = stored.state if isinstance(stored.state, bytes) else bytes(stored.state)
        canonical = join(
            (head(16, raw, 8, version, len(topic)), topic, length(len(state)), state, tail)
        )
        digest = sha256(digest + canonical).digest()
        if expected_hashes is not None and expected_hashes[index] != digest:
            raise ChainMismatch(index, expected_hashes[index], digest)
        leaf = sha256(LEAF_PREFIX + canonical).digest() if leaves else b""
        rows.append(ChainRow(position, moment, digest, previous_position, leaf))
        previous_position = position
    return rows


def event_row(
    stored: StoredEvent, link: ChainRow, originator: Originator
) -> tuple[int, Originator, int, str, bytes, str, bytes, int]:
    """An event's row as every store lays it out: position, originator (in the store's
    own form), version, topic, state, then its link (recorded_at, hash, previous)."""
    return (
        link.position,
        originator,
        stored.originator_version,
        stored.topic,
        stored.state,
        link.recorded_at,
        link.hash,
        link.previous_position,
    )


def written_records(
    stored_events: Sequence[StoredEvent], rows: Sequence[ChainRow]
) -> list[StoredRecord]:
    """The records an insert wrote, as `select_records` reads them back, for the writer
    who asked for them (the `written` list an insert is given): a batch's events are
    then not read again after their commit, which for an import of 100,000 events took
    the seconds a follower needs to bring the views up to it."""
    records = []
    for stored, row in zip(stored_events, rows, strict=True):
        originator = stored.originator_id
        if not isinstance(originator, UUID):
            originator = UUID(str(originator))
        version = stored.originator_version
        records.append(
            StoredRecord(
                position=row.position,
                event_id=event_id(originator, version),
                originator_id=originator,
                originator_version=version,
                topic=stored.topic,
                state=stored.state if isinstance(stored.state, bytes) else bytes(stored.state),
                recorded_at=row.recorded_at,
                hash=row.hash,
            )
        )
    return records


def time_marks(rows: Sequence[ChainRow]) -> list[tuple[str, int]]:
    """(recorded_at, position) of the last event of each run of equal times: times
    never go backwards along the log, so the position at time T is the largest
    position marked at or before T."""
    marks: list[tuple[str, int]] = []
    for row in rows:
        if marks and marks[-1][0] == row.recorded_at:
            marks[-1] = (row.recorded_at, row.position)
        else:
            marks.append((row.recorded_at, row.position))
    return marks
