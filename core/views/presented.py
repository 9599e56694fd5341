"""Big items as presented on a date, kept in the process between readings.

The tables keep an item as presented from its last date on only when it is small
(engine.PRESENTED); a big one (a State's record, a recommendation's assessments) has
`last_day` NOT_PRESENTED and is decoded and presented on every read: most of the time
of a page of States, or of the 66 recommendations. What that gives is kept here,
keyed by the row's text itself, the date and the presenter: an entry is only ever
found by the identical text, so it cannot go stale when another process folds,
rebuilds or replaces the views (a row never changes; a new version is another text).

The items are shared between readings (and threads): nothing may change them, as
nothing changes the items a ViewReading shares between its callers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

import orjson

from core.views.engine import NOT_PRESENTED
from core.views.items import Item, Presenter

#: How much of the rows' text the items kept stand for (their decoded objects take
#: about four times as much): every State's record and every recommendation's
#: assessments of a million-event log, on two dates.
BUDGET = 8_000_000

_Key = tuple[Presenter, date, str]
_MISSING = object()


class PresentedItems:
    """The last big items presented, least recently used first, within a budget of
    their rows' text."""

    def __init__(self, budget: int = BUDGET) -> None:
        self.budget = budget
        self.size = 0
        self._kept: OrderedDict[_Key, Item | None] = OrderedDict()
        self._lock = threading.Lock()

    def present(self, data: str, on: date, present: Presenter) -> Item | None:
        """The item of a row's `data` as `present` shows it on `on`."""
        key = (present, on, data)
        with self._lock:
            found = self._kept.get(key, _MISSING)
            if found is not _MISSING:
                self._kept.move_to_end(key)
                return found  # type: ignore[return-value]
        item = present(orjson.loads(data), on)
        if len(data) > self.budget:
            return item
        with self._lock:
            if key not in self._kept:
                self._kept[key] = item
                self.size += len(data)
                while self.size > self.budget:
                    (_, _, text), _ = self._kept.popitem(last=False)
                    self.size -= len(text)
        return item

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self.size = 0


#: The process's.
PRESENTED_ITEMS = PresentedItems()


def shown(last_day: str, data: str, on: date, present: Presenter) -> Item | None:
    """A row's item, not kept presented for `on` (its last date is after it), as
    presented on `on`: a big one through PRESENTED_ITEMS."""
    if last_day == NOT_PRESENTED:
        return PRESENTED_ITEMS.present(data, on, present)
    return present(orjson.loads(data), on)
