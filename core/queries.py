"""Reads of the log by filter: which events of some types, naming a party, that
happened in a period, as the system knew them at a moment. With conditions, the event
index (core/event_index.py) says where to look; without, the log is read in order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from core import event_index
from core.application import FollowUp
from core.clock import format_timestamp, parse_timestamp
from core.envelope import Event
from core.eventtypes import parties_in
from core.people import recorded_by_matches
from core.ports import StoredRecord

#: How many records one scan step reads from the store.
SCAN_PAGE = 500


@dataclass(frozen=True)
class EventFilter:
    """Conditions an event must meet; an empty filter takes every event."""

    types: frozenset[str] = field(default_factory=frozenset)
    party: str | None = None
    occurred_from: date | None = None
    occurred_to: date | None = None
    #: Who recorded: a whole `recorded_by`, or a person's email (core/people.py).
    recorded_by: str | None = None

    def is_empty(self) -> bool:
        return not (
            self.types
            or self.party is not None
            or self.occurred_from is not None
            or self.occurred_to is not None
            or self.recorded_by is not None
        )

    def matches(self, event: Event, app: FollowUp) -> bool:
        if self.types and event.type not in self.types:
            return False
        if self.occurred_from is not None and event.occurred_on < self.occurred_from:
            return False
        if self.occurred_to is not None and event.occurred_on > self.occurred_to:
            return False
        if self.recorded_by is not None and not recorded_by_matches(
            self.recorded_by, event.recorded_by
        ):
            return False
        if self.party is not None:
            event_type = app.catalogue.types.get(event.type)
            if event_type is None or self.party not in parties_in(event_type, event.payload):
                return False
        return True


@dataclass(frozen=True)
class EventPage:
    """Events in log order, and where the next page starts (None: this is the last)."""

    events: list[Event]
    next_after: int | None


def find_events(
    app: FollowUp,
    where: EventFilter,
    *,
    after: int = 0,
    upto: int | None = None,
    limit: int = 100,
    visible: Callable[[Event], bool] = lambda event: True,
) -> EventPage:
    """Up to `limit` visible events matching `where` with after < position <= upto.
    Pages are cut by position, so they are stable: new events only ever come later.
    With conditions, the event index proposes the candidates (each checked again);
    without, the log is read in order."""
    records = _scanned(app, after, upto) if where.is_empty() else _indexed(app, where, after, upto)
    found: list[Event] = []
    for record in records:
        event = app.to_event(record)
        if not (where.matches(event, app) and visible(event)):
            continue
        if len(found) == limit:
            # One more match exists: the page is full and a next one has something.
            return EventPage(found, found[-1].position)
        found.append(event)
    return EventPage(found, None)


def _scanned(app: FollowUp, after: int, upto: int | None) -> Iterator[StoredRecord]:
    cursor = after
    while True:
        records = app.log.select_records(after=cursor, limit=SCAN_PAGE, upto=upto)
        yield from records
        if len(records) < SCAN_PAGE:
            return
        cursor = records[-1].position


def _indexed(
    app: FollowUp, where: EventFilter, after: int, upto: int | None
) -> Iterator[StoredRecord]:
    event_index.catch_up(app)
    cursor = after
    while True:
        positions = event_index.candidates(
            app,
            types=sorted(where.types),
            party=where.party,
            occurred_from=where.occurred_from,
            occurred_to=where.occurred_to,
            after=cursor,
            upto=upto,
            limit=SCAN_PAGE,
        )
        for position in positions:
            yield from app.log.select_records(after=position - 1, upto=position, limit=1)
        if len(positions) < SCAN_PAGE:
            return
        cursor = positions[-1]


def as_of_moment(text: str) -> datetime:
    """An `as_of` value (DESIGN.md §3): an RFC 3339 timestamp, or a date meaning the end
    of that day (UTC). Raises ValueError for anything else."""
    text = text.strip()
    if len(text) == 10:
        day = date.fromisoformat(text)
        return datetime.combine(day, time.max, tzinfo=UTC)
    if "T" not in text.upper():
        raise ValueError(f"not a date or timestamp: {text[:40]!r}")
    try:
        moment = parse_timestamp(text.upper())
        format_timestamp(moment)  # far-off years with offsets overflow here, not later
    except OverflowError:
        raise ValueError(f"out of range: {text[:40]!r}") from None
    return moment


@dataclass(frozen=True)
class Settled:
    """The log as of a moment: its last position then, and whether that answer is
    final. It is not when the moment is later than the log has reached: what is
    recorded until then will change it."""

    position: int
    final: bool


def settled_as_of(app: FollowUp, moment: datetime) -> Settled:
    """The log as of `moment`, as it will stay. A transaction's time is stamped when
    it takes the write lock and becomes visible at its commit; so unless `moment` is
    before the last committed event (later transactions are stamped after that), the
    answer waits until every transaction that took the lock before is committed (a
    read barrier): asked again later, the same moment gives the same position."""
    asked = format_timestamp(moment)
    head = app.log.head()
    if head.recorded_at is not None and asked < head.recorded_at:
        return Settled(app.log.position_at(asked), True)
    reached = app.log.barrier()
    return Settled(app.log.position_at(asked), asked < reached)


def position_as_of(app: FollowUp, moment: datetime) -> int:
    """The last position the system had recorded at `moment` (0: nothing yet), once
    that is settled (see `settled_as_of`)."""
    return settled_as_of(app, moment).position
