"""Part I, cluster 4 (arrest and surrender): warrants, arrests, surrenders, frozen assets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from core.parties import PartyKind
from plugins import hookimpl

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
    if not state.get("arrested_on"):
        raise conflict(f"The person sought by warrant {name} has not been arrested.")
    if fact.occurred_on.isoformat() < state["arrested_on"]:
        raise conflict(f"The surrender under warrant {name} cannot precede the arrest.")
    return {**state, "surrendered_on": fact.occurred_on.isoformat()}


def closed(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["warrant"]
    state = _open(state, name)
    if fact.occurred_on.isoformat() < state["issued_on"]:
        raise conflict(f"Warrant {name} cannot be closed before it was issued.")
    return {**state, "closed_on": fact.occurred_on.isoformat()}


warrant = lifecycle("warrant", "warrant")


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
        ),
        EventType(
            "ArrestFacilitated",
            ArrestFacilitated,
            AREA,
            "A State arrested a person sought by the Court.",
            subject=warrant,
            rule=arrested,
            party_fields=("arresting_state", "assisted_by"),
        ),
        EventType(
            "SurrenderCompleted",
            SurrenderCompleted,
            AREA,
            "A person was surrendered to the Court.",
            subject=warrant,
            rule=surrendered,
            party_fields=("surrendering_state", "transit_states"),
        ),
        EventType(
            "WarrantClosed",
            WarrantClosed,
            AREA,
            "A warrant was withdrawn or otherwise closed.",
            subject=warrant,
            rule=closed,
        ),
        EventType(
            "AssetsFrozen",
            AssetsFrozen,
            AREA,
            "A State froze assets, possibly under a warrant.",
            references={"warrant": "warrant"},
            party_fields=("state",),
        ),
    ]
