"""Chain links computed inside the recorder's insert transaction, shared by every
backend, so the chain can never lag behind or fork from the events it covers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from core.clock import format_timestamp
from core.integrity import canonical_bytes, event_id, link
from core.ports import IdempotencyKey


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


@dataclass(frozen=True)
class ChainRow:
    position: int
    event_id: UUID
    recorded_at: str
    hash: bytes


def chain_rows(
    stored_events: Sequence[StoredEvent],
    positions: Sequence[int],
    *,
    previous_hash: bytes,
    previous_recorded_at: str | None,
    now: datetime,
    recorded_at: Sequence[str] | None = None,
) -> list[ChainRow]:
    """Links for newly inserted events. Transaction time never goes backwards along the
    log (a clock stepping back is clamped to the previous event's time), so "the log as
    of T" is always a prefix of the log. `recorded_at` is given only when re-importing a
    log whose times must be kept."""
    if recorded_at is not None and len(recorded_at) != len(stored_events):
        raise ValueError("one recorded_at per stored event is needed")
    clock = format_timestamp(now)
    if previous_recorded_at is not None and previous_recorded_at > clock:
        clock = previous_recorded_at
    rows = []
    digest = previous_hash
    for index, (stored, position) in enumerate(zip(stored_events, positions, strict=True)):
        moment = recorded_at[index] if recorded_at is not None else clock
        if previous_recorded_at is not None and moment < previous_recorded_at:
            raise ValueError("recorded_at must not go backwards along the log")
        previous_recorded_at = moment
        originator = UUID(str(stored.originator_id))
        digest = link(
            digest,
            canonical_bytes(
                originator, stored.originator_version, stored.topic, stored.state, moment
            ),
        )
        rows.append(
            ChainRow(position, event_id(originator, stored.originator_version), moment, digest)
        )
    return rows
