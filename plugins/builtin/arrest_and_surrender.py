"""Part I, cluster 4 (arrest and surrender): warrants, arrests, surrenders, frozen assets."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import Schema, fields, validate

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from core.parties import PartyKind
from core.views.figures import dated, events_of, hide_later, tally_figure
from core.views.itemfigures import InPeriod, ItemFigures, OnDate, Timeline
from core.views.model import (
    Indicator,
    Item,
    ItemCount,
    ItemHandler,
    Reading,
    SummaryFigure,
    ViewFact,
)
from core.words import PERSON, Noun, Phrase, Terms, Text, Words
from plugins import hookimpl
from plugins.builtin.party_items import party_steps
from reports.sections import ProseContext, ReportData, ReportProse, SectionContext

AREA = "arrest_and_surrender"


class ArrestWarrantIssued(Schema):
    warrant = f.reference("warrant")
    situation = f.text(max_length=200)
    person = f.text(max_length=200)


class ArrestFacilitated(Schema):
    warrant = f.reference("warrant")
    arresting_state = f.state()
    assisted_by = f.parties(required=False)


class SurrenderCompleted(Schema):
    warrant = f.reference("warrant")
    surrendering_state = f.state()
    transit_states = fields.List(
        f.PartyCode(kinds={PartyKind.STATE}), load_default=list, validate=validate.Length(max=50)
    )


class WarrantClosed(Schema):
    warrant = f.reference("warrant")
    reason = f.choice(["withdrawn", "deceased", "other"])


class AssetsFrozen(Schema):
    state = f.state()
    warrant = f.reference("warrant", required=False)
    description = f.text()


def issued(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None:
        raise conflict(
            f"Warrant {fact.payload['warrant']} is already recorded as issued; "
            "choose a new identifier."
        )
    return {"issued_on": fact.occurred_on.isoformat()}


def issued_and_open(state: LifecycleState, name: str) -> Mapping[str, Any]:
    """The warrant's lifecycle state, refused when the warrant was never issued or is
    closed (what every later event on a warrant needs, here and in custody.py)."""
    if state is None:
        raise conflict(f"Warrant {name} has not been issued.")
    if state.get("closed_on"):
        raise conflict(f"Warrant {name} is closed.")
    return state


def not_surrendered(state: LifecycleState, name: str) -> Mapping[str, Any]:
    """`issued_and_open`, and the person sought not yet surrendered to the Court."""
    state = issued_and_open(state, name)
    if state.get("surrendered_on"):
        raise conflict(f"The person sought by warrant {name} has already been surrendered.")
    return state


def arrested(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["warrant"]
    state = not_surrendered(state, name)
    if state.get("arrested_on"):
        raise conflict(f"The person sought by warrant {name} has already been arrested.")
    if fact.occurred_on.isoformat() < state["issued_on"]:
        raise conflict(f"An arrest under warrant {name} cannot precede the warrant.")
    return {**state, "arrested_on": fact.occurred_on.isoformat()}


def surrendered(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["warrant"]
    state = not_surrendered(state, name)
    # In custody: arrested under the warrant, or held by a State or given up (custody.py).
    since = state.get("arrested_on") or state.get("custody_since")
    if not since:
        raise conflict(f"The person sought by warrant {name} has not been arrested.")
    if fact.occurred_on.isoformat() < since:
        raise conflict(f"The surrender under warrant {name} cannot precede the arrest.")
    return {**state, "surrendered_on": fact.occurred_on.isoformat()}


def closed(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["warrant"]
    state = not_surrendered(state, name)
    if fact.occurred_on.isoformat() < state.get("arrested_on", state["issued_on"]):
        raise conflict(f"Warrant {name} cannot be closed before it was issued or executed.")
    return {**state, "closed_on": fact.occurred_on.isoformat()}


warrant = lifecycle("warrant", "warrant")


# -- how the events read -----------------------------------------------------------

CLOSING_REASONS = Terms(
    {
        "withdrawn": ("withdrawn", "mandat retiré"),
        "deceased": ("deceased", "personne décédée"),
        "other": ("other", "autre motif"),
    }
)

WARRANT_ISSUED = Phrase(
    en="Warrant {warrant} issued in the situation in {situation}.",
    fr="Mandat d’arrêt {warrant} délivré ; situation : {situation}.",
    values=lambda p, w: {"warrant": p["warrant"], "situation": w.place(p["situation"])},
)
ARREST = Phrase(
    en="Arrest under warrant {warrant} by {state}{helped}.",
    fr="Arrestation en vertu du mandat {warrant} ; État : {state}{helped}.",
    values=lambda p, w: {
        "warrant": p["warrant"],
        "state": w.party(p["arresting_state"]),
        "helped": w.say(
            en=f", assisted by {w.parties(p['assisted_by'])}",
            fr=f", avec le concours de : {w.parties(p['assisted_by'])}",
        )
        if p.get("assisted_by")
        else "",
    },
)
SURRENDER = Phrase(
    en="Surrender to the Court under warrant {warrant} by {state}{transit}.",
    fr="Remise à la Cour en vertu du mandat {warrant} ; État : {state}{transit}.",
    values=lambda p, w: {
        "warrant": p["warrant"],
        "state": w.party(p["surrendering_state"]),
        "transit": w.say(
            en=f", through {w.parties(p['transit_states'])}",
            fr=f" ; transit : {w.parties(p['transit_states'])}",
        )
        if p.get("transit_states")
        else "",
    },
)
WARRANT_CLOSED = Phrase(
    en="Warrant {warrant} closed ({reason}).",
    fr="Clôture du mandat d’arrêt {warrant} ({reason}).",
    values=lambda p, w: {"warrant": p["warrant"], "reason": w.term(p["reason"], CLOSING_REASONS)},
)
FROZEN = Phrase(
    en="{state} froze assets: {description}.",
    fr="{state} : gel d’avoirs : {description}.",
    values=lambda p, w: {"state": w.party(p["state"]), "description": p["description"]},
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "ArrestWarrantIssued",
            ArrestWarrantIssued,
            AREA,
            "The Court issued an arrest warrant.",
            subject=warrant,
            rule=issued,
            sentence=WARRANT_ISSUED,
            cluster="I.D",
        ),
        EventType(
            "ArrestFacilitated",
            ArrestFacilitated,
            AREA,
            "A State arrested a person sought by the Court.",
            subject=warrant,
            rule=arrested,
            party_fields=("arresting_state", "assisted_by"),
            sentence=ARREST,
            cluster="I.D",
        ),
        EventType(
            "SurrenderCompleted",
            SurrenderCompleted,
            AREA,
            "A person was surrendered to the Court.",
            subject=warrant,
            rule=surrendered,
            party_fields=("surrendering_state", "transit_states"),
            sentence=SURRENDER,
            cluster="I.D",
        ),
        EventType(
            "WarrantClosed",
            WarrantClosed,
            AREA,
            "A warrant was withdrawn or otherwise closed.",
            subject=warrant,
            rule=closed,
            sentence=WARRANT_CLOSED,
            cluster="I.D",
        ),
        EventType(
            "AssetsFrozen",
            AssetsFrozen,
            AREA,
            "A State froze assets, possibly under a warrant.",
            references={"warrant": "warrant"},
            party_fields=("state",),
            sentence=FROZEN,
            cluster="I.D",
            activity=True,
        ),
    ]


# -- views -------------------------------------------------------------------------

WARRANT_EVENTS = frozenset(
    {"ArrestWarrantIssued", "ArrestFacilitated", "SurrenderCompleted", "WarrantClosed"}
)


def fold_warrant(item: Item | None, fact: ViewFact) -> Item | None:
    p = fact.payload
    if fact.type == "ArrestWarrantIssued":
        new = {
            "warrant": p["warrant"],
            "situation": p["situation"],
            "person": p["person"],
            "arrested_on": None,
            "arresting_state": None,
            "assisted_by": [],
            "surrendered_on": None,
            "surrendering_state": None,
            "transit_states": [],
            "closed_on": None,
            "close_reason": None,
        }
        return dated(new, fact, "issued_on")
    if item is None:
        return None
    if fact.type == "ArrestFacilitated":
        return dated(
            item,
            fact,
            "arrested_on",
            arresting_state=p["arresting_state"],
            assisted_by=list(p.get("assisted_by", [])),
        )
    if fact.type == "SurrenderCompleted":
        return dated(
            item,
            fact,
            "surrendered_on",
            surrendering_state=p["surrendering_state"],
            transit_states=list(p.get("transit_states", [])),
        )
    return dated(item, fact, "closed_on", close_reason=p["reason"])


def warrant_status(item: Item) -> str:
    if item["closed_on"]:
        return "closed"
    if item["surrendered_on"]:
        return "surrendered"
    return "arrested" if item["arrested_on"] else "at_large"


def present_warrant(item: Item, on: date) -> Item | None:
    if item["issued_on"] > on.isoformat():
        return None
    shown = hide_later(item, on, "arrested_on", "surrendered_on", "closed_on")
    if shown["arrested_on"] is None:
        shown.update(arresting_state=None, assisted_by=[])
    if shown["surrendered_on"] is None:
        shown.update(surrendering_state=None, transit_states=[])
    if shown["closed_on"] is None:
        shown["close_reason"] = None
    shown["status"] = warrant_status(shown)
    return shown


WARRANT_FIGURES = ItemFigures(
    (
        *(
            InPeriod(
                f"warrants.{name}", description, "warrants", field, contributing=events_of(field)
            )
            for name, field, description in (
                ("issued", "issued_on", "Arrest warrants issued in the period."),
                ("arrests", "arrested_on", "Arrests facilitated in the period."),
                ("surrenders", "surrendered_on", "Surrenders completed in the period."),
                ("closed", "closed_on", "Warrants closed in the period."),
            )
        ),
        OnDate(
            "warrants.at_large",
            "Persons sought still at large on the reading's date.",
            "warrants",
            lambda item: item["status"] == "at_large",
            events_of("issued_on"),
        ),
        OnDate(
            "warrants.in_custody",
            "Persons arrested, not yet surrendered.",
            "warrants",
            lambda item: item["status"] == "arrested",
            events_of("issued_on", "arrested_on"),
        ),
    )
)


def warrant_counts(timeline: Timeline) -> list[ItemCount]:
    """The figures, and per party (GET /parties) arrests and surrenders facilitated."""
    return [
        *WARRANT_FIGURES.counts(timeline),
        *party_steps(
            timeline,
            "arrests_facilitated",
            lambda shown: (
                {shown["arresting_state"], *shown["assisted_by"]} if shown["arrested_on"] else ()
            ),
        ),
        *party_steps(
            timeline,
            "surrenders_facilitated",
            lambda shown: (
                {shown["surrendering_state"], *shown["transit_states"]}
                if shown["surrendered_on"]
                else ()
            ),
        ),
    ]


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        ItemHandler(
            view="warrants",
            types=WARRANT_EVENTS,
            keys=lambda fact: [fact.payload["warrant"]],
            fold=fold_warrant,
            present=present_warrant,
            counts=warrant_counts,
        )
    ]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        *WARRANT_FIGURES.summary(),
        tally_figure(
            "activities.assets_frozen",
            "Assets frozen in the period.",
            "events.AssetsFrozen",
            ["AssetsFrozen"],
        ),
    ]


@hookimpl
def followup_indicators() -> list[Indicator]:
    def arrests(reading: Reading) -> dict[str, int]:
        return {
            "arrests_in_period": reading.tally("warrants.arrests"),
            "surrenders_in_period": reading.tally("warrants.surrenders"),
            "at_large": reading.tally("warrants.at_large", cumulative=True),
        }

    return [
        Indicator(
            (17, 21, 66),
            "arrest_and_surrender",
            "Arrests and surrenders in the period; persons still at large.",
            arrests,
            reads=lambda value, w: w.sentence(
                w.say(
                    en=f"Arrests in the period: {w.cardinal(value['arrests_in_period'])}; "
                    f"surrenders: {w.cardinal(value['surrenders_in_period'])}; persons sought "
                    f"still at large: {w.cardinal(value['at_large'])}.",
                    fr="Arrestations pendant la période : "
                    f"{w.cardinal(value['arrests_in_period'], feminine=True)} ; remises : "
                    f"{w.cardinal(value['surrenders_in_period'], feminine=True)} ; personnes "
                    "recherchées encore en fuite : "
                    f"{w.cardinal(value['at_large'], feminine=True)}.",
                )
            ),
        ),
    ]


# -- the annual report ----------------------------------------------------------------

WARRANT = Noun(("arrest warrant", "arrest warrants"), ("mandat d’arrêt", "mandats d’arrêt"))
MEASURE = Noun(
    ("measure freezing assets", "measures freezing assets"),
    ("mesure de gel d’avoirs", "mesures de gel d’avoirs"),
    feminine=True,
)


def persons_sought(context: SectionContext) -> dict[str, Any]:
    """The persons the report names: those sought by the Court still at large at the
    period's end (with the situation), and those arrested or surrendered in the period;
    only from public warrants (the others are counted: `withheld`)."""
    first, last = context.first.isoformat(), context.last.isoformat()
    found: dict[str, Any] = {"at_large": [], "arrested": [], "surrendered": []}
    withheld = {"at_large": 0, "arrested": 0, "surrendered": 0}
    for item in context.reading.items("warrants"):
        kinds = []
        if item["status"] == "at_large":
            kinds.append("at_large")
        if item["arrested_on"] and first <= item["arrested_on"] <= last:
            kinds.append("arrested")
        if item["surrendered_on"] and first <= item["surrendered_on"] <= last:
            kinds.append("surrendered")
        for kind in kinds:
            if item.get("classification", "public") != "public":
                withheld[kind] += 1
                continue
            found[kind].append(
                {
                    "person": item["person"],
                    "situation": item["situation"],
                    "warrant": item["warrant"],
                    "issued_on": item["issued_on"],
                }
            )
    for kind in found:
        found[kind].sort(key=lambda entry: (entry["issued_on"], entry["person"]))
    return {**found, "withheld": withheld}


def named(persons: Mapping[str, Any], kind: str, w: Words, *, situation: bool = False) -> str:
    """The persons of a kind by name ('Joseph Kony (Uganda)' with `situation`), and how
    many more are counted but not named."""
    names = [
        f"{entry['person']} ({w.place(entry['situation'])})" if situation else entry["person"]
        for entry in persons.get(kind, [])
    ]
    withheld = persons.get("withheld", {}).get(kind, 0)
    if withheld:
        names.append(
            w.say(
                en=f"{w.count(withheld, PERSON)} not named (restricted)",
                fr=f"{w.count(withheld, PERSON)} non "
                f"{w.agree(withheld, one='nommée', other='nommées')} "
                "(diffusion restreinte)",
            )
        )
    return w.listing(names)


def arrests_said(
    p: ProseContext, *, warrants: bool = True, assets: bool = True, names: bool = True
) -> list[str]:
    """Warrants issued, persons arrested and surrendered (by name) and measures
    freezing assets in the period; one sentence when there was no arrest or surrender
    at all (it matters)."""
    w = p.words
    persons = p.data("persons_sought", {})
    issued = p.now("warrants.issued") or 0
    arrests = p.now("warrants.arrests") or 0
    surrenders = p.now("warrants.surrenders") or 0
    said = []
    if issued and warrants:
        said.append(
            p.sentence(
                w.say(
                    en=f"{p.during}, the Court issued {w.count(issued, WARRANT)} "
                    f"{p.compared('warrants.issued')}.",
                    fr=f"{p.during}, la Cour a délivré {w.count(issued, WARRANT)} "
                    f"{p.compared('warrants.issued')}.",
                )
            )
        )
    clauses = []
    if arrests:
        clauses.append(
            w.say(
                en=f"States arrested {w.count(arrests, PERSON)} sought by the Court "
                + (f"({named(persons, 'arrested', w)})" if names else ""),
                fr=f"les États ont arrêté {w.count(arrests, PERSON)} "
                f"{w.agree(arrests, one='recherchée', other='recherchées')} par la Cour "
                + (f"({named(persons, 'arrested', w)})" if names else ""),
            )
        )
    if surrenders:
        clauses.append(
            w.say(
                en=f"{w.count(surrenders, PERSON)} {w.agree(surrenders, one='was', other='were')} "
                "surrendered to the Court "
                + (f"({named(persons, 'surrendered', w)})" if names else ""),
                fr=f"{w.count(surrenders, PERSON)} "
                f"{w.agree(surrenders, one='a été remise', other='ont été remises')} à la Cour "
                + (f"({named(persons, 'surrendered', w)})" if names else ""),
            )
        )
    if clauses:
        said.append(p.sentence(f"{p.during}, " + w.listing(clauses) + "."))
    frozen = p.now("activities.assets_frozen") or 0
    if frozen and assets:
        said.append(
            p.sentence(
                w.say(
                    en=f"{p.during}, {w.count(frozen, MEASURE)} "
                    f"{w.agree(frozen, one='was', other='were')} recorded.",
                    fr=f"{p.during}, {w.count(frozen, MEASURE)} "
                    f"{w.agree(frozen, one='a été enregistrée', other='ont été enregistrées')}.",
                )
            )
        )
    if not clauses:
        said.append(
            p.sentence(
                w.say(
                    en=f"No arrest or surrender of a person sought by the Court was recorded "
                    f"{p.during}.",
                    fr="Aucune arrestation ni remise d’une personne recherchée par la Cour n’a "
                    f"été enregistrée {p.during}.",
                )
            )
        )
    return said


def at_large_said(p: ProseContext, *, names: bool = True) -> list[str]:
    w = p.words
    at_large = p.now("warrants.at_large") or 0
    in_custody = p.now("warrants.in_custody") or 0
    said = []
    if at_large:
        listed = (
            f": {named(p.data('persons_sought', {}), 'at_large', w, situation=True)}"
            if names
            else ""
        )
        said.append(
            p.sentence(
                w.say(
                    en=f"{p.at_end}, {w.count(at_large, PERSON)} sought by the Court "
                    f"remained at large{listed}.",
                    fr=f"{p.at_end}, {w.count(at_large, PERSON)} "
                    f"{w.agree(at_large, one='recherchée', other='recherchées')} par la Cour "
                    f"{w.agree(at_large, one='était', other='étaient')} toujours en fuite{listed}.",
                )
            )
        )
    if in_custody:
        said.append(
            p.sentence(
                w.say(
                    en=f"{'In addition, ' if at_large else p.at_end + ', '}"
                    f"{w.count(in_custody, PERSON)} arrested "
                    f"{w.agree(in_custody, one='was', other='were')} awaiting surrender to the "
                    "Court.",
                    fr=f"{'En outre, ' if at_large else p.at_end + ', '}"
                    f"{w.count(in_custody, PERSON)} "
                    f"{w.agree(in_custody, one='arrêtée était', other='arrêtées étaient')} en "
                    "attente de remise à la Cour.",
                )
            )
        )
    return said


def arrests_summary(p: ProseContext) -> list[str]:
    persons = p.data("persons_sought", {})
    few = len(persons.get("at_large", [])) <= 3 and not persons.get("withheld", {}).get("at_large")
    short = len(persons.get("arrested", [])) + len(persons.get("surrendered", [])) <= 3
    return [
        *arrests_said(p, warrants=False, assets=False, names=short),
        *at_large_said(p, names=few),
    ]


def arrests_omnibus(p: ProseContext) -> list[tuple[str, str]]:
    w = p.words
    at_large = p.now("warrants.at_large") or 0
    if not at_large:
        return []
    return [
        (
            w.say(en="Urges", fr="Prie instamment"),
            w.say(
                en="all States to cooperate fully in the arrest and surrender to the Court of "
                f"the {w.count(at_large, PERSON)} sought who remained at large "
                f"{p.at_end};",
                fr="tous les États de coopérer pleinement à l’arrestation et à la remise à la "
                f"Cour {w.of(w.count(at_large, PERSON))} "
                f"{w.agree(at_large, one='recherchée', other='recherchées')} qui "
                f"{w.agree(at_large, one='était', other='étaient')} encore en fuite {p.at_end} ;",
            ),
        )
    ]


@hookimpl
def followup_report_data() -> list[ReportData]:
    return [ReportData("persons_sought", persons_sought)]


@hookimpl
def followup_report_prose() -> list[ReportProse]:
    return [
        ReportProse(
            "arrest_and_surrender",
            "I.D",
            figures=(
                ("warrants.issued", Text("Arrest warrants issued", "Mandats d’arrêt délivrés")),
                ("warrants.arrests", Text("Arrests", "Arrestations")),
                ("warrants.surrenders", Text("Surrenders to the Court", "Remises à la Cour")),
                (
                    "warrants.at_large",
                    Text(
                        "Persons sought still at large at the end of the period",
                        "Personnes recherchées encore en fuite à la fin de la période",
                    ),
                ),
                (
                    "warrants.in_custody",
                    Text(
                        "Persons arrested, awaiting surrender",
                        "Personnes arrêtées, en attente de remise",
                    ),
                ),
                (
                    "activities.assets_frozen",
                    Text("Measures freezing assets", "Mesures de gel d’avoirs"),
                ),
            ),
            done=arrests_said,
            outstanding=at_large_said,
            summary=arrests_summary,
            omnibus=arrests_omnibus,
        )
    ]
