"""People, not labels: who recorded an event, and why a correction or retraction was
made. A token issued to a person (`followup token create --person --email`) records
as that person, ``Name <email>``; events recorded with tokens issued before keep the
label they were recorded with (the log never changes)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from core.application import FollowUp
from core.catalogue import Catalogue
from core.clock import format_timestamp
from core.envelope import Event
from core.eventtypes import Effect

_EMAIL = re.compile(r"<([^<>\s]+@[^<>\s]+)>$")


def identity(person: str, email: str) -> str:
    """`recorded_by` of what a person's token records."""
    return f"{person} <{email}>"


def email_of(recorded_by: str) -> str | None:
    found = _EMAIL.search(recorded_by)
    return found.group(1) if found else None


def recorded_by_matches(wanted: str, recorded_by: str) -> bool:
    """A filter on who recorded: the whole `recorded_by`, or a person's email alone."""
    return wanted == recorded_by or (email_of(recorded_by) or "").lower() == wanted.lower()


def who_and_why(event: Event, catalogue: Catalogue) -> dict[str, Any]:
    """Who recorded the event and, for a correction or retraction, what it changes
    (under the name of its type's `target` field) and the reason given."""
    said: dict[str, Any] = {"recorded_by": event.recorded_by}
    event_type = catalogue.types.get(event.type)
    target = event_type.target_of(event.payload) if event_type is not None else None
    if event_type is not None and target is not None:
        said[str(event_type.target)] = target
        said["reason"] = event.payload.get("reason")
        if event_type.effect is Effect.CORRECT:
            said["changed"] = sorted(event.payload.get(str(event_type.changes)) or {})
    return said


#: The trail's columns before the corrections' and retractions' target fields.
TRAIL_START = (
    "position",
    "recorded_at",
    "recorded_by",
    "type",
    "id",
    "classification",
    "occurred_on",
)


def trail_fields(catalogue: Catalogue) -> tuple[str, ...]:
    """The trail's columns: where and who, then the field naming what each kind of
    correction or retraction changes (in catalogue order), what changed and why."""
    targets = [t.target for t in catalogue.types.values() if t.target is not None]
    return (*TRAIL_START, *dict.fromkeys(targets), "changed", "reason")


def trail(
    app: FollowUp, first: datetime | None, last: datetime | None, *, after_position: int = 0
) -> Iterator[dict[str, Any]]:
    """Who recorded what, when and why, for the events recorded from `first` to `last`
    (transaction time, inclusive; open ends when None), in log order; those after
    `after_position` only (the next page of a long trail)."""
    after = app.log.position_at(format_timestamp(first)) if first is not None else 0
    if first is not None:
        # position_at gives the last event at or before `first`: events recorded exactly
        # then belong to the trail too.
        while after > 0:
            [record] = app.log.select_records(after=after - 1, upto=after, limit=1)
            if record.recorded_at < format_timestamp(first):
                break
            after -= 1
    after = max(after, after_position)
    upto = app.log.position_at(format_timestamp(last)) if last is not None else None
    fields = trail_fields(app.catalogue)
    for event in app.read_log(after=after, upto=upto):
        said = who_and_why(event, app.catalogue)
        row = {
            "position": event.position,
            "recorded_at": event.recorded_at,
            "type": event.type,
            "id": str(event.id),
            "classification": event.classification,
            "occurred_on": event.occurred_on.isoformat(),
            **said,
        }
        yield {name: row.get(name) for name in fields}
