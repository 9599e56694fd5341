"""What views are made of. Plugins contribute three kinds of fold:

- an ItemHandler folds the events of one thing (an agreement, a warrant, a State's
  legal framework...) into an item of a named view;
- a Tally turns each event into additive counters (workshops per month, persons
  relocated...), summed over any period;
- a SummaryFigure and an Indicator compute named figures from items and tallies.

Views exist at two clearance levels (DESIGN.md §4): RESTRICTED folds the log without
its confidential events (what the bureau and the focal point read, and the basis of
the public report's figures); ALL folds every event (what the auditor reads).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Protocol

from core.envelope import CLASSIFICATION_RANK, stricter
from core.facts import Fact
from core.views.items import Item, ItemCount, Presenter, Timeline

if TYPE_CHECKING:
    from core.words import Words

__all__ = [
    "CLASSIFICATION_RANK",
    "LEVEL_OF_ROLE",
    "READER_OF_LEVEL",
    "Indicator",
    "Item",
    "ItemCount",
    "ItemHandler",
    "Level",
    "Measure",
    "Period",
    "Presenter",
    "Reading",
    "Snapshot",
    "SummaryFigure",
    "Tally",
    "ViewFact",
    "stricter",
    "visible_at",
]


class Level(IntEnum):
    RESTRICTED = 1  # public and restricted events
    ALL = 2  # every event, confidential ones included


LEVEL_OF_ROLE: dict[str, Level] = {
    "auditor": Level.ALL,
    "bureau": Level.RESTRICTED,
    "focal_point": Level.RESTRICTED,
}

#: Whose sight of the log (core.visibility) each level has: what is listed beside the
#: views (diff's events, a replay's) is what that role may see.
READER_OF_LEVEL: dict[Level, str | None] = {Level.RESTRICTED: "bureau", Level.ALL: None}


def visible_at(level: Level, classification: str) -> bool:
    return level is Level.ALL or classification != "confidential"


#: The fact views read: the one `core.facts.Fact` (its date a `Day`, ISO text), under
#: the name plugins have imported it by from here.
ViewFact = Fact


@dataclass(frozen=True)
class ItemHandler:
    """Folds the events of `types` into items of `view`. `keys` names the items an
    event belongs to; `fold` must be a pure function of the item and the event, so an
    item can be refolded from its events when one of them is corrected or retracted.
    `present` shows an item as it stood on a date (facts dated later are not yet
    true); returning None hides it on that date. `counts` turns an item (given as a
    Timeline: the item as presented on each date it mentions) into dated tallies —
    ``(counter, day, amount)``, e.g. +1 on the day an agreement entered into force and
    -1 on the day it was terminated — so that
    figures about items (how many were in force on a date, signed in a period) are
    sums, not scans."""

    view: str
    types: frozenset[str]
    keys: Callable[[ViewFact], Iterable[str]]
    fold: Callable[[Item | None, ViewFact], Item | None]
    present: Callable[[Item, date], Item | None] = field(default=lambda item, on: item)
    counts: Callable[[Timeline], Iterable[ItemCount]] = field(default=lambda timeline: ())


@dataclass(frozen=True)
class Tally:
    """Additive counters an event contributes, e.g. ``{"visas.persons": 3}``. Views
    keep them per month of `occurred_on`, so any period can be summed."""

    types: frozenset[str]
    counts: Callable[[ViewFact], Mapping[str, int]]


class Snapshot(Protocol):
    """The views at one position of the log and one clearance level: what figures and
    queries read. Two implementations: the projection's tables (fast) and a naive fold
    of the log's prefix (the reference the fast one is tested against)."""

    position: int
    level: Level

    def items(self, view: str) -> list[Item]:
        """Every item of the view, as folded (not yet presented on a date)."""
        ...

    def item(self, view: str, key: str) -> Item | None: ...

    def tally(self, counter: str, first: date | None, last: date | None) -> int:
        """Sum of a counter over events that occurred in [first, last] (None: open)."""
        ...

    def entries(self) -> dict[str, int]:
        """Events of each type in the log (corrections, retracted events included)."""
        ...

    def counters(self, prefix: str) -> list[str]:
        """Names of the tallies that start with `prefix` and count anything."""
        ...

    def facts(
        self,
        *,
        types: Iterable[str] | None = None,
        first: date | None = None,
        last: date | None = None,
        party: str | None = None,
        recommendation: int | None = None,
    ) -> list[ViewFact]:
        """Events standing (not retracted), as corrected, matching every filter given,
        in log order."""
        ...


@dataclass(frozen=True)
class Period:
    """Dates for reading views: `on` (valid time: what was true that day) and an
    optional period `first`..`last` of occurrence (inclusive; `last` is clipped to
    `on`). Without `first`, a period runs from the beginning."""

    on: date
    first: date | None = None
    last: date | None = None

    @property
    def until(self) -> date:
        return min(self.last, self.on) if self.last else self.on

    def contains(self, day: str | None) -> bool:
        if day is None:
            return False
        if self.first is not None and day < self.first.isoformat():
            return False
        return day <= self.until.isoformat()


@dataclass(frozen=True)
class Measure:
    value: Any
    events: int


class Reading(Protocol):
    """Views read at one position, level and period (see core.views.reading)."""

    period: Period

    def items(self, view: str) -> list[Item]: ...

    def item(self, view: str, key: str) -> Item | None: ...

    def tally(self, counter: str, *, cumulative: bool = False) -> int: ...

    def histogram(self, prefix: str, *, cumulative: bool = False) -> dict[int, int]: ...

    def facts(
        self,
        types: Iterable[str] | None = None,
        *,
        party: str | None = None,
        recommendation: int | None = None,
        cumulative: bool = False,
    ) -> list[ViewFact]: ...


@dataclass(frozen=True)
class SummaryFigure:
    """A named headline figure. The name is a stable contract (documented in the
    README); `measure` computes it, `explain` lists the ids of the events behind it."""

    name: str
    description: str
    measure: Callable[[Reading], Measure]
    explain: Callable[[Reading], list[str]]


@dataclass(frozen=True)
class Indicator:
    """A computed indicator for recommendations: a small JSON object. `reads` says it
    in a sentence in a language (the annual report's; without it, the report lists
    the object's values after the description)."""

    recommendations: tuple[int, ...]
    name: str
    description: str
    compute: Callable[[Reading], Mapping[str, Any]]
    reads: Callable[[Mapping[str, Any], Words], str] | None = None
