"""The ``parties`` view is folded by several areas (legal framework, diplomatic
support, logistics); each adds its own fields to the same item, begun here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from core.parties import lookup
from core.views.itemfigures import Timeline
from core.views.model import Item, ItemCount, ItemHandler, ViewFact

VIEW = "parties"


def begun(item: Item | None, code: str) -> Item:
    if item is not None:
        return dict(item)
    party = lookup(code)
    return {
        "party": code,
        "name": party.name if party else code,
        "kind": party.kind.value if party else "unknown",
    }


def party_handler(
    types: frozenset[str],
    fold: Callable[[Item, ViewFact], Item],
    present: Callable[[Item, date], Item],
    field: str = "state",
    counts: Callable[[Timeline], Iterable[ItemCount]] = lambda timeline: (),
) -> ItemHandler:
    """A handler of the parties view keyed by one payload field (default ``state``)."""
    return ItemHandler(
        view=VIEW,
        types=types,
        keys=lambda fact: [fact.payload[field]],
        fold=lambda item, fact: fold(begun(item, fact.payload[field]), fact),
        present=lambda item, on: present(item, on),
        counts=counts,
    )


def happened_by(records: list[Item], on: date, field: str = "on") -> list[Item]:
    """The records of a list that had happened by `on`."""
    return [record for record in records if record[field] <= on.isoformat()]
