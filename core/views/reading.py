"""Views read at one position of the log, one clearance level and one period: what
figures, indicators and the API's view endpoints work with."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from core.views.engine import Folds
from core.views.model import Item, Period, Snapshot, ViewFact


class ViewReading:
    def __init__(self, snapshot: Snapshot, folds: Folds, period: Period) -> None:
        self.snapshot = snapshot
        self.folds = folds
        self.period = period
        #: False when the reading is as of a time the log has not reached yet.
        self.final = True
        self._items: dict[str, list[Item]] = {}

    @property
    def position(self) -> int:
        return self.snapshot.position

    def present(self, view: str, item: Item) -> Item | None:
        """The item as it stood on the reading's date (later facts not yet true)."""
        return self.folds.presenter(view)(item, self.period.on)

    def items(self, view: str) -> list[Item]:
        if view not in self._items:
            presented = (self.present(view, item) for item in self.snapshot.items(view))
            self._items[view] = [item for item in presented if item is not None]
        return self._items[view]

    def item(self, view: str, key: str) -> Item | None:
        item = self.snapshot.item(view, key)
        return self.present(view, item) if item is not None else None

    def _bounds(self, cumulative: bool) -> tuple[date | None, date]:
        return (None if cumulative else self.period.first), (
            self.period.on if cumulative else self.period.until
        )

    def tally(self, counter: str, *, cumulative: bool = False) -> int:
        """A tally over the period (or, cumulative, over everything up to `on`)."""
        first, last = self._bounds(cumulative)
        return self.snapshot.tally(counter, first, last)

    def histogram(self, prefix: str, *, cumulative: bool = False) -> dict[int, int]:
        """Tallies named ``<prefix>.<n>`` as {n: sum} (for medians)."""
        found = {}
        for name in self.snapshot.counters(prefix + "."):
            value = self.tally(name, cumulative=cumulative)
            if value:
                found[int(name[len(prefix) + 1 :])] = value
        return dict(sorted(found.items()))

    def facts(
        self,
        types: Iterable[str] | None = None,
        *,
        party: str | None = None,
        recommendation: int | None = None,
        cumulative: bool = False,
    ) -> list[ViewFact]:
        first, last = self._bounds(cumulative)
        return self.snapshot.facts(
            types=types, first=first, last=last, party=party, recommendation=recommendation
        )
