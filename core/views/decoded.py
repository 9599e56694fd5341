"""What readings decode from the views' tables again and again, kept in the process
between them, keyed by the very text it is made from: a row of the tables never
changes (a new version is another row, another text), and an entry is only ever found
by the identical text, so it cannot go stale when another process folds, rebuilds or
replaces the views.

- Big items as presented on a date. The tables keep an item as presented from its
  last date on only when its JSON is short (engine.PRESENTED); a big one (a State's
  record, a recommendation's assessments) would be decoded and presented on every
  read: most of the time of a page of States, or of the 66.
- The checkpoints' sums of a family of counters: each counter's total (what a tally
  up to the present reads: GET /parties reads some fifteen thousand, a party's days
  to answer its requests), and its monthly sums (what a tally up to a date before
  the family's last month reads: the present, for counters with dates to come, an
  action's due date).

What is kept is shared between readings and threads: nothing may change it (as
nothing changes the items a ViewReading shares between its callers).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, Generic, TypeVar

import orjson

from core.views import engine
from core.views.items import Item, Presenter

T = TypeVar("T")

#: How much text the things kept are made from, for each kind (decoded, they take
#: about four times as much): every State's record and every recommendation's
#: assessments of a million-event log on two dates; the monthly sums of the families
#: with counters dated ahead, several times over.
BUDGET = 8_000_000


class Kept(Generic[T]):
    """The last things made from texts, least recently used first, within a budget of
    their texts' length."""

    def __init__(self, budget: int = BUDGET) -> None:
        self.budget = budget
        self.size = 0
        self._kept: OrderedDict[tuple[Hashable, str], tuple[T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str, make: Callable[[], T], also: Hashable = None) -> T:
        """What `make` makes from `text` (and `also`: what else it depends on)."""
        key = (also, text)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found[0]
        made = make()
        if len(text) <= self.budget:
            with self._lock:
                if key not in self._kept:
                    self._kept[key] = (made,)
                    self.size += len(text)
                    while self.size > self.budget:
                        (_, oldest), _ = self._kept.popitem(last=False)
                        self.size -= len(oldest)
        return made

    def kept(self) -> list[tuple[Hashable, str, T]]:
        """What is kept, least recently used first: (`also`, text, what was made)."""
        with self._lock:
            return [(also, text, made[0]) for (also, text), made in self._kept.items()]

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self.size = 0


#: Big items as presented on a date, by presenter, date and the row's `data`.
PRESENTED: Kept[Item | None] = Kept()
#: Checkpoints' sums, by their JSON: {counter: {month: amount}} or {counter: total}.
SUMS: Kept[dict[str, Any]] = Kept()


def presented(data: str, on: date, present: Presenter) -> Item | None:
    """A row's item as presented on `on`: a big one (its JSON longer than the tables
    keep presented: its `last_day` NOT_PRESENTED) through PRESENTED."""
    if len(data) > engine.PRESENTED:
        return PRESENTED.get(data, lambda: present(orjson.loads(data), on), (present, on))
    return present(orjson.loads(data), on)


def monthly(document: str) -> dict[str, dict[str, int]]:
    """A checkpoint's monthly sums of one family, decoded (once)."""
    return _sums(document)


def totals(document: str) -> dict[str, int]:
    """A checkpoint's totals of one family (each counter's, over every month), decoded
    (once)."""
    return _sums(document)


def _sums(document: str) -> Any:
    return SUMS.get(document, lambda: orjson.loads(document))
