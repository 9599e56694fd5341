"""The answers of the built-in areas' view endpoints (API and CLI share them): lists of
items filtered as the Bureau asks, each item as it stood on the reading's date."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from typing import Any

from core.catalogue import Catalogue
from core.errors import NotFound
from core.parties import lookup, may_be_registered
from core.views.itemfigures import median_of
from core.views.model import Item, SummaryFigure, ViewFact
from core.views.reading import ViewReading
from plugins.builtin import follow_up


def activity_types(catalogue: Catalogue) -> list[str]:
    """Activities: the types that say they are (``EventType.activity``), listed by
    period: actions that are not part of a lifecycle."""
    return [name for name, t in catalogue.types.items() if t.activity]


#: A party's non-cooperation record (the non_cooperation view): matters about it, those
#: open, findings of non-compliance, matters standing referred.
NON_COOPERATION_COUNTS = ("matters", "open", "findings", "referred")


def _unbounded(reading: ViewReading) -> bool:
    """Whether the reading has no period (every item counts)."""
    return reading.period.first is None and reading.period.last is None


def _in_period(reading: ViewReading, *days: str | None) -> bool:
    """Without a period every item counts; with one, items with a date in it."""
    if _unbounded(reading):
        return True
    return any(reading.period.contains(day) for day in days)


def _filtered(items: Iterable[Item], **wanted: Any) -> list[Item]:
    """The items with every value wanted (None: any); all of them, untested, when
    nothing is (a whole list is thousands of items)."""
    tests = [(k, v) for k, v in wanted.items() if v is not None]
    if not tests:
        return list(items)
    return [i for i in items if all(i.get(k) == v for k, v in tests)]


def agreements(
    reading: ViewReading,
    *,
    kind: str | None = None,
    party: str | None = None,
    status: str | None = None,
) -> list[Item]:
    items = _filtered(reading.items("agreements"), kind=kind, status=status)
    if party is None and _unbounded(reading):
        return items
    return [
        i
        for i in items
        if (party is None or party in i["parties"])
        and _in_period(reading, i["signed_on"], i["in_force_on"], i["terminated_on"])
    ]


def warrant_parties(item: Item) -> set[str]:
    return {
        code
        for code in (
            item["arresting_state"],
            item["surrendering_state"],
            *item["assisted_by"],
            *item["transit_states"],
        )
        if code
    }


def warrants(
    reading: ViewReading,
    *,
    status: str | None = None,
    situation: str | None = None,
    party: str | None = None,
) -> list[Item]:
    items = _filtered(reading.items("warrants"), status=status, situation=situation)
    return [
        i
        for i in items
        if (party is None or party in warrant_parties(i))
        and _in_period(
            reading, i["issued_on"], i["arrested_on"], i["surrendered_on"], i["closed_on"]
        )
    ]


def requests(
    reading: ViewReading,
    *,
    addressee: str | None = None,
    status: str | None = None,
    category: str | None = None,
) -> list[Item]:
    items = _filtered(
        reading.items("requests"), addressee=addressee, status=status, category=category
    )
    return [i for i in items if _in_period(reading, i["sent_on"], i["answered_on"])]


def witness_protection(reading: ViewReading) -> list[Item]:
    return [
        i
        for i in reading.items("witness_protection")
        if _in_period(reading, i["received_on"], *(r["on"] for r in i["relocations"]))
    ]


def activities(
    reading: ViewReading, *, types: Iterable[str] | None = None, party: str | None = None
) -> list[dict[str, Any]]:
    known = activity_types(reading.folds.catalogue)
    wanted = [t for t in (types or known) if t in known]
    return [fact.to_json() for fact in reading.facts(wanted, party=party)]


def activities_page(
    reading: ViewReading,
    *,
    types: Iterable[str] | None = None,
    party: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[int, list[dict[str, Any]]]:
    """activities() from `offset` (at most `limit`), and how many there are."""
    known = activity_types(reading.folds.catalogue)
    wanted = [t for t in (types or known) if t in known]
    total, facts = reading.facts_page(wanted, party=party, offset=offset, limit=limit)
    return total, [fact.to_json() for fact in facts]


# -- parties ---------------------------------------------------------------------


def _party_figures(reading: ViewReading, code: str | None = None) -> dict[str, dict[str, Any]]:
    """Per party: agreements by kind (signed, in force), arrests and surrenders
    facilitated, requests addressed to it (answered, open, median days to answer),
    non-cooperation matters about it, on the reading's date — from the tallies the
    agreements, warrants, requests and matters keep per party (``party.<code>.…``), not
    from their items."""
    prefix = f"party.{code}." if code else "party."
    tallies = _PartyTallies(reading.sums(prefix, cumulative=True), whole=code is None)
    return {party: tallies.figures(party) for party in tallies.codes()}


#: The names of every party's tallies last read, and in order. They change only when a
#: party is first counted for something (a request answered in a number of days not
#: seen before...); sorting them was a good part of a page's time, comparing them is
#: a tenth of that. (One party's tallies are sorted apart: they would replace these.)
_sorted: tuple[frozenset[str], list[str]] = (frozenset(), [])


class _PartyTallies:
    """The tallies ``party.<code>.<what>`` in name order: the parties named found by
    jumping from one's tallies to the next's, and a party's tallies (a page's parties
    only) by bisection, its days to answer (most of them) apart."""

    def __init__(self, sums: Mapping[str, int], *, whole: bool = True) -> None:
        global _sorted
        self.sums = sums
        if not whole:
            self.names = sorted(sums)
            return
        names, ordered = _sorted
        if sums.keys() != names:
            ordered = sorted(sums)
            _sorted = (frozenset(ordered), ordered)
        self.names = ordered

    def codes(self) -> list[str]:
        """The parties with tallies, in order (a code has no '.': after the tallies
        ``party.<code>.…`` come the names from ``party.<code>/``)."""
        names, found, at = self.names, [], 0
        while at < len(names):
            code = names[at].split(".", 2)[1]
            found.append(code)
            at = bisect_left(names, f"party.{code}/", at)
        return found

    def figures(self, code: str) -> dict[str, Any]:
        """One party's figures (those of a party without tallies: every count 0)."""
        names, sums, prefix = self.names, self.sums, f"party.{code}."
        low = bisect_left(names, prefix)
        high = bisect_left(names, f"party.{code}/", low)
        days = prefix + "requests.days."
        first = bisect_left(names, days, low, high)
        last = bisect_left(names, prefix + "requests.days/", first, high)
        start, count = len(prefix), len(days)
        return _figures_of(
            {name[start:]: sums[name] for name in chain(names[low:first], names[last:high])},
            {int(name[count:]): sums[name] for name in names[first:last]},
        )


def _figures_of(tallies: Mapping[str, int], days: dict[int, int]) -> dict[str, Any]:
    """One party's figures from its tallies ({what: value}, ``what`` as named after
    ``party.<code>.``) but its days to answer ({days: requests}: ``requests.days.<n>``)."""
    entry: dict[str, Any] = {
        "agreements": {},
        "arrests_facilitated": 0,
        "surrenders_facilitated": 0,
        "requests": {"answered": 0, "open": 0, "median_days_to_answer": None},
        "non_cooperation": dict.fromkeys(NON_COOPERATION_COUNTS, 0),
    }
    for what, value in tallies.items():
        if what.startswith("agreements."):
            _, kind, state = what.split(".")
            entry["agreements"].setdefault(kind, {"signed": 0, "in_force": 0})[state] = value
        elif what in ("arrests_facilitated", "surrenders_facilitated"):
            entry[what] = value
        elif what in ("requests.answered", "requests.open"):
            entry["requests"][what[9:]] = value
        elif what.startswith("non_cooperation."):
            entry["non_cooperation"][what[16:]] = value
    if days:
        entry["requests"]["median_days_to_answer"] = _median(days)
    return entry


def _median(histogram: dict[int, int]) -> float | int:
    """statistics.median of the values a histogram counts ({value: how many}): a value
    it counts when they are odd in number."""
    middle = median_of(histogram.items())
    assert middle is not None  # a histogram of tallies: none is 0
    return int(middle) if sum(histogram.values()) % 2 else middle


def _party(code: str, item: Item | None, figures: dict[str, Any] | None) -> Item:
    party = lookup(code)
    shown: Item = (
        dict(item)
        if item
        else {
            "party": code,
            "name": party.name if party else code,
            "kind": party.kind.value if party else "unknown",
            "is_party": False,
            "events": [],
            "classification": "public",
        }
    )
    if figures is not None:
        shown["agreements"] = {k: dict(v) for k, v in sorted(figures["agreements"].items())}
        shown["arrests_facilitated"] = figures["arrests_facilitated"]
        shown["surrenders_facilitated"] = figures["surrenders_facilitated"]
        shown["requests"] = figures["requests"]
        shown["non_cooperation"] = figures["non_cooperation"]
    else:
        shown.update(
            agreements={},
            arrests_facilitated=0,
            surrenders_facilitated=0,
            requests={"answered": 0, "open": 0, "median_days_to_answer": None},
            non_cooperation=dict.fromkeys(NON_COOPERATION_COUNTS, 0),
        )
    return shown


def parties_page(reading: ViewReading, offset: int, limit: int) -> tuple[int, list[Item]]:
    """parties() from `offset` (at most `limit`), and how many there are: the States
    of the page only are presented, and only their figures computed."""
    keys = set(reading.keys("parties"))
    tallies = _PartyTallies(reading.sums("party.", cumulative=True))
    having = set(tallies.codes())
    codes = sorted(keys | having)
    page = codes[offset : offset + limit]
    items = reading.items_of("parties", [code for code in page if code in keys])
    shown = [
        _party(code, items.get(code), tallies.figures(code) if code in having else None)
        for code in page
    ]
    return len(codes), shown


def parties(reading: ViewReading, *, states_parties_only: bool = False) -> list[Item]:
    items = {item["party"]: item for item in reading.items("parties")}
    figures = _party_figures(reading)
    codes = sorted(set(items) | set(figures))
    listed = [_party(code, items.get(code), figures.get(code)) for code in codes]
    return [p for p in listed if p.get("is_party") or not states_parties_only]


PARTY_ACTIVITY_SUMS: dict[str, Callable[[ViewFact], dict[str, int]]] = {
    "EmergencyVisaIssued": lambda f: {"emergency_visa_persons": f.payload["persons"]},
    "ExpertsRostered": lambda f: {"experts_rostered": f.payload["experts"]},
    "GratisPersonnelProvided": lambda f: {
        "gratis_persons": f.payload["persons"],
        "gratis_person_months": f.payload["persons"] * f.payload["months"],
    },
}


def party(reading: ViewReading, code: str) -> Item:
    """One party with its activities: workshops attended or hosted, visas, experts and
    gratis personnel (in the period, or up to the reading's date)."""
    known = lookup(code) is not None
    if not known and not (may_be_registered(code) and reading.item("parties", code)):
        raise NotFound(f"Unknown party code {code!r}.")
    cumulative = reading.period.first is None and reading.period.last is None
    item = reading.item("parties", code)
    shown = _party(code, item, _party_figures(reading, code).get(code))
    facts = reading.facts(["WorkshopHeld", *PARTY_ACTIVITY_SUMS], party=code, cumulative=cumulative)
    sums: dict[str, int] = defaultdict(int)
    for fact in facts:
        if fact.type == "WorkshopHeld":
            role = "hosted" if fact.payload.get("host") == code else "attended"
            if fact.payload.get("organiser") == code:
                role = "organised"
            sums[f"workshops_{role}"] += 1
        else:
            for name, amount in PARTY_ACTIVITY_SUMS[fact.type](fact).items():
                sums[name] += amount
    for name in (
        "workshops_attended",
        "workshops_hosted",
        "workshops_organised",
        "emergency_visa_persons",
        "experts_rostered",
        "gratis_persons",
        "gratis_person_months",
    ):
        shown[name] = sums.get(name, 0)
    return shown


# -- recommendations ---------------------------------------------------------------


def recommendations(
    reading: ViewReading,
    indicators: follow_up.Indicators,
    figures: Mapping[str, SummaryFigure] | None = None,
) -> list[Item]:
    """The 66 with their follow-up (plugins/builtin/follow_up.py); `figures` (the
    summary figures by name) read the indicators defined with targets."""
    return follow_up.Overview(reading, indicators, figures or {}).rows()


def recommendation(
    reading: ViewReading,
    number: int,
    indicators: follow_up.Indicators,
    figures: Mapping[str, SummaryFigure] | None = None,
) -> Item:
    if not 1 <= number <= 66:
        raise NotFound(f"There is no recommendation {number}; they are numbered 1 to 66.")
    overview = follow_up.Overview(reading, indicators, figures or {})
    shown = follow_up.recommendation_detail(overview, number)
    cumulative = reading.period.first is None and reading.period.last is None
    shown["cited_by"] = [
        {
            k: f.to_json()[k]
            for k in ("id", "position", "type", "occurred_on", "summary", "recorded_by", "sources")
        }
        for f in reading.facts(recommendation=number, cumulative=cumulative)
    ]
    return shown
