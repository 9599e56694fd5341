"""Figures about items (how many agreements were in force on a date, signed in a
period...) kept as dated tallies, so that reading them is a sum over a few counters
instead of a scan of every item.

An item's tallies are recomputed whenever the item changes; they are derived from the
item *as presented on each date*, so they agree with the item lists by construction:

- `OnDate`: whether a condition holds for the item on a date. The condition can only
  change on a date the item mentions, so the item contributes +1 where it starts to
  hold and -1 where it stops; the figure is the sum up to the reading's date.
- `InPeriod`: a date of the item (signed, answered...) counted on that day; the figure
  is the sum over the period.

Each figure also keeps ``<name>#events``: how many events stand behind what it counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

from core.views.items import DAY, NOT_DATES, Item, ItemCount, Presenter, Timeline, days_in
from core.views.model import Measure, Period, Reading, SummaryFigure

#: Plugins have imported these from here.
__all__ = [
    "DAY",
    "NOT_DATES",
    "InPeriod",
    "ItemFigure",
    "ItemFigures",
    "OnDate",
    "OnDays",
    "Presenter",
    "Timeline",
    "all_events",
    "changes",
    "days_in",
    "histogram",
    "median_of",
    "per_version",
    "steps",
]

Contributing = Callable[[Item], list[str]]

T = TypeVar("T")


def per_version(compute: Callable[[Item], T]) -> Callable[[Item], T]:
    """`compute`, kept for the last item (the same object) it was asked of: a new
    version of an item has its figures computed one after the other (one per status,
    per amendment...), each reading the same record derived from it."""
    last: list[tuple[Item | None, T | None]] = [(None, None)]

    def cached(item: Item) -> T:
        known, result = last[0]  # one read: a whole pair, whichever thread wrote it
        if known is item:
            return cast(T, result)
        result = compute(item)
        last[0] = (item, result)
        return result

    return cached


def all_events(item: Item) -> list[str]:
    return list(item.get("events", ()))


def steps(counter: str, timeline: Timeline, value: Callable[[Item], int]) -> list[ItemCount]:
    """+/- changes of `value(item as presented on a date)` at each date it changes."""
    return changes(
        counter, timeline.days, (value(s) if s is not None else 0 for s in _shown(timeline))
    )


def _shown(timeline: Timeline) -> Iterator[Item | None]:
    for day in timeline.days:
        yield timeline.on(day)


def changes(counter: str, days: Sequence[str], values: Iterable[int]) -> list[ItemCount]:
    """+/- changes of a value given on each day (ascending), on the days it changes."""
    counts: list[ItemCount] = []
    before = 0
    for day, now in zip(days, values, strict=False):
        if now != before:
            counts.append((counter, day, now - before))
            before = now
    return counts


#: How an OnDate figure reads an item, in one pass over it: (day, whether it holds,
#: how many events it counts) on each day its value may change, ascending; on any
#: date it reads as on the last of these days on or before it (nothing before the
#: first).
OnDays = Callable[[Item], Iterable[tuple[str, int, int]]]


@dataclass(frozen=True)
class OnDate:
    """Items for which `holds` on the reading's date. `on_days`, when given, computes
    the same as presenting the item on each date it mentions, in one pass over the
    item: big items (a State's record, a recommendation's assessments) mention many
    dates, and presenting each costs a pass of its own."""

    name: str
    description: str
    view: str
    holds: Callable[[Item], bool]
    contributing: Contributing = all_events
    on_days: OnDays | None = None

    def counts(self, timeline: Timeline) -> list[ItemCount]:
        if self.on_days is not None:
            values: Iterable[tuple[str, int, int]] = self.on_days(timeline.item)
        else:
            values = self._presented(timeline)
        held: list[ItemCount] = []
        counted: list[ItemCount] = []
        events_name = f"{self.name}#events"
        was, before = 0, 0
        for day, holds, events in values:
            if holds != was:
                held.append((self.name, day, holds - was))
                was = holds
            if events != before:
                counted.append((events_name, day, events - before))
                before = events
        return held + counted

    def _presented(self, timeline: Timeline) -> Iterator[tuple[str, int, int]]:
        for day in timeline.days:
            shown = timeline.on(day)
            if shown is not None and self.holds(shown):
                yield day, 1, len(self.contributing(shown))
            else:
                yield day, 0, 0

    def chosen(self, reading: Reading) -> list[Item]:
        return [item for item in reading.items(self.view) if self.holds(item)]

    def figure(self) -> SummaryFigure:
        return SummaryFigure(
            self.name,
            self.description,
            lambda reading: Measure(
                reading.tally(self.name, cumulative=True),
                reading.tally(f"{self.name}#events", cumulative=True),
            ),
            lambda reading: [e for i in self.chosen(reading) for e in self.contributing(i)],
        )


@dataclass(frozen=True)
class InPeriod:
    """Items whose date `field` falls in the period (and that `also` holds for)."""

    name: str
    description: str
    view: str
    field: str
    also: Callable[[Item], bool] = lambda item: True
    contributing: Contributing = all_events

    def counts(self, timeline: Timeline) -> list[ItemCount]:
        day = timeline.item.get(self.field)
        if not day:
            return []
        shown = timeline.on(day)
        if shown is None or not self.also(shown):
            return []
        return [(self.name, day, 1), (f"{self.name}#events", day, len(self.contributing(shown)))]

    def chosen(self, reading: Reading) -> list[Item]:
        period: Period = reading.period
        return [
            item
            for item in reading.items(self.view)
            if period.contains(item.get(self.field)) and self.also(item)
        ]

    def figure(self) -> SummaryFigure:
        return SummaryFigure(
            self.name,
            self.description,
            lambda reading: Measure(reading.tally(self.name), reading.tally(f"{self.name}#events")),
            lambda reading: [e for i in self.chosen(reading) for e in self.contributing(i)],
        )


ItemFigure = OnDate | InPeriod


@dataclass(frozen=True)
class ItemFigures:
    """The item figures of one view, as the handler's `counts` and as summary figures."""

    figures: Sequence[ItemFigure] = field(default_factory=tuple)

    def counts(self, timeline: Timeline) -> list[ItemCount]:
        return [count for f in self.figures for count in f.counts(timeline)]

    def summary(self) -> list[SummaryFigure]:
        return [f.figure() for f in self.figures]


def histogram(counter: str, day: str | None, value: int | None) -> list[ItemCount]:
    """One count of `value` on `day`, kept as ``<counter>.<value>`` (for medians)."""
    if day is None or value is None:
        return []
    return [(f"{counter}.{value}", day, 1)]


def median_of(counts: Iterable[tuple[int, int]]) -> float | None:
    """The median of a histogram given as (value, how many) pairs."""
    pairs = sorted((value, n) for value, n in counts if n > 0)
    total = sum(n for _, n in pairs)
    if total == 0:
        return None
    middle = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value, n in pairs:
        while len(found) < 2 and middle[len(found)] < seen + n:
            found.append(value)
        seen += n
    return (found[0] + found[1]) / 2
