"""Views read at one position of the log, one clearance level and one period: what
figures, indicators and the API's view endpoints work with."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
        #: Events of the log up to the position asked for that the views had not
        #: folded yet when read (0: the reading is of the position asked for).
        self.behind = 0

    @property
    def position(self) -> int:
        return self.snapshot.position

    def present(self, view: str, item: Item) -> Item | None:
        """The item as it stood on the reading's date (later facts not yet true)."""
        return self.folds.presenter(view)(item, self.period.on)

    def items(self, view: str) -> list[Item]:
        """Every item of the view shown on the reading's date, in key order."""
        if view not in self._items:
            shown = getattr(self.snapshot, "shown_items", None)
            if shown is not None:
                found = shown(view, self.period.on, self.folds.presenter(view))
            else:
                presented = (self.present(view, item) for item in self.snapshot.items(view))
                found = [item for item in presented if item is not None]
            self._items[view] = found
        return self._items[view]

    def page(self, view: str, offset: int, limit: int) -> tuple[int, list[Item]]:
        """How many items the view shows on the reading's date, and those from
        `offset` (at most `limit`): from the tables, without reading the others."""
        shown_page = getattr(self.snapshot, "shown_page", None)
        if shown_page is not None:
            found: tuple[int, list[Item]] = shown_page(
                view, self.period.on, self.folds.presenter(view), offset, limit
            )
            return found
        items = self.items(view)
        return len(items), items[offset : offset + limit]

    def keys(self, view: str) -> list[str]:
        """The keys of the view's items standing (shown on the date or not), in order."""
        read = getattr(self.snapshot, "keys", None)
        if read is not None:
            found: list[str] = read(view)
            return found
        return sorted(self.snapshot.keys_of(view))  # type: ignore[attr-defined]

    def items_of(self, view: str, keys: Iterable[str]) -> dict[str, Item]:
        """Some items of the view, by key, as shown on the reading's date."""
        shown = getattr(self.snapshot, "shown_items_of", None)
        if shown is not None:
            found: dict[str, Item] = shown(
                view, list(keys), self.period.on, self.folds.presenter(view)
            )
            return found
        return {key: item for key in keys if (item := self.item(view, key)) is not None}

    def facts_page(
        self,
        types: Sequence[str],
        *,
        party: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> tuple[int, list[ViewFact]]:
        """How many facts of `types` (naming `party`) stand in the period, and those
        from `offset` (at most `limit`), in log order: the count from the tallies
        (without a party), the page reading no further than it needs."""
        first, last = self._bounds(False)
        page = getattr(self.snapshot, "facts_page", None)
        if page is None:
            found = self.facts(types, party=party)
            return len(found), found[offset : offset + limit]
        if party is None:
            total = sum(self.snapshot.tally(f"events.{name}", first, last) for name in types)
        else:
            total = len(self.facts(types, party=party))
        facts: list[ViewFact] = page(types, first, last, offset, limit, party)
        return total, facts

    def item(self, view: str, key: str) -> Item | None:
        shown = getattr(self.snapshot, "shown_item", None)
        if shown is not None:
            found: Item | None = shown(view, key, self.period.on, self.folds.presenter(view))
            return found
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

    def sums(self, prefix: str, *, cumulative: bool = False) -> dict[str, int]:
        """Every tally whose name starts with `prefix`, over the period (or, cumulative,
        up to `on`), those that are not 0."""
        first, last = self._bounds(cumulative)
        read = getattr(self.snapshot, "sums", None)
        if read is not None:
            found: dict[str, int] = read(prefix, first, last)
            return found
        values = {
            name: self.snapshot.tally(name, first, last) for name in self.snapshot.counters(prefix)
        }
        return {name: value for name, value in values.items() if value}

    def histogram(self, prefix: str, *, cumulative: bool = False) -> dict[int, int]:
        """Tallies named ``<prefix>.<n>`` as {n: sum} (for medians), read in one pass."""
        start = len(prefix) + 1
        found = self.sums(prefix + ".", cumulative=cumulative)
        return dict(sorted((int(name[start:]), value) for name, value in found.items()))

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
