"""How one event changes the views at one clearance level. The same code folds the log
in memory (the reference, memory.py) and into the tables (writing.py); only the
FactStore behind it differs."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Protocol

import orjson

from core.catalogue import Catalogue
from core.envelope import Event
from core.eventtypes import Effect, EventType, parties_in
from core.facts import Day, Fact, corrected
from core.views.items import Item, ItemCount, Presenter, Timeline
from core.views.model import ItemHandler, Level, Tally, stricter, visible_at
from core.views.tables import dumps

ItemKey = tuple[str, str]  # (view, key)

#: Items whose JSON is longer are not kept presented (see ItemVersion.presented); their
#: `last_day` says so, being after every date.
PRESENTED = 4_000
NOT_PRESENTED = "9999-99-99"


class ItemVersion:
    """A new version of an item: the item, its dated counts, and what the tables keep
    beside it (its JSON, its last date, and how it reads from then on), each made once
    however many levels write it."""

    __slots__ = ("_amounts", "_data", "_shown", "counts", "item", "timeline")

    def __init__(self, item: Item, timeline: Timeline, counts: list[ItemCount]) -> None:
        self.item = item
        self.timeline = timeline
        self.counts = counts
        self._data: str | None = None
        self._shown: tuple[str | None] | None = None
        self._amounts: dict[tuple[str, str], int] | None = None

    @property
    def amounts(self) -> dict[tuple[str, str], int]:
        """The version's tallies as the tables keep them: the amount of each (counter,
        day), the counts of the same summed, none that sum to zero."""
        if self._amounts is None:
            counts = self.counts
            found = {(counter, day): amount for counter, day, amount in counts}
            if len(found) != len(counts) or 0 in found.values():  # rare: sum them
                summed: dict[tuple[str, str], int] = {}
                for counter, day, amount in counts:
                    name = (counter, day)
                    summed[name] = summed.get(name, 0) + amount
                found = {name: amount for name, amount in summed.items() if amount}
            self._amounts = found
        return self._amounts

    @property
    def data(self) -> str:
        if self._data is None:
            encoded = self.timeline.data
            self._data = encoded.decode() if encoded is not None else dumps(self.item)
        return self._data

    @property
    def presented(self) -> bool:
        """Whether the tables keep the item as presented from its last date on: not
        for big items (a State's record...), in short lists, presented when read."""
        return len(self.data) <= PRESENTED

    @property
    def last_day(self) -> str:
        return self.timeline.last_day if self.presented else NOT_PRESENTED

    @property
    def shown(self) -> str | None:
        """The item as presented from its last date on, as JSON (None: hidden then,
        or not kept)."""
        if self._shown is None:
            last = self.timeline.last() if self.presented else None
            self._shown = (dumps(last) if last is not None else None,)
        return self._shown[0]


class FactStore(Protocol):
    """State the engine reads and changes at one level; `at` is the position of the
    event doing it."""

    def fact(self, position: int) -> Fact | None:
        """The standing version of the event at `position` (None: absent or retracted)."""
        ...

    def position_of(self, event_id: str) -> int | None: ...

    def put_fact(
        self,
        fact: Fact,
        counts: Mapping[str, int],
        parties: Sequence[str],
        at: int,
        *,
        new: bool = False,
    ) -> None:
        """Make `fact` the standing version of its event from `at` on (`new`: the
        event's first version)."""
        ...

    def drop_fact(self, position: int, at: int) -> None: ...

    def count_entry(self, event: Fact) -> None:
        """Count the event as an entry of the log (``log.<Type>``, never undone)."""
        ...

    def item(self, view: str, key: str) -> Item | None: ...

    def put_item(self, view: str, key: str, version: ItemVersion | None, at: int) -> None:
        """Make the version (None: no item) the standing one from `at`, with its
        tallies."""
        ...

    def members(self, view: str, key: str) -> Iterable[int]:
        """Positions of events folded into the item at some time (a superset: the
        engine keeps those whose standing fact still belongs to it)."""
        ...

    def add_member(self, view: str, key: str, position: int) -> None: ...


class Folds:
    """Everything the plugins contribute to views, indexed by event type."""

    def __init__(
        self, catalogue: Catalogue, handlers: Sequence[ItemHandler], tallies: Sequence[Tally]
    ) -> None:
        self.catalogue = catalogue
        self._by_type: dict[str, list[ItemHandler]] = defaultdict(list)
        self._by_view: dict[str, list[ItemHandler]] = defaultdict(list)
        self._tallies: dict[str, list[Tally]] = defaultdict(list)
        for handler in handlers:
            self._by_view[handler.view].append(handler)
            for name in handler.types:
                self._by_type[name].append(handler)
        for tally in tallies:
            for name in tally.types:
                self._tallies[name].append(tally)
        self._presenters: dict[str, Presenter] = {}
        #: Counter names, made once.
        self._type_counters: dict[str, str] = {}
        self._cited = {n: f"recommendations.{n}" for n in range(1, 67)}

    def handlers_for(self, type_name: str) -> list[ItemHandler]:
        return self._by_type.get(type_name, [])

    def handlers_of(self, view: str) -> list[ItemHandler]:
        return self._by_view.get(view, [])

    @property
    def views(self) -> list[str]:
        return sorted(self._by_view)

    def fingerprint(self) -> str:
        """What the views are folded with: event types, views and tallies (by the types
        they take). Views folded with other plugins are folded again."""
        parts = [
            *(f"type {name} {t.effect}" for name, t in sorted(self.catalogue.types.items())),
            *sorted(
                f"view {h.view} {','.join(sorted(h.types))}"
                for hs in self._by_view.values()
                for h in hs
            ),
            *sorted(f"tally {name} {len(tallies)}" for name, tallies in self._tallies.items()),
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def presenter(self, view: str) -> Presenter:
        """Shows an item of `view` on a date: every handler's `present` in turn."""
        found = self._presenters.get(view)
        if found is not None:
            return found
        presents = [handler.present for handler in self.handlers_of(view)]
        if len(presents) == 1:
            found = presents[0]
        else:

            def found(item: Item, on: date) -> Item | None:
                shown: Item | None = item
                for present in presents:
                    if shown is None:
                        break
                    shown = present(shown, on)
                return shown

        self._presenters[view] = found
        return found

    def counts(self, fact: Fact) -> dict[str, int]:
        """The fact's tally contributions, plus one for its type (``events.<Type>``)
        and one for each recommendation it cites (``recommendations.<n>``)."""
        counter = self._type_counters.get(fact.type)
        if counter is None:
            counter = self._type_counters[fact.type] = f"events.{fact.type}"
        counts: dict[str, int] = {counter: 1}
        cited = self._cited
        for number in fact.recommendations:
            counts[cited.get(number) or f"recommendations.{number}"] = 1
        tallies = self._tallies.get(fact.type)
        if tallies:
            for tally in tallies:
                for name, amount in tally.counts(fact).items():
                    counts[name] = counts.get(name, 0) + amount
        return counts

    def parties(self, fact: Fact) -> list[str]:
        event_type = self.catalogue.types.get(fact.type)
        return parties_in(event_type, fact.payload) if event_type is not None else []

    def keys(self, fact: Fact) -> set[ItemKey]:
        return {(h.view, key) for h in self.handlers_for(fact.type) for key in h.keys(fact)}


def to_fact(event: Event) -> Fact:
    """A recorded event as the views read it."""
    return Fact(
        type=event.type,
        occurred_on=Day(event.occurred_on),
        payload=event.payload,
        id=str(event.id),
        position=event.position,
        classification=event.classification,
        recorded_by=event.recorded_by,
        recommendations=tuple(event.recommendations),
        summary=event.summary,
        sources=tuple(event.sources),
    )


class Shared:
    """What the engines of the clearance levels share while they apply the same event,
    one level after the other: the event's tallies and parties, a correction's result,
    an item folded from the same item (the same object at both levels when their rows
    are shared), and a new item version's counts. Keyed by identity; forgotten at the
    next event, so it holds little."""

    def __init__(self, folds: Folds) -> None:
        self.folds = folds
        self.position = -1
        self._derived: list[tuple[Fact, dict[str, int], list[str]]] = []
        self._corrected: list[tuple[Fact, Fact]] = []
        self._folded: dict[ItemKey, tuple[Item | None, Fact, Item | None]] = {}
        self._versions: dict[ItemKey, ItemVersion] = {}

    def start(self, position: int) -> None:
        if position != self.position:
            self.position = position
            self._derived.clear()
            self._corrected.clear()
            self._folded.clear()
            self._versions.clear()

    def derived(self, fact: Fact) -> tuple[dict[str, int], list[str]]:
        """The fact's tallies and parties (by identity: a corrected fact is new)."""
        for known, counts, parties in self._derived:
            if known is fact:
                return counts, parties
        counts, parties = self.folds.counts(fact), self.folds.parties(fact)
        self._derived.append((fact, counts, parties))
        return counts, parties

    def corrected(self, target: Fact, changes: Mapping[str, object]) -> Fact:
        for known, result in self._corrected:
            if known is target:
                return result
        result = corrected(target, changes)
        self._corrected.append((target, result))
        return result

    def fold_one(self, view: str, key: str, item: Item | None, fact: Fact) -> Item | None:
        known = self._folded.get((view, key))
        if known is not None and known[0] is item and known[1] is fact:
            return known[2]
        result = fold_one(self.folds, view, item, fact)
        self._folded[(view, key)] = (item, fact, result)
        return result

    def version(self, view: str, key: str, item: Item) -> ItemVersion:
        known = self._versions.get((view, key))
        if known is not None and (known.item is item or known.item == item):
            return known
        timeline = Timeline(item, self.folds.presenter(view), orjson.dumps(item))
        counts: list[ItemCount] = []
        for handler in self.folds.handlers_of(view):
            counts.extend(handler.counts(timeline))
        version = ItemVersion(item, timeline, counts)
        self._versions[(view, key)] = version
        return version


def fold_one(folds: Folds, view: str, item: Item | None, fact: Fact) -> Item | None:
    """Fold one fact into an item; the engine keeps two fields of its own on every
    item: `events` (ids of the events behind it) and `classification` (the strictest
    of theirs)."""
    events: list[str] = []
    classification = "public"
    bare: Item | None = None
    if item is not None:
        bare = dict(item)
        events = bare.pop("events", [])
        classification = bare.pop("classification", "public")
    for handler in folds.handlers_for(fact.type):
        if handler.view == view:
            bare = handler.fold(bare, fact)
    if bare is None:
        return None
    return {
        **bare,
        "events": [*events, fact.id],
        "classification": stricter(classification, fact.classification),
    }


class Engine:
    """Applies log events to a FactStore at one clearance level. Engines given the
    same `shared` must apply each event in turn (all levels for one event, then the
    next)."""

    def __init__(self, folds: Folds, level: Level, shared: Shared | None = None) -> None:
        self.folds = folds
        self.level = level
        self.shared = shared or Shared(folds)

    def apply(self, event: Fact, store: FactStore, everything: FactStore | None = None) -> None:
        """Apply one event of the log, as recorded. `everything` is the store of the
        level that sees every event (ALL), before this event: where a lowering makes an
        event visible at this level, it appears as it reads there."""
        if not visible_at(self.level, event.classification):
            return
        self.shared.start(event.position)
        event_type = self.folds.catalogue.types.get(event.type)
        if event_type is None or event_type.effect is Effect.RECORD:
            store.count_entry(event)  # a change counts where its target is seen
        if event_type is None:
            return  # a type whose plugin is gone: kept in the log, not in the views
        at = event.position
        if event_type.effect is Effect.RECORD:
            self._put(store, event, at, new=True)
            for view, key in sorted(self.folds.keys(event)):
                item = store.item(view, key)
                store.add_member(view, key, at)
                folded = self.shared.fold_one(view, key, item, event)
                self._put_item(store, view, key, folded, at)
            return
        if event_type.effect is Effect.LOWER:
            self._lower(event, event_type, store, everything or store)
            return
        target_position = store.position_of(str(event_type.target_of(event.payload)))
        target = store.fact(target_position) if target_position is not None else None
        if target is None:
            return  # the target is not visible at this level: nor is this change
        store.count_entry(event)
        affected = self.folds.keys(target)
        if event_type.effect is Effect.CORRECT:
            new = self.shared.corrected(target, event.payload[str(event_type.changes)])
            self._put(store, new, at)
            now_in = self.folds.keys(new)
            for view, key in sorted(now_in - affected):
                store.add_member(view, key, target.position)
            affected |= now_in
        else:
            store.drop_fact(target.position, at)
        for view, key in sorted(affected):
            self._put_item(store, view, key, self._refold(store, view, key), at)

    def _lower(
        self, event: Fact, event_type: EventType, store: FactStore, everything: FactStore
    ) -> None:
        """A lowering: the target, as it reads with every correction made so far,
        takes the lower classification; at a level that did not see it, it appears."""
        position = everything.position_of(str(event_type.target_of(event.payload)))
        whole = everything.fact(position) if position is not None else None
        if whole is None:
            return  # retracted, or its type's plugin is gone
        store.count_entry(event)
        new = whole._replace(classification=str(event.payload[str(event_type.changes)]))
        seen = store.fact(whole.position)
        affected = self.folds.keys(seen) if seen is not None else set()
        self._put(store, new, event.position)
        now_in = self.folds.keys(new)
        for view, key in sorted(now_in - affected):
            if whole.position not in set(store.members(view, key)):
                store.add_member(view, key, whole.position)
        for view, key in sorted(affected | now_in):
            self._put_item(store, view, key, self._refold(store, view, key), event.position)

    def _put_item(self, store: FactStore, view: str, key: str, item: Item | None, at: int) -> None:
        current = store.item(view, key)
        if item is current or (item is not None and current == item):
            return  # unchanged: its tallies too
        version = self.shared.version(view, key, item) if item is not None else None
        store.put_item(view, key, version, at)

    def _put(self, store: FactStore, fact: Fact, at: int, *, new: bool = False) -> None:
        counts, parties = self.shared.derived(fact)
        store.put_fact(fact, counts, parties, at, new=new)

    def _refold(self, store: FactStore, view: str, key: str) -> Item | None:
        item: Item | None = None
        for position in sorted(set(store.members(view, key))):
            fact = store.fact(position)
            if fact is not None and (view, key) in self.folds.keys(fact):
                item = fold_one(self.folds, view, item, fact)
        return item
