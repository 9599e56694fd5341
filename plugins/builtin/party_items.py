"""The ``parties`` view is folded by several areas (legal framework, diplomatic
support, logistics); each adds its own fields to the same item, begun here."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from core.parties import lookup
from core.views.figures import share
from core.views.itemfigures import Timeline, per_version
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
        present=present,
        counts=counts,
    )


def happened_by(records: list[Item], on: date, field: str = "on") -> list[Item]:
    """The records of a list that had happened by `on`."""
    day = on.isoformat()
    return [record for record in records if record[field] <= day]


# -- a State's record read in one pass (OnDate's `on_days`) --------------------------


def membership_days(item: Item) -> set[str]:
    """The days on which whether the State is a party may change."""
    found: set[str] = set()
    for membership in item.get("memberships", []):
        for field in (
            "on",
            "in_force_on",
            "withdrawal_notified_on",
            "withdrawal_revoked_on",
            "effective_on",
        ):
            if membership.get(field):
                found.add(membership[field])
    return found


def standing_on(item: Item, days: Sequence[str]) -> list[tuple[bool, str | None]]:
    """On each day, as the parties view presents the State (legal_framework.present_party):
    whether it was a party to the Statute (its latest membership by then, in force, and
    not yet left by a withdrawal notified by then), and the day a withdrawal notified and
    not revoked by then takes effect (None: no such withdrawal)."""
    changes, standing = standing_steps(item)
    found: list[tuple[bool, str | None]] = []
    for day in days:
        index = bisect_right(changes, day) - 1
        found.append(standing[index] if index >= 0 else (False, None))
    return found


@per_version
def standing_steps(item: Item) -> tuple[list[str], list[tuple[bool, str | None]]]:
    """The State's standing (standing_on) on each day its membership may change, in
    order: on any other day it stands as on the last of these before it (every date
    the standing compares a day with is one of them), and before the first it was no
    party. Computed once per version of a State's record, for all its figures."""
    memberships = item.get("memberships", [])
    changes = sorted(membership_days(item))
    standing: list[tuple[bool, str | None]] = []
    for day in changes:
        current = None
        for membership in memberships:
            if membership["on"] <= day:
                current = membership
        if current is None:
            standing.append((False, None))
            continue
        notified = current.get("withdrawal_notified_on", "9999") <= day
        # A withdrawal revoked by then never takes effect (South Africa, 2017).
        revoked = current.get("withdrawal_revoked_on", "9999") <= day
        effective = current.get("effective_on") if notified and not revoked else None
        party = current["in_force_on"] <= day and (effective is None or effective > day)
        standing.append((party, effective))
    return changes, standing


def party_days(item: Item, days: Sequence[str]) -> list[bool]:
    """Whether the State was a party to the Statute on each day (standing_on)."""
    return [party for party, _ in standing_on(item, days)]


def happened_counts(records: list[Item], days: Sequence[str], field: str = "on") -> list[int]:
    """How many of the records had happened by each day."""
    dates = sorted(record[field] for record in records)
    return [bisect_right(dates, day) for day in days]


def kinds_by(records: list[Item], days: Sequence[str], kind: str) -> list[int]:
    """How many kinds (values of `kind`) the records that had happened by each day
    cover (days ascending)."""
    ordered = sorted(records, key=lambda record: record["on"])
    seen: set[Any] = set()
    found, index = [], 0
    for day in days:
        while index < len(ordered) and ordered[index]["on"] <= day:
            seen.add(ordered[index][kind])
            index += 1
        found.append(len(seen))
    return found


#: What a figure about a State counts on each of some days, and on which days that may
#: change (besides the days its membership does).
Counted = Callable[[Item, Sequence[str]], list[int]]
CountedDays = Callable[[Item], Iterable[str]]


def party_with_days(
    counted: Counted, changes_on: CountedDays
) -> Callable[[Item], list[tuple[str, int, int]]]:
    """OnDate's `on_days` for "a State Party with something": it holds on a day when
    the State is a party and `counted` (how many events it counts that day) is not 0;
    it may change on the days of its membership and on `changes_on`."""

    def on_days(item: Item) -> list[tuple[str, int, int]]:
        days = sorted({*standing_steps(item)[0], *changes_on(item)})
        parties = party_days(item, days)
        return [
            (day, 1, n) if party and n else (day, 0, 0)
            for day, party, n in zip(days, parties, counted(item, days), strict=True)
        ]

    return on_days


def dates_of_records(field: str) -> CountedDays:
    """The days of a list of records (``on``)."""
    return lambda item: [record["on"] for record in item.get(field, [])]


# -- figures per party, kept as dated tallies of the items that name them -------------


def party_steps(
    timeline: Timeline, what: str, codes: Callable[[Item], Iterable[str]]
) -> list[ItemCount]:
    """+1 on the day the item, as presented, starts to count for a party (`codes`:
    the parties it counts for on that day) and -1 on the day it stops, as
    ``party.<code>.<what>``: so what an endpoint about parties sums per party is a
    tally, not a pass over every item of other views."""
    counts: list[ItemCount] = []
    before: set[str] = set()
    for day in timeline.days:
        shown = timeline.on(day)
        now = set(codes(shown)) if shown is not None else set()
        for code in sorted(now - before):
            counts.append((f"party.{code}.{what}", day, 1))
        for code in sorted(before - now):
            counts.append((f"party.{code}.{what}", day, -1))
        before = now
    return counts


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
