"""What an item of a view is, and the item as it stood on each date it mentions.

An item is a JSON object folded from the events of one thing. Its handlers' `present`
shows it as it stood on a date; the views rely on one rule about it, which every
built-in view keeps: **a presented item changes only on a date the item mentions**
(hiding what was not yet true on a date is comparing the item's dates with it). So
an item's dated figures are read from its presentation on each date it mentions (a
`Timeline`), and on any date from its last one on it is shown as on that last date
(`Timeline.last`), which the projection keeps beside the item.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

#: An item of a view: a JSON object.
Item = dict[str, Any]

#: A dated contribution of an item to a tally: (counter, ISO day, amount).
ItemCount = tuple[str, str, int]

#: Shows an item as it stood on a date (all the view's handlers' `present` in turn).
Presenter = Callable[[Item, date], Item | None]

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
#: A date that is a whole value in an item's compact JSON: a string that begins where
#: a value does (after ":", "," or "[": not an escaped quote inside a text) and ends
#: where a value does (not a key, which a ":" follows).
JSON_DAY = re.compile(rb'(?<=[:,\[])"(\d{4}-\d{2}-\d{2})"(?=[,\]}])')

#: Item fields that hold event ids, never dates.
NOT_DATES = frozenset({"events", "dated_events", "event", "classification"})


def days_in(value: Any) -> Iterator[str]:
    """Every ISO date an item mentions, at any depth."""
    yield from dates_of(value)


def dates_of(value: Any) -> set[str]:
    """The ISO dates an item mentions, at any depth (a walk without recursion)."""
    found: set[str] = set()
    pending = [value]
    match = DAY.match
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if len(value) == 10 and value[4] == "-" and match(value):
                found.add(value)
        elif isinstance(value, dict):
            for key, inner in value.items():
                if key not in NOT_DATES and not isinstance(inner, int | float | None):
                    pending.append(inner)
        elif isinstance(value, list | tuple):
            pending.extend(value)
    return found


def dates_in_json(data: bytes) -> set[str]:
    """The dates an item mentions, found in its JSON (which is kept anyway): every
    string value that is a date. (Event ids, the only strings days_in skips, are never
    dates.)"""
    return {day.decode() for day in JSON_DAY.findall(data)}


class Timeline:
    """An item as presented on each date it mentions (computed once per date, on
    demand): a presented item can only change on such a date. `data`, the item's
    JSON when it is at hand, is the quickest place to find those dates."""

    def __init__(self, item: Item, present: Presenter, data: bytes | None = None) -> None:
        self.item = item
        self.present = present
        self.data = data
        self._shown: dict[str, Item | None] = {}
        self._days: list[str] | None = None

    @property
    def days(self) -> list[str]:
        if self._days is None:
            found = dates_in_json(self.data) if self.data is not None else dates_of(self.item)
            self._days = sorted(found)
        return self._days

    def on(self, day: str) -> Item | None:
        if day not in self._shown:
            self._shown[day] = self.present(self.item, date.fromisoformat(day))
        return self._shown[day]

    @property
    def last_day(self) -> str:
        """The last date the item mentions ("" if none): from then on it reads the same."""
        return self.days[-1] if self.days else ""

    def last(self) -> Item | None:
        """The item as presented on its last date, and so on every later one."""
        day = self.last_day
        return self.on(day) if day else self.present(self.item, date.max)
