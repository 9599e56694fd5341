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
from core.words import Phrase, Terms
from plugins import hookimpl
from plugins.builtin.party_items import party_steps

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


def _open(state: LifecycleState, name: str) -> Mapping[str, Any]:
    if state is None:
        raise conflict(f"Warrant {name} has not been issued.")
    if state.get("closed_on"):
        raise conflict(f"Warrant {name} is closed.")
    if state.get("surrendered_on"):
        raise conflict(f"The person sought by warrant {name} has already been surrendered.")
    return state


def arrested(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["warrant"]
    state = _open(state, name)
    if state.get("arrested_on"):
        raise conflict(f"The person sought by warrant {name} has already been arrested.")
    if fact.occurred_on.isoformat() < state["issued_on"]:
        raise conflict(f"An arrest under warrant {name} cannot precede the warrant.")
    return {**state, "arrested_on": fact.occurred_on.isoformat()}


def surrendered(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["warrant"]
    state = _open(state, name)
    # In custody: arrested under the warrant, or held by a State or given up (custody.py).
    since = state.get("arrested_on") or state.get("custody_since")
    if not since:
        raise conflict(f"The person sought by warrant {name} has not been arrested.")
    if fact.occurred_on.isoformat() < since:
        raise conflict(f"The surrender under warrant {name} cannot precede the arrest.")
    return {**state, "surrendered_on": fact.occurred_on.isoformat()}


def closed(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["warrant"]
    state = _open(state, name)
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
    values=lambda p, w: {"warrant": p["warrant"], "situation": p["situation"]},
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
        ),
    ]
