"""Chain links computed inside the recorder's insert transaction, shared by every
backend, so the chain can never lag behind or fork from the events it covers; and the
raw scan that `followup verify` reads, also shared."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent

from core.clock import format_timestamp
from core.integrity import canonical_bytes_of, event_id_bytes
from core.ports import IdempotencyKey, RawRow


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


class ChainRow(NamedTuple):
    position: int
    event_id: UUID
    recorded_at: str
    hash: bytes
    #: The position of the event before this one in the chain (0 for the first). Not
    #: covered by the hash: it only lets `verify` say exactly where a row went missing.
    previous_position: int = 0


class ChainMismatch(IntegrityError):
    """A re-imported event does not link to the hash it was exported with; raised
    inside the insert transaction, so nothing of the batch is kept."""

    def __init__(self, index: int, expected: bytes, computed: bytes) -> None:
        self.index = index
        super().__init__(
            f"event {index + 1} of the batch links to {computed.hex()}, not {expected.hex()}"
        )


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
) -> list[ChainRow]:
    """Links for newly inserted events. Transaction time never goes backwards along the
    log (a clock stepping back is clamped to the previous event's time), so "the log as
    of T" is always a prefix of the log. `recorded_at` is given only when re-importing a
    log whose times must be kept, and `expected_hashes` with it: the links the exported
    log had (a mismatch raises ChainMismatch)."""
    if recorded_at is not None and len(recorded_at) != len(stored_events):
        raise ValueError("one recorded_at per stored event is needed")
    if expected_hashes is not None and len(expected_hashes) != len(stored_events):
        raise ValueError("one expected hash per stored event is needed")
    clock = format_timestamp(now)
    if previous_recorded_at is not None and previous_recorded_at > clock:
        clock = previous_recorded_at
    rows = []
    digest = previous_hash
    sha256 = hashlib.sha256
    for index, (stored, position) in enumerate(zip(stored_events, positions, strict=True)):
        moment = recorded_at[index] if recorded_at is not None else clock
        if previous_recorded_at is not None and moment < previous_recorded_at:
            raise ValueError("recorded_at must not go backwards along the log")
        previous_recorded_at = moment
        originator = stored.originator_id
        raw = originator.bytes if isinstance(originator, UUID) else UUID(str(originator)).bytes
        version = stored.originator_version
        digest = sha256(
            digest + canonical_bytes_of(raw, version, stored.topic, bytes(stored.state), moment)
        ).digest()
        if expected_hashes is not None and expected_hashes[index] != digest:
            raise ChainMismatch(index, expected_hashes[index], digest)
        rows.append(
            ChainRow(
                position,
                UUID(bytes=event_id_bytes(raw, version)),
                moment,
                digest,
                previous_position,
            )
        )
        previous_position = position
    return rows


def merge_orphans(joined: list[RawRow], orphans: list[RawRow], limit: int) -> list[RawRow]:
    """The raw scan's page: `joined` are the event rows with their chain rows (None
    where an event has none), `orphans` the chain rows with no event row, each read
    with `position > after ORDER BY position LIMIT limit`. In position order; rows past
    the end of a full page are left for the next page, which may not have reached
    them yet. Orphans are rare (a damaged store), so the common case is `joined`."""
    if not orphans:
        return joined
    bounds = [page[-1][0] for page in (joined, orphans) if len(page) == limit]
    rows = sorted(joined + orphans, key=lambda row: row[0])
    if bounds:
        boundary = min(bounds)
        rows = [row for row in rows if row[0] <= boundary]
    return rows
