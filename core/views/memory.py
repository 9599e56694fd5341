"""The reference: views as a plain fold of the log's prefix, in memory. Slow (it reads
the whole prefix) and obviously right; the tables are tested against it. The same
pair as the tables: a FactStore that is written (MemoryFacts, writing.py's page) and
a Snapshot that is read (MemorySnapshot, snapshot.py's SqlSnapshot)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from core.envelope import Event
from core.facts import Fact
from core.views.engine import Engine, Folds, ItemKey, ItemVersion, to_fact
from core.views.items import Item, ItemCount
from core.views.model import Level


class MemoryFacts:
    """FactStore holding only the present state (no history is needed for a fold)."""

    def __init__(self) -> None:
        self.facts: dict[int, Fact] = {}
        self.counts: dict[int, Mapping[str, int]] = {}
        self.parties: dict[int, Sequence[str]] = {}
        self.positions: dict[str, int] = {}
        self.items: dict[ItemKey, Item] = {}
        self.entries: dict[str, int] = {}
        self.item_counts: dict[ItemKey, list[ItemCount]] = {}
        self._members: dict[ItemKey, set[int]] = defaultdict(set)

    def fact(self, position: int) -> Fact | None:
        return self.facts.get(position)

    def position_of(self, event_id: str) -> int | None:
        return self.positions.get(event_id)

    def put_fact(
        self,
        fact: Fact,
        counts: Mapping[str, int],
        parties: Sequence[str],
        at: int,
        *,
        new: bool = False,
    ) -> None:
        self.facts[fact.position] = fact
        self.counts[fact.position] = counts
        self.parties[fact.position] = parties
        self.positions[fact.id] = fact.position

    def drop_fact(self, position: int, at: int) -> None:
        self.facts.pop(position, None)
        self.counts.pop(position, None)
        self.parties.pop(position, None)

    def count_entry(self, event: Fact) -> None:
        self.entries[event.type] = self.entries.get(event.type, 0) + 1

    def item(self, view: str, key: str) -> Item | None:
        return self.items.get((view, key))

    def put_item(self, view: str, key: str, version: ItemVersion | None, at: int) -> None:
        if version is None:
            self.items.pop((view, key), None)
            self.item_counts.pop((view, key), None)
        else:
            self.items[(view, key)] = version.item
            self.item_counts[(view, key)] = list(version.counts)

    def members(self, view: str, key: str) -> list[int]:
        return sorted(self._members[(view, key)])

    def add_member(self, view: str, key: str, position: int) -> None:
        self._members[(view, key)].add(position)


class MemorySnapshot:
    """Snapshot over a naive fold."""

    def __init__(self, store: MemoryFacts, position: int, level: Level) -> None:
        self.store = store
        self.position = position
        self.level = level

    def items(self, view: str) -> list[Item]:
        return [item for (v, _), item in sorted(self.store.items.items()) if v == view]

    def item(self, view: str, key: str) -> Item | None:
        return self.store.item(view, key)

    def keys_of(self, view: str) -> list[str]:
        return sorted(k for (v, k) in self.store.items if v == view)

    def entries(self) -> dict[str, int]:
        return dict(sorted(self.store.entries.items()))

    def counters(self, prefix: str) -> list[str]:
        names = {n for counts in self.store.counts.values() for n in counts}
        names |= {n for counts in self.store.item_counts.values() for n, _, _ in counts}
        return sorted(n for n in names if n.startswith(prefix))

    def tally(self, counter: str, first: date | None, last: date | None) -> int:
        total = 0
        for position, fact in self.store.facts.items():
            if _within(fact.occurred_on, first, last):
                total += self.store.counts[position].get(counter, 0)
        for counts in self.store.item_counts.values():
            for name, day, amount in counts:
                if name == counter and _within(day, first, last):
                    total += amount
        return total

    def facts(
        self,
        *,
        types: Iterable[str] | None = None,
        first: date | None = None,
        last: date | None = None,
        party: str | None = None,
        recommendation: int | None = None,
    ) -> list[Fact]:
        wanted = set(types) if types is not None else None
        found = []
        for position in sorted(self.store.facts):
            fact = self.store.facts[position]
            if wanted is not None and fact.type not in wanted:
                continue
            if not _within(fact.occurred_on, first, last):
                continue
            if party is not None and party not in self.store.parties[position]:
                continue
            if recommendation is not None and recommendation not in fact.recommendations:
                continue
            found.append(fact)
        return found


def _within(day: str, first: date | None, last: date | None) -> bool:
    return (first is None or day >= first.isoformat()) and (last is None or day <= last.isoformat())


def fold(
    folds: Folds, events: Iterable[Event | Fact], level: Level, position: int
) -> MemorySnapshot:
    """The views after the given events (the log up to `position`), at `level`."""
    store = MemoryFacts()
    engine = Engine(folds, level)
    # Every event, for the lowerings that make an event visible at a lower level.
    everything = MemoryFacts() if level is not Level.ALL else store
    whole = Engine(folds, Level.ALL) if level is not Level.ALL else None
    for event in events:
        if event.position > position:
            break
        fact = event if isinstance(event, Fact) else to_fact(event)
        engine.apply(fact, store, everything)
        if whole is not None:
            whole.apply(fact, everything)
    return MemorySnapshot(store, position, level)
