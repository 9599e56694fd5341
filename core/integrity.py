"""The hash chain that makes the log tamper-evident:
``hash_n = SHA-256(hash_{n-1} || canonical bytes of event n)``.

The canonical bytes cover what eventsourcing stores (originator id, version, topic,
state) and the transaction time, each length-prefixed so no two events share bytes.
"""

from __future__ import annotations

import hashlib
import struct
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


# -- the same, from raw values, for the hot paths (appending, verifying) ----------------
# No UUID objects: an originator is its 16 bytes. Tested equal to the definitions above.

CANONICAL_HEAD = struct.Struct(">I16sIQI").pack
CANONICAL_LENGTH = struct.Struct(">I").pack
EVENT_ID_SHA1 = hashlib.sha1(EVENT_ID_NAMESPACE.bytes, usedforsecurity=False)


def canonical_bytes_of(
    originator: bytes, version: object, topic: object, state: object, recorded_at: object
) -> bytes:
    """canonical_bytes(UUID(bytes=originator), ...); raises ValueError on a missing or
    malformed value (as a damaged store may hold)."""
    if not isinstance(originator, bytes) or len(originator) != 16:
        raise ValueError("the originator id is not a UUID")
    if not isinstance(version, int) or not 0 <= version < 2**64:
        raise ValueError("the version is not an integer")
    if not isinstance(topic, str) or not isinstance(recorded_at, str):
        raise ValueError("the topic or the time is not text")
    if not isinstance(state, bytes):
        raise ValueError("the state is not bytes")
    topic_bytes = topic.encode("utf-8")
    at_bytes = recorded_at.encode("ascii")
    return b"".join(
        (
            CANONICAL_HEAD(16, originator, 8, version, len(topic_bytes)),
            topic_bytes,
            CANONICAL_LENGTH(len(state)),
            state,
            CANONICAL_LENGTH(len(at_bytes)),
            at_bytes,
        )
    )


def event_id_bytes(originator: bytes, version: int) -> bytes:
    """event_id(UUID(bytes=originator), version).bytes, computed like uuid5."""
    h = originator.hex()
    sha = EVENT_ID_SHA1.copy()
    sha.update(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}:{version}".encode("ascii"))
    d = sha.digest()
    return d[:6] + bytes(((d[6] & 0x0F) | 0x50, d[7], (d[8] & 0x3F) | 0x80)) + d[9:16]
