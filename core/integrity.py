"""The hash chain that makes the log tamper-evident:
``hash_n = SHA-256(hash_{n-1} || canonical bytes of event n)``.

The canonical bytes cover what eventsourcing stores (originator id, version, topic,
state) and the transaction time, each length-prefixed so no two events share bytes.
"""

from __future__ import annotations

import hashlib
from uuid import UUID, uuid5

#: The hash before the first event.
GENESIS = bytes(32)

#: Namespace of event ids: an event's id is derived from where eventsourcing keeps it,
#: so the store can index it in the same transaction without decoding the state.
EVENT_ID_NAMESPACE = UUID("6f1d5c1e-4a8e-5b7c-9a51-2e0c0c2a0f66")


def event_id(originator_id: UUID, version: int) -> UUID:
    return uuid5(EVENT_ID_NAMESPACE, f"{originator_id}:{version}")


def canonical_bytes(
    originator_id: UUID, version: int, topic: str, state: bytes, recorded_at: str
) -> bytes:
    parts = (
        originator_id.bytes,
        version.to_bytes(8, "big"),
        topic.encode("utf-8"),
        bytes(state),
        recorded_at.encode("ascii"),
    )
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


def link(previous: bytes, canonical: bytes) -> bytes:
    return hashlib.sha256(previous + canonical).digest()
