"""Restoring an exported log into an empty store exactly as it was: the same stored
events (dossier ids, versions, topics, state bytes) with the same transaction times,
so the hash chain, and its head digest, come out identical. This is how a log moves
between stores (SQLite to PostgreSQL and back) without anyone being able to tell.

Every line is checked against the hash it was exported with before anything is
written, and the recorder checks the links again inside the one transaction that
writes them all: all or nothing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.utils import get_topic

from core.application import FollowUp
from core.dossier import Dossier
from core.envelope import ENVELOPE_FIELDS, STORAGE_FIELDS, SYSTEM_FIELDS
from core.errors import FollowupError
from core.integrity import GENESIS, canonical_bytes, event_id, link
from core.ports import Head, PreservedChunk


class RestoreError(FollowupError):
    """A line of a preserved export that cannot be restored exactly; nothing was."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


@dataclass(frozen=True)
class Restored:
    count: int
    head: Head
    #: How many events got another position than in the export (PostgreSQL leaves
    #: gaps where a transaction rolled back; a new store numbers them without gaps).
    renumbered: int


_REQUIRED = (*SYSTEM_FIELDS, *ENVELOPE_FIELDS, *STORAGE_FIELDS)
_NOT_PAYLOAD = set(_REQUIRED)


def preserved_event(app: FollowUp, flat: Mapping[str, Any]) -> StoredEvent:
    """The stored event an exported line was made from: the dossier's domain event
    rebuilt with the same fields in the same order, encoded by the app's own mapper."""
    missing = [name for name in _REQUIRED if name not in flat]
    if missing:
        raise ValueError(f"not a preserved export (no {', '.join(missing)}); use `events export`")
    version = flat["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"version must be a positive integer, not {version!r}")
    fields: dict[str, Any] = {
        "originator_id": UUID(str(flat["stream"])),
        "originator_version": version,
        "timestamp": datetime.fromisoformat(str(flat["timestamp"])),
    }
    event_class: type[Any]
    if version == 1:
        event_class = getattr(Dossier, "Opened")  # noqa: B009 (made by @event)
        fields["originator_topic"] = get_topic(Dossier)
        fields["subject"] = flat["subject"]
    else:
        event_class = getattr(Dossier, "Recorded")  # noqa: B009 (made by @event)
    fields.update(
        type=flat["type"],
        occurred_on=date.fromisoformat(str(flat["occurred_on"])),
        summary=flat["summary"],
        recommendations=list(flat["recommendations"]),
        sources=list(flat["sources"]),
        classification=flat["classification"],
        recorded_by=flat["recorded_by"],
        # The payload fields, in the order they were exported (the order stored).
        payload={k: v for k, v in flat.items() if k not in _NOT_PAYLOAD},
    )
    return app.mapper.to_stored_event(event_class(**fields))


#: Events held in memory at a time while restoring (one chunk of the one transaction).
CHUNK = 2000


@dataclass
class _Reading:
    """What restoring has read so far: the last line, the chain's digest and time, the
    events appended and how many of them got another position than in the export."""

    number: int = 0
    count: int = 0
    digest: bytes = GENESIS
    last_time: str = ""
    last_position: int = 0
    renumbered: int = 0


def restore_log(app: FollowUp, lines: Iterable[str], *, dry_run: bool = False) -> Restored:
    """Restore the exported lines into `app`'s store, which must be empty: streamed in
    chunks into one transaction, so any log fits in memory and an error keeps nothing."""
    if app.head().position != 0:
        raise FollowupError(
            "The store is not empty: a preserved log can only be restored into an empty "
            "store (nothing was imported)."
        )
    reading = _Reading()
    chunks = _chunks(app, lines, reading)
    if dry_run:
        for chunk in chunks:  # the positions a new store would give
            first = reading.last_position + 1
            chunk.appended(range(first, first + len(chunk.stored_events)))
    else:
        try:
            app.log.restore_chunks(chunks)
        except IntegrityError as error:
            raise FollowupError(f"Nothing was imported: {error}") from None
    if reading.count == 0:
        raise RestoreError(reading.number, "no events to restore")
    return Restored(
        reading.count,
        Head(reading.last_position, reading.last_time, reading.digest),
        reading.renumbered,
    )


def _chunks(app: FollowUp, lines: Iterable[str], reading: _Reading) -> Iterator[PreservedChunk]:
    """The lines as chunks of stored events, each line checked against the hash it was
    exported with before its chunk is given to the store (which checks again)."""
    stored_events: list[StoredEvent] = []
    times: list[str] = []
    hashes: list[bytes] = []
    exported: list[Any] = []

    def appended(positions: Sequence[int]) -> None:
        reading.count += len(positions)
        reading.renumbered += sum(1 for a, b in zip(exported, positions, strict=True) if a != b)
        reading.last_position = positions[-1]

    for number, line in enumerate(lines, start=1):
        reading.number = number
        if not line.strip():
            continue
        stored, recorded_at, expected, position = _checked_line(app, line, reading)
        stored_events.append(stored)
        times.append(recorded_at)
        hashes.append(expected)
        exported.append(position)
        if len(stored_events) == CHUNK:
            yield PreservedChunk(stored_events, times, hashes, appended)
            stored_events, times, hashes = [], [], []
            exported.clear()
    if stored_events:
        yield PreservedChunk(stored_events, times, hashes, appended)


def _checked_line(
    app: FollowUp, line: str, reading: _Reading
) -> tuple[StoredEvent, str, bytes, Any]:
    """One exported line as the stored event it was, checked: its id, its time (never
    before the previous line's) and its link from the chain so far (advanced)."""
    number = reading.number
    try:
        flat = json.loads(line)
        if not isinstance(flat, dict):
            raise ValueError("not a JSON object")
        stored = preserved_event(app, flat)
        recorded_at = str(flat["recorded_at"])
        expected = bytes.fromhex(str(flat["hash"]))
        originator = UUID(str(stored.originator_id))
        if event_id(originator, stored.originator_version) != UUID(str(flat["id"])):
            raise ValueError("the id is not the one derived from stream and version")
    except (ValueError, TypeError, KeyError) as error:
        raise RestoreError(number, str(error)) from None
    if recorded_at < reading.last_time:
        raise RestoreError(number, "recorded_at goes back in time; the log is out of order")
    digest = link(
        reading.digest,
        canonical_bytes(
            originator, stored.originator_version, stored.topic, stored.state, recorded_at
        ),
    )
    if digest != expected:
        raise RestoreError(
            number,
            "the event does not link to its recorded hash: the file was altered, "
            "reordered or cut (or exported by another version)",
        )
    reading.digest = digest
    reading.last_time = recorded_at
    return stored, recorded_at, expected, flat["position"]
