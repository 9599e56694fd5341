"""Building blocks for plugins' summary figures and indicators, so each plugin states
what it counts, not how to count it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from core.views.model import Item, Measure, Reading, SummaryFigure, ViewFact


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


def hide_later(item: Item, on: date, *fields: str) -> Item:
    """Blank the dated facts of an item that were not yet true on `on`."""
    shown = dict(item)
    day = on.isoformat()
    for field in fields:
        if shown.get(field) is not None and shown[field] > day:
            shown[field] = None
    return shown


def days_between(first: str, last: str) -> int:
    return (date.fromisoformat(last) - date.fromisoformat(first)).days


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
