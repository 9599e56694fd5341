"""The text of the rows standing in whole views, kept in memory between readings.

A whole list (every agreement: 11,800 rows at a million events) read each row from
the table: rows written as the log went, scattered over its pages, a page read for
each, a third of the list's time. But a row's text never changes once written (a
fold only ends a row, setting its `end_1`/`end_2`), and the row (view, key, from_pos)
standing at a level holds what the log up to `from_pos` gives, whoever folds it with
the same plugins. So the texts a list read are kept (per store, level and view), with
where the views were then (their position, the log's hash there, their plugins). A
list read again while the views are still there reuses them; after the views moved
on, the rows written since (from_pos after that position) take their keys' places;
otherwise (another date, an item gone) which rows stand is read from the index of
standing rows alone (key and from_pos: no row is read), and only the texts not held
are fetched (SqlSnapshot._standing_texts).

The texts kept are valid while the log up to where they were read is the same (its
hash there: the chain covers every event before) and the views were folded with the
same plugins; otherwise they are forgotten. Another process folding, or rebuilding
the views from the same log, leaves them valid. Only texts are kept here, never
decoded items: each reading decodes its own (big items presented on a date are the
exception, kept decoded by core/views/decoded.py).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.application import FollowUp
from core.views.feed import hash_at


@dataclass(frozen=True)
class Stamp:
    """Where the views were: their position, the log's hash there, their plugins."""

    position: int
    digest: str
    folds: str


#: Text of the rows standing: {key: (from_pos, text)}.
Texts = Mapping[str, tuple[int, str]]


@dataclass(frozen=True)
class WholeList:
    """What a reading of a whole view kept: where the views were, the texts of the
    rows standing there, and the rows it read on `day` ((shown as kept, text), in
    key order, and their keys): read again while the views stay there, and brought
    up to date by the rows written since when they move on."""

    stamp: Stamp
    texts: Texts
    day: str
    keys: Sequence[str]
    rows: Sequence[tuple[bool, str]]


class StandingTexts:
    """The texts kept for one store in this process (thread-safe: each reading makes
    its own, and the last one kept wins)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[tuple[int, str], WholeList] = {}

    def held(self, level: int, view: str, now: Stamp, log: FollowUp) -> WholeList | None:
        """What was kept of the view at the level, if still valid where the views are
        `now` (else None)."""
        with self._lock:
            kept = self._kept.get((level, view))
        if kept is None or kept.stamp.folds != now.folds:
            return None
        then = kept.stamp
        if then.position == now.position:
            digest = now.digest
        else:
            found = hash_at(log, then.position)
            digest = found.hex() if found is not None else ""
        return kept if digest == then.digest else None

    def keep(self, level: int, view: str, kept: WholeList) -> None:
        with self._lock:
            self._kept[(level, view)] = kept


_STORES: weakref.WeakKeyDictionary[object, StandingTexts] = weakref.WeakKeyDictionary()
_STORES_LOCK = threading.Lock()


def standing_texts(store: object) -> StandingTexts:
    """The texts kept for a store (its Sql port), made when first asked for."""
    with _STORES_LOCK:
        found = _STORES.get(store)
        if found is None:
            found = _STORES[store] = StandingTexts()
        return found
