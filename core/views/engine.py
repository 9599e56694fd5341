"""How one event changes the views at one clearance level. The same code folds the log
in memory (the reference) and into the projection's tables (the fast path); only the
FactStore behind it differs."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, Protocol

from core.catalogue import Catalogue
from core.dossier import CORRECTABLE_ENVELOPE
from core.envelope import Event
from core.eventtypes import Effect, EventType, parties_in
from core.views.itemfigures import Timeline
from core.views.model import (
    Item,
    ItemCount,
    ItemHandler,
    Level,
    Presenter,
    Tally,
    ViewFact,
    stricter,
    visible_at,
)

ItemKey = tuple[str, str]  # (view, key)


class FactStore(Protocol):
    """State the engine reads and changes; `at` is the position of the event doing it."""

    def fact(self, position: int) -> ViewFact | None:
        """The standing version of the event at `position` (None: absent or retracted)."""
        ...

    def position_of(self, event_id: str) -> int | None: ...

    def put_fact(
        self,
        fact: ViewFact,
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

    def count_entry(self, event: Event) -> None:
        """Count the event as an entry of the log (``log.<Type>``, never undone)."""
        ...

    def item(self, view: str, key: str) -> Item | None: ...

    def put_item(
        self,
        view: str,
        key: str,
        item: Item | None,
        at: int,
        counts: Sequence[ItemCount] = (),
    ) -> None:
        """Make `item` (None: no item) the standing version from `at`, with its tallies."""
        ...

    def members(self, view: str, key: str) -> list[int]: ...

    def memberships(self, position: int) -> list[ItemKey]: ...

    def set_member(self, view: str, key: str, position: int, member: bool) -> None: ...


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
        handlers = self.handlers_of(view)

        def present(item: Item, on: date) -> Item | None:
            shown: Item | None = item
            for handler in handlers:
                if shown is None:
                    break
                shown = handler.present(shown, on)
            return shown

        return present

    def counts(self, fact: ViewFact) -> dict[str, int]:
        """The fact's tally contributions, plus one for its type (``events.<Type>``)
        and one for each recommendation it cites (``recommendations.<n>``)."""
        counts: dict[str, int] = {f"events.{fact.type}": 1}
        for number in fact.recommendations:
            counts[f"recommendations.{number}"] = 1
        for tally in self._tallies.get(fact.type, []):
            for name, amount in tally.counts(fact).items():
                counts[name] = counts.get(name, 0) + amount
        return counts

    def parties(self, fact: ViewFact) -> list[str]:
        event_type = self.catalogue.types.get(fact.type)
        return parties_in(event_type, fact.payload) if event_type is not None else []

    def keys(self, fact: ViewFact) -> set[ItemKey]:
        return {(h.view, key) for h in self.handlers_for(fact.type) for key in h.keys(fact)}


def to_fact(event: Event) -> ViewFact:
    return ViewFact(
        position=event.position,
        id=str(event.id),
        type=event.type,
        occurred_on=event.occurred_on.isoformat(),
        classification=event.classification,
        recorded_by=event.recorded_by,
        payload=event.payload,
        recommendations=tuple(event.recommendations),
        summary=event.summary,
        sources=tuple(event.sources),
    )


def corrected(target: ViewFact, changes: Mapping[str, Any]) -> ViewFact:
    envelope: dict[str, Any] = {}
    for name in CORRECTABLE_ENVELOPE:
        if name in changes:
            value = changes[name]
            envelope[name] = tuple(value) if name in ("recommendations", "sources") else value
    payload = {k: v for k, v in changes.items() if k not in CORRECTABLE_ENVELOPE}
    return replace(target, payload=dict(sorted({**target.payload, **payload}.items())), **envelope)


class Shared:
    """What the engines of the clearance levels may share while they apply the same
    event, one level after the other: the event read as a fact, with its tallies and
    parties (the same whatever the level), and the tallies of an item folded to the
    same value at both levels (they are a function of the item). Forgotten at the next
    event, so it holds little."""

    def __init__(self, folds: Folds) -> None:
        self.folds = folds
        self.position = -1
        self._fact: ViewFact | None = None
        self._derived: list[tuple[ViewFact, dict[str, int], list[str]]] = []
        self._items: dict[ItemKey, tuple[Item, list[ItemCount]]] = {}

    def start(self, position: int) -> None:
        if position != self.position:
            self.position = position
            self._fact = None
            self._derived.clear()
            self._items.clear()

    def fact(self, event: Event) -> ViewFact:
        if self._fact is None:
            self._fact = to_fact(event)
        return self._fact

    def derived(self, fact: ViewFact) -> tuple[dict[str, int], list[str]]:
        """The fact's tallies and parties (by identity: a corrected fact is new)."""
        for known, counts, parties in self._derived:
            if known is fact:
                return counts, parties
        counts, parties = self.folds.counts(fact), self.folds.parties(fact)
        self._derived.append((fact, counts, parties))
        return counts, parties

    def item_counts(self, view: str, key: str, item: Item) -> list[ItemCount]:
        known = self._items.get((view, key))
        if known is not None and known[0] == item:
            return known[1]
        counts: list[ItemCount] = []
        timeline = Timeline(item, self.folds.presenter(view))
        for handler in self.folds.handlers_of(view):
            counts.extend(handler.counts(timeline))
        self._items[(view, key)] = (item, counts)
        return counts


class Engine:
    """Applies log events to a FactStore at one clearance level. Engines given the
    same `shared` must apply each event in turn (all levels for one event, then the
    next)."""

    def __init__(self, folds: Folds, level: Level, shared: Shared | None = None) -> None:
        self.folds = folds
        self.level = level
        self.shared = shared or Shared(folds)

    def apply(self, event: Event, store: FactStore, everything: FactStore | None = None) -> None:
        """Apply one event. `everything` is the store of the level that sees every
        event (ALL), before this event: where a lowering makes an event visible at
        this level, it appears as it reads there."""
        if not visible_at(self.level, event.classification):
            return
        self.shared.start(event.position)
        event_type = self.folds.catalogue.types.get(event.type)
        if event_type is None or event_type.effect is Effect.RECORD:
            store.count_entry(event)
        if event_type is None:
            return  # a type whose plugin is gone: kept in the log, not in the views
        at = event.position
        if event_type.effect is Effect.RECORD:
            fact = self.shared.fact(event)
            self._put(store, fact, at, new=True)
            for view, key in sorted(self.folds.keys(fact)):
                item = store.item(view, key)
                store.set_member(view, key, at, True)
                self._put_item(store, view, key, self._fold_one(view, item, fact), at)
            return
        if event_type.effect is Effect.LOWER:
            self._lower(event, event_type, store, everything or store)
            return
        target_position = store.position_of(str(event_type.target_of(event.payload)))
        target = store.fact(target_position) if target_position is not None else None
        if target is None:
            return  # the target is not visible at this level: nor is this change
        store.count_entry(event)
        affected = set(store.memberships(target.position))
        if event_type.effect is Effect.CORRECT:
            new = corrected(target, event.payload[str(event_type.changes)])
            self._put(store, new, at)
            now_in = self.folds.keys(new)
            for view, key in affected - now_in:
                store.set_member(view, key, target.position, False)
            for view, key in now_in - affected:
                store.set_member(view, key, target.position, True)
            affected |= now_in
        else:
            store.drop_fact(target.position, at)
            for view, key in affected:
                store.set_member(view, key, target.position, False)
        for view, key in sorted(affected):
            self._put_item(store, view, key, self._refold(store, view, key), at)

    def _lower(
        self, event: Event, event_type: EventType, store: FactStore, everything: FactStore
    ) -> None:
        """A lowering: the target, as it reads with every correction made so far,
        takes the lower classification; at a level that did not see it, it appears."""
        position = everything.position_of(str(event_type.target_of(event.payload)))
        whole = everything.fact(position) if position is not None else None
        if whole is None:
            return  # retracted, or its type's plugin is gone
        store.count_entry(event)
        new = replace(whole, classification=str(event.payload[str(event_type.changes)]))
        affected = set(store.memberships(whole.position))
        self._put(store, new, event.position)
        now_in = self.folds.keys(new)
        for view, key in now_in - affected:
            store.set_member(view, key, whole.position, True)
        for view, key in sorted(affected | now_in):
            self._put_item(store, view, key, self._refold(store, view, key), event.position)

    def _put_item(self, store: FactStore, view: str, key: str, item: Item | None, at: int) -> None:
        if item is not None and store.item(view, key) == item:
            return  # unchanged: its tallies too
        counts = self.shared.item_counts(view, key, item) if item is not None else []
        store.put_item(view, key, item, at, counts)

    def _put(self, store: FactStore, fact: ViewFact, at: int, *, new: bool = False) -> None:
        counts, parties = self.shared.derived(fact)
        store.put_fact(fact, counts, parties, at, new=new)

    def _fold_one(self, view: str, item: Item | None, fact: ViewFact) -> Item | None:
        """Fold one fact into an item; the engine keeps two fields of its own on every
        item: `events` (ids of the events behind it) and `classification` (the
        strictest of theirs)."""
        events: list[str] = []
        classification = "public"
        bare: Item | None = None
        if item is not None:
            bare = dict(item)
            events = bare.pop("events", [])
            classification = bare.pop("classification", "public")
        for handler in self.folds.handlers_for(fact.type):
            if handler.view == view:
                bare = handler.fold(bare, fact)
        if bare is None:
            return None
        return {
            **bare,
            "events": [*events, fact.id],
            "classification": stricter(classification, fact.classification),
        }

    def _refold(self, store: FactStore, view: str, key: str) -> Item | None:
        item: Item | None = None
        for position in sorted(store.members(view, key)):
            fact = store.fact(position)
            if fact is not None:
                item = self._fold_one(view, item, fact)
        return item


def apply_all(engine: Engine, events: Iterable[Event], store: FactStore) -> None:
    for event in events:
        engine.apply(event, store)
