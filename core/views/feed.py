"""The log as the views read it: pages of events as facts, each checked against the
hash chain on the way.

The views fold from the store's raw rows (the same read `followup verify` makes) and
recompute each row's link from the one before, starting from the link the views
recorded where they stopped: a log changed, cut or reordered under them is refused
at the first position that does not chain (LogDamaged), never folded in.

Rows are decoded the short way when they are what followup's dossiers store (JSON
whose only encoded values are the two dates eventsourcing wraps): one `orjson.loads`
and a fact, instead of eventsourcing's domain event and our Event. Anything else (an
encrypted or compressed store, another topic) goes through eventsourcing's mapper.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from core.application import FollowUp, plain_state
from core.errors import StoreError
from core.facts import Day, Fact
from core.integrity import canonical_bytes_of, link
from core.ports import LogScanner, RawRow


class LogDamaged(StoreError):
    """The log does not chain where the views read it: nothing is folded from it."""

    def __init__(self, position: int, detail: str) -> None:
        self.position = position
        self.detail = detail
        super().__init__(
            f"The log is damaged at position {position} ({detail}): the views fold "
            "nothing from a log whose chain does not verify. Run `followup verify`."
        )


@dataclass(frozen=True)
class Page:
    """Facts of consecutive positions (the events as recorded), the dossiers (streams)
    that hold them, and the chain's link at the last of them."""

    facts: list[Fact]
    streams: list[bytes]
    last_hash: bytes
    #: The page's last position (that of the last fact, unless a helper kept some).
    end: int = 0
    #: The dossiers by position, where a helper kept some facts (so positions skip).
    by_position: dict[int, bytes] | None = None

    @property
    def last(self) -> int:
        return self.end or self.facts[-1].position

    def stream_of(self, position: int) -> bytes | None:
        if self.by_position is not None:
            return self.by_position.get(position)
        if self.facts and len(self.streams) == len(self.facts):
            index = position - self.facts[0].position
            if 0 <= index < len(self.facts) and self.facts[index].position == position:
                return self.streams[index]
        for fact, stream in zip(self.facts, self.streams, strict=False):
            if fact.position == position:
                return stream
        return None


class Feed:
    def __init__(self, app: FollowUp) -> None:
        self.app = app
        self.scanner = cast(LogScanner, app.recorder)
        self.short = app.plain

    def page(self, after: int, upto: int, limit: int, previous: bytes) -> Page | None:
        """Events at after < position <= upto (at most `limit`), chained from
        `previous` (the link at `after`); None if there are none."""
        rows = self.scanner.scan_log(after=after, limit=min(limit, upto - after))
        rows = [row for row in rows if row.position <= upto]
        if not rows:
            return None
        expected = after + 1
        facts = []
        # The common row's state is decoded the short way here, as fact() does (this
        # is most of a fold's reading); anything unusual goes through fact().
        short = self.short
        for row in rows:
            position, originator, version, topic, state = row[:5]
            if position != expected:
                raise LogDamaged(expected, "missing: the log skips to the next position")
            expected += 1
            previous = _linked(row, previous)  # raises unless the row is readable and chains
            state, originator = cast(bytes, state), cast(bytes, originator)
            version = cast(int, version)
            data = plain_state(cast(str, topic), state) if short else None
            if data is not None:
                day = Day(data["occurred_on"]["_data_"])
                facts.append(_fact(data, day, position, originator, version))
            else:
                facts.append(self.fact(row))
        return Page(facts, [cast(bytes, row.originator_id) for row in rows], previous)

    def position_of(self, event_id: str) -> int | None:
        """The position of an event of the log, by its id (None: no such event)."""
        record = self.app.log.find_record(UUID(event_id))
        return record.position if record is not None else None

    def last_written_by(self, label: str, *, after: int, upto: int) -> int | None:
        """The last position in (after, upto] recorded by `label`, if any (read raw:
        for a request waiting for its own writes only)."""
        found = None
        while after < upto:
            rows = self.scanner.scan_log(after=after, limit=min(2000, upto - after))
            if not rows:
                break
            for row in rows:
                if row.position > upto:
                    break
                if row.state is not None and self.fact(row).recorded_by == label:
                    found = row.position
            after = rows[-1].position
        return found

    def fact(self, row: RawRow) -> Fact:
        """The event of a row, as recorded."""
        state = row.state
        assert state is not None and row.originator_id is not None  # checked by the chain
        version = cast(int, row.originator_version)
        data = plain_state(row.topic, state) if self.short else None
        if data is not None:
            day = data["occurred_on"]["_data_"]
            return _fact(data, Day(day), row.position, row.originator_id, version)
        event = self.app.mapper.to_domain_event(
            StoredEvent(
                originator_id=UUID(bytes=row.originator_id),
                originator_version=version,
                topic=cast(str, row.topic),
                state=state,
            )
        )
        data = dict(vars(event))
        return _fact(data, Day(data["occurred_on"]), row.position, row.originator_id, version)


def _linked(row: RawRow, previous: bytes) -> bytes:
    try:
        canonical = canonical_bytes_of(
            cast(bytes, row.originator_id),
            row.originator_version,
            row.topic,
            row.state,
            row.recorded_at,
        )
    except ValueError as error:
        raise LogDamaged(row.position, f"unreadable: {error}") from None
    expected = link(previous, canonical)
    if row.hash != expected:
        raise LogDamaged(row.position, "its link in the chain does not match the event")
    return expected


def _fact(data: dict[str, Any], day: Day, position: int, originator: bytes, version: int) -> Fact:
    # The event's id (core.integrity.event_id) as text: the stream's first twelve
    # bytes, then the version.
    h = originator[:12].hex() + version.to_bytes(4, "big").hex()
    # tuple.__new__: a NamedTuple's own __new__ is a Python function, a tenth of the cost.
    return _new_fact(
        Fact,
        (
            data["type"],
            day,
            data["payload"],
            f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}",
            position,
            data["classification"],
            data["recorded_by"],
            tuple(data["recommendations"]),
            data["summary"],
            tuple(data["sources"]),
        ),
    )


_new_fact = tuple.__new__


def hash_at(app: FollowUp, position: int) -> bytes | None:
    """The chain's link stored at a position (None if the log has no row there)."""
    rows = cast(LogScanner, app.recorder).scan_log(after=position - 1, limit=1)
    if not rows or rows[0].position != position:
        return None
    return rows[0].hash
