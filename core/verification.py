"""Verifying the log: recompute the hash chain from the first event and find the first
place where the stored data disagrees with it, naming the kind of damage.

It reads the store raw (a LogScanner: each event with its link, one page at a time), so
it sees what the store holds, damage included, in bounded memory on any log size. The
kinds of damage:

- ``changed``: an event (or its link) is not what was recorded at that position;
- ``missing``: the chain recorded an event that is not there any more;
- ``inserted``: an event is there that the chain never recorded at that place;
- ``reordered``: the event there was recorded at another position.

The store's time index (which places "the log as of T") is read alongside and must
agree with the log. Removing events from the end of the log, and their marks, leaves a
shorter, consistent chain: only a digest published earlier (``DIGEST@POSITION``,
checked with `against`) reveals it.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.integrity import (
    CANONICAL_HEAD,
    CANONICAL_LENGTH,
    GENESIS,
    canonical_bytes_of,
)
from core.ports import LogScanner, RawRow

CHANGED = "changed"
MISSING = "missing"
INSERTED = "inserted"
REORDERED = "reordered"

#: Rows read per round trip: large pages keep the database's per-query cost small.
PAGE = 10000


@dataclass(frozen=True)
class Damage:
    position: int
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"position {self.position}: {self.kind} ({self.detail})"


@dataclass(frozen=True)
class Published:
    """A digest published earlier, with the position it was the head of."""

    digest: bytes
    position: int

    @classmethod
    def parse(cls, text: str) -> Published:
        """``DIGEST@POSITION``: 64 hex characters, then the position."""
        match = re.fullmatch(r"([0-9a-fA-F]{64})@([0-9]+)", text.strip())
        if match is None:
            raise ValueError(
                f"{text!r} is not DIGEST@POSITION (64 hex characters, '@', a position)"
            )
        return cls(bytes.fromhex(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.digest.hex()}@{self.position}"


@dataclass(frozen=True)
class Verification:
    """What verifying found. `count`, `position` and `digest` describe the prefix that
    verified (all of the log when `ok`). With a published digest, `found` is the
    recomputed digest at its position (None when the log does not reach it)."""

    count: int
    position: int
    digest: bytes
    damage: Damage | None = None
    against: Published | None = None
    found: bytes | None = None

    @property
    def ok(self) -> bool:
        return self.damage is None

    @property
    def hexdigest(self) -> str:
        return self.digest.hex()

    @property
    def matches_published(self) -> bool | None:
        """None without a published digest; else whether the log still has it."""
        if self.against is None:
            return None
        return self.found == self.against.digest

    def describe(self) -> str:
        """The verdict as `followup verify` prints it."""
        lines = []
        if self.damage is None:
            lines.append(f"OK {self.count} events, head {self.hexdigest}")
        else:
            lines.append(
                f"DAMAGED at {self.damage}; the {self.count} events before it verify "
                f"(up to position {self.position}, digest {self.hexdigest})"
            )
        if self.against is not None:
            if self.found is None:
                lines.append(
                    f"published digest {self.against} NOT FOUND: the verified log has no "
                    f"event at position {self.against.position}"
                )
            elif self.found == self.against.digest:
                lines.append(f"published digest {self.against} matches the log")
            else:
                lines.append(
                    f"published digest {self.against} does NOT match: the log has "
                    f"{self.found.hex()} at position {self.against.position}"
                )
        return "\n".join(lines)


def verify_log(
    scanner: LogScanner,
    *,
    against: Published | None = None,
    progress: Callable[[int], None] | None = None,
    page: int = PAGE,
) -> Verification:
    """Recompute the chain from the first event; stop at the first damage. `progress`
    is called with the last position read after each page."""
    digest = GENESIS
    count = 0
    previous = 0  # position of the last verified event (0: none yet)
    previous_at = ""
    found: bytes | None = None
    after: int | None = None
    wanted = against.position if against is not None else None
    # The hot loop: names bound locally, canonical bytes built inline (see _canonical).
    sha256 = hashlib.sha256
    join = b"".join
    head = CANONICAL_HEAD
    length = CANONICAL_LENGTH

    marks = _TimeIndex(scanner, page)

    def result(damage: Damage | None = None) -> Verification:
        return Verification(count, previous, digest, damage, against, found)

    while True:
        rows = scanner.scan_log(after=after, limit=page)
        if not rows:
            return result(marks.check(previous_at, previous) or marks.beyond(previous))
        for row in rows:
            position, originator, version, topic, state, at, stored, back = row
            try:
                topic_bytes = topic.encode("utf-8")  # type: ignore[union-attr]
                at_bytes = at.encode("ascii")  # type: ignore[union-attr]
                linked = sha256(
                    join(
                        (
                            digest,
                            head(16, originator, 8, version, len(topic_bytes)),  # type: ignore[arg-type]
                            topic_bytes,
                            length(len(state)),  # type: ignore[arg-type]
                            state,
                            length(len(at_bytes)),
                            at_bytes,
                        )
                    )
                ).digest()
                intact = (
                    linked == stored
                    and len(originator) == 16  # type: ignore[arg-type]
                    and at >= previous_at  # type: ignore[operator]
                    and back == previous
                )
            except (AttributeError, TypeError, ValueError, OverflowError, struct.error):
                intact = False  # a missing or malformed value: damage, named below
            if not intact:
                return result(_classify(scanner, RawRow(*row), previous, digest, rows))
            if at != previous_at and previous and (damage := marks.check(previous_at, previous)):
                return result(damage)
            digest = linked
            count += 1
            previous = position
            previous_at = at  # type: ignore[assignment]
            if position == wanted:
                found = digest
        after = rows[-1][0]
        if progress is not None:
            progress(after)


class _TimeIndex:
    """The store's time index read alongside the log: every run of events recorded at
    the same time must end where the index says, or as-of queries would read the
    wrong prefix of the log."""

    def __init__(self, scanner: LogScanner, page: int) -> None:
        self._scanner = scanner
        self._page = page
        self._marks: list[tuple[str, int]] = []
        self._next = 0
        self._after = ""
        self.separate = True

    def _peek(self) -> tuple[str, int] | None:
        if self._next == len(self._marks):
            marks = self._scanner.scan_marks(after=self._after, limit=self._page)
            if marks is None:  # the rows are their own time index
                self.separate = False
                return None
            self._marks = list(marks)
            self._next = 0
            if not self._marks:
                return None
            self._after = self._marks[-1][0]
        return self._marks[self._next]

    def check(self, recorded_at: str, position: int) -> Damage | None:
        """The run of events at `recorded_at` ended at `position` (none when 0)."""
        if not position or not self.separate:
            return None
        mark = self._peek()
        if not self.separate:
            return None
        if mark == (recorded_at, position):
            self._next += 1
            return None
        if mark is not None and mark[0] == recorded_at and mark[1] > position:
            return Damage(
                position + 1,
                MISSING,
                f"the time index records events of {recorded_at} up to position {mark[1]}",
            )
        said = "nothing" if mark is None else f"position {mark[1]} at {mark[0]}"
        return Damage(
            position,
            CHANGED,
            f"the time index says {said}; the log's events of {recorded_at} end here",
        )

    def beyond(self, last: int) -> Damage | None:
        """After the log's last event (`last`), the index must say no more."""
        mark = self._peek() if self.separate else None
        if mark is None:
            return None
        return Damage(
            last + 1,
            MISSING,
            f"the time index records events up to position {mark[1]} at {mark[0]}; "
            f"the log ends at position {last}",
        )


def _canonical(row: RawRow, recorded_at: object) -> bytes:
    """The row's event as the chain hashes it, at `recorded_at`; ValueError (or
    TypeError...) when a value is missing or malformed."""
    if not isinstance(row.originator_id, bytes):
        raise ValueError("no originator id")
    return canonical_bytes_of(
        row.originator_id, row.originator_version, row.topic, row.state, recorded_at
    )


_MALFORMED = (AttributeError, TypeError, ValueError, OverflowError, struct.error)


def _classify(
    scanner: LogScanner, row: RawRow, previous: int, digest: bytes, page: Sequence[RawRow]
) -> Damage:
    """Name the damage at the first row that does not verify; `previous` and `digest`
    are the position and digest of the last event that did. An event is "recorded at
    q" when it links to the hash stored at q from the hash stored before q: the
    evidence is the chain itself, not any id kept beside it."""
    position = row.position
    if row.hash is None and row.recorded_at is None and row.previous_position is None:
        return Damage(position, INSERTED, "an event the chain never recorded")
    if row.originator_id is None and row.topic is None and row.state is None:
        return Damage(position, MISSING, "the chain records an event here; the event is gone")
    try:
        canonical = _canonical(row, row.recorded_at)
    except _MALFORMED:
        return Damage(position, CHANGED, "the event row is malformed")
    if hashlib.sha256(digest + canonical).digest() == row.hash:
        return Damage(position, CHANGED, "the link's bookkeeping was altered")
    back = row.previous_position
    if isinstance(back, int) and back > previous:
        return Damage(back, MISSING, f"the chain records an event here, before position {position}")
    if isinstance(back, int) and back < previous:
        return Damage(
            previous, INSERTED, f"an event the chain never recorded, before position {position}"
        )
    elsewhere = _recorded_position(scanner, row)
    if elsewhere is not None and elsewhere != position:
        return Damage(position, REORDERED, f"this event was recorded at position {elsewhere}")
    following = _next_row(scanner, row, page)
    if following is not None:
        # The chain goes on past this row as if it were not there, or the next row
        # holds the event recorded here (the events were shifted under their links).
        for candidate, link_hash in (
            (following.recorded_at, following.hash),
            (row.recorded_at, row.hash),
        ):
            try:
                moved = _canonical(following, candidate)
            except _MALFORMED:
                continue
            if hashlib.sha256(digest + moved).digest() == link_hash:
                return Damage(
                    position, INSERTED, "an event the chain never recorded, before the one it did"
                )
    return Damage(position, CHANGED, "the event or its link differs from what was recorded")


def _recorded_position(scanner: LogScanner, row: RawRow) -> int | None:
    """Where the chain recorded the event this row holds, if anywhere: a scan of the
    whole log, made only once damage has been found."""
    try:
        _canonical(row, "")
    except _MALFORMED:
        return None
    before: bytes | None = GENESIS
    after: int | None = None
    while rows := scanner.scan_log(after=after, limit=PAGE):
        for candidate in rows:
            if before is not None and isinstance(candidate.recorded_at, str):
                linked = hashlib.sha256(before + _canonical(row, candidate.recorded_at))
                if linked.digest() == candidate.hash:
                    return candidate.position
            before = candidate.hash if isinstance(candidate.hash, bytes) else None
        after = rows[-1][0]
    return None


def _next_row(scanner: LogScanner, row: RawRow, page: Sequence[RawRow]) -> RawRow | None:
    for index, candidate in enumerate(page):
        if candidate[0] == row.position:
            if index + 1 < len(page):
                return RawRow(*page[index + 1])
            break
    following = scanner.scan_log(after=row.position, limit=1)
    return RawRow(*following[0]) if following else None
