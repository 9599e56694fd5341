"""Restoring an exported log into an empty store exactly as it was: the same stored
events (dossier ids, versions, topics, state bytes) with the same transaction times,
so the hash chain, and its head digest, come out identical. This is how a log moves
between stores (SQLite to PostgreSQL and back) without anyone being able to tell.

Every line is checked against the hash it was exported with before anything is
written, and the recorder checks the links again inside the one transaction that
writes them all: all or nothing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
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
from core.ports import Head


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


def restore_log(app: FollowUp, lines: Iterable[str], *, dry_run: bool = False) -> Restored:
    """Restore the exported lines into `app`'s store, which must be empty."""
    if app.head().position != 0:
        raise FollowupError(
            "The store is not empty: a preserved log can only be restored into an empty "
            "store (nothing was imported)."
        )
    stored_events: list[StoredEvent] = []
    times: list[str] = []
    hashes: list[bytes] = []
    digest = GENESIS
    positions: list[Any] = []
    number = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            flat = json.loads(line)
            if not isinstance(flat, dict):
                raise ValueError("not a JSON object")
            stored = preserved_event(app, flat)
            recorded_at = str(flat["recorded_at"])
            expected = bytes.fromhex(str(flat["hash"]))
        except (ValueError, TypeError, KeyError) as error:
            raise RestoreError(number, str(error)) from None
        originator = UUID(str(stored.originator_id))
        if event_id(originator, stored.originator_version) != UUID(str(flat["id"])):
            raise RestoreError(number, "the id is not the one derived from stream and version")
        if times and recorded_at < times[-1]:
            raise RestoreError(number, "recorded_at goes back in time; the log is out of order")
        digest = link(
            digest,
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
        stored_events.append(stored)
        times.append(recorded_at)
        hashes.append(expected)
        positions.append(flat["position"])
    if not stored_events:
        raise RestoreError(number, "no events to restore")
    if dry_run:
        new_positions: list[int] = list(range(1, len(stored_events) + 1))
    else:
        try:
            new_positions = list(
                app.recorder.insert_events(stored_events, recorded_at=times, expected_hashes=hashes)
                or []
            )
        except IntegrityError as error:
            raise FollowupError(f"Nothing was imported: {error}") from None
    head = Head(new_positions[-1], times[-1], digest)
    renumbered = sum(1 for old, new in zip(positions, new_positions, strict=True) if old != new)
    return Restored(len(stored_events), head, renumbered)
