"""Building blocks for plugins' summary figures and indicators, so each plugin states
what it counts, not how to count it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from statistics import median
from typing import Any

from core.views.model import Item, Measure, Period, Reading, SummaryFigure, ViewFact

Select = Callable[[Item, Period], bool]


def all_events(item: Item, period: Period) -> list[str]:
    return list(item["events"])


def items_figure(
    name: str,
    description: str,
    view: str,
    select: Select,
    contributing: Callable[[Item, Period], list[str]] = all_events,
) -> SummaryFigure:
    """How many items of a view are selected. The figure's events are, for each item,
    those `contributing` names (default: every event behind the item)."""

    def chosen(reading: Reading) -> list[Item]:
        return [item for item in reading.items(view) if select(item, reading.period)]

    def explain(reading: Reading) -> list[str]:
        return [e for item in chosen(reading) for e in contributing(item, reading.period)]

    def measure(reading: Reading) -> Measure:
        return Measure(len(chosen(reading)), len(explain(reading)))

    return SummaryFigure(name, description, measure, explain)


def tally_figure(
    name: str,
    description: str,
    counter: str,
    types: Iterable[str],
    *,
    counted: Callable[[ViewFact], bool] = lambda fact: True,
    events_counter: str | None = None,
    cumulative: bool = False,
) -> SummaryFigure:
    """A tally summed over the period. Its events are the events of `types` that
    count (`counted`), tallied by `events_counter` (default: all events of the types)."""
    kinds = tuple(types)

    def measure(reading: Reading) -> Measure:
        value = reading.tally(counter, cumulative=cumulative)
        if events_counter is not None:
            events = reading.tally(events_counter, cumulative=cumulative)
        else:
            events = sum(reading.tally(f"events.{t}", cumulative=cumulative) for t in kinds)
        return Measure(value, events)

    def explain(reading: Reading) -> list[str]:
        return [f.id for f in reading.facts(kinds, cumulative=cumulative) if counted(f)]

    return SummaryFigure(name, description, measure, explain)


def median_figure(
    name: str, description: str, view: str, select: Select, value: Callable[[Item], float]
) -> SummaryFigure:
    def chosen(reading: Reading) -> list[Item]:
        return [item for item in reading.items(view) if select(item, reading.period)]

    def measure(reading: Reading) -> Measure:
        items = chosen(reading)
        result: Any = median(value(item) for item in items) if items else None
        return Measure(result, sum(len(item["events"]) for item in items))

    def explain(reading: Reading) -> list[str]:
        return [event for item in chosen(reading) for event in item["events"]]

    return SummaryFigure(name, description, measure, explain)


def dated_in(field: str) -> Select:
    """Items whose date `field` lies in the period."""
    return lambda item, period: period.contains(item.get(field))


def dated(item: Item, fact: ViewFact, field: str, **changes: Any) -> Item:
    """Set a dated fact of an item, remembering which event set it (in `dated_events`),
    so a figure counting that date names exactly that event."""
    return {
        **item,
        field: fact.occurred_on,
        **changes,
        "dated_events": {**item.get("dated_events", {}), field: fact.id},
    }


def events_of(*fields: str) -> Callable[[Item], list[str]]:
    """The events that set the given dates of an item (for a figure's explanation)."""

    def contributing(item: Item) -> list[str]:
        recorded = item.get("dated_events", {})
        return [recorded[f] for f in fields if item.get(f) and f in recorded]

    return contributing


def has(field: str, value: Any) -> Select:
    """Items whose `field` (as presented on the reading's date) equals `value`."""
    return lambda item, period: item.get(field) == value


def on_or_before(day: str | None, on: date) -> bool:
    return day is not None and day <= on.isoformat()


def hide_later(item: Item, on: date, *fields: str) -> Item:
    """Blank the dated facts of an item that were not yet true on `on`."""
    shown = dict(item)
    for field in fields:
        if shown.get(field) is not None and shown[field] > on.isoformat():
            shown[field] = None
    return shown


def days_between(first: str, last: str) -> int:
    return (date.fromisoformat(last) - date.fromisoformat(first)).days


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
