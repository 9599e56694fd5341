"""The ``parties`` view is folded by several areas (legal framework, diplomatic
support, logistics); each adds its own fields to the same item, begun here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from core.parties import lookup
from core.views.figures import share
from core.views.itemfigures import Timeline
from core.views.model import Item, ItemCount, ItemHandler, Reading, ViewFact
from core.words import Words

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
    day = on.isoformat()
    return [record for record in records if record[field] <= day]


def share_of_states_parties(reading: Reading, figure: str) -> dict[str, Any]:
    """States Parties on the reading's date, how many a figure counts, and the share."""
    parties = reading.tally("parties.states_parties", cumulative=True)
    having = reading.tally(figure, cumulative=True)
    return {"states_parties": parties, "with": having, "share": share(having, parties)}


def share_sentence(value: Mapping[str, Any], w: Words, *, en: str, fr: str) -> str:
    """An indicator of a share of States Parties, as the report's tables say it: 'States
    Parties with a national focal point: 41 of 190 (21.6 per cent).' (`en` and `fr`
    name what is counted)."""
    having, parties = value["with"], value["states_parties"]
    label = w.say(en=en, fr=fr)
    if not parties:
        return w.sentence(f"{label}: " + w.say(en="no States Parties.", fr="aucun État Partie."))
    of = w.say(en="of", fr="sur")
    counted = f"{label}: {w.cardinal(having)} {of} {w.cardinal(parties)}"
    if not having:  # 'none of 190', not 'none of 190 (0 per cent)'
        return w.sentence(f"{counted}.")
    return w.sentence(f"{counted} ({w.percent(value['share'])}).")
