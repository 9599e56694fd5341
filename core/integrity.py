"""The hash chain that makes the log tamper-evident:
``hash_n = SHA-256(hash_{n-1} || canonical bytes of event n)``.

The canonical bytes cover what eventsourcing stores (originator id, version, topic,
state) and the transaction time, each length-prefixed so no two events share bytes.
"""

from __future__ import annotations

import hashlib
import struct
from uuid import UUID

#: The hash before the first event.
GENESIS = bytes(32)

#: An event's id is its stream's id with the last four bytes replaced by its version:
#: the store finds an event by id through eventsourcing's own primary key (stream,
#: version), with no index of its own to keep (a random-keyed index doubled the pages
#: every batch of appends wrote). Streams are uuid5 or uuid4 ids, so two of them share
#: their first twelve bytes with a probability of about n^2 / 2^91.
STREAM_PREFIX = 12
MAX_VERSION = 2**32 - 1
#: Bits of an event id that hold its version (the rest is the stream's prefix).
_VERSION_BITS = 8 * (16 - STREAM_PREFIX)


def event_id(originator_id: UUID, version: int) -> UUID:
    """UUID(bytes=event_id_bytes(originator_id.bytes, version)), by arithmetic on the
    ids' numbers (a log's read makes one for every row: a third of the time)."""
    _check_version(version)
    return UUID(int=originator_id.int >> _VERSION_BITS << _VERSION_BITS | version)


def event_stream_prefix(event: UUID) -> tuple[bytes, int]:
    """The first twelve bytes of the event's stream id, and its version."""
    raw = event.bytes
    return raw[:STREAM_PREFIX], int.from_bytes(raw[STREAM_PREFIX:], "big")


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


def _check_version(version: int) -> None:
    if not 0 <= version <= MAX_VERSION:
        raise ValueError(f"version {version} is outside 0..{MAX_VERSION}")


def event_id_bytes(originator: bytes, version: int) -> bytes:
    """event_id(UUID(bytes=originator), version).bytes."""
    _check_version(version)
    return originator[:STREAM_PREFIX] + version.to_bytes(4, "big")
