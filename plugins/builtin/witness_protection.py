"""Part I, cluster 5 (witness protection and support): protection applications and
relocations of witnesses to States."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from plugins import hookimpl

AREA = "witness_protection"


class WitnessProtectionApplicationReceived(Schema):
    application = f.reference("application")
    persons = f.count(minimum=1, maximum=100)


class WitnessRelocated(Schema):
    application = f.reference("application")
    state = f.state()
    persons = f.count()


def received(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None:
        raise conflict(
            f"Application {fact.payload['application']} is already recorded; "
            "choose a new identifier."
        )
    return {"received_on": fact.occurred_on.isoformat(), "relocations": 0}


def relocated(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["application"]
    if state is None:
        raise conflict(f"Application {name} has not been received.")
    if fact.occurred_on.isoformat() < state["received_on"]:
        raise conflict(
            f"Witnesses of application {name} cannot be relocated before it was received."
        )
    return {**state, "relocations": state["relocations"] + 1}


application = lifecycle("application", "application")


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "WitnessProtectionApplicationReceived",
            WitnessProtectionApplicationReceived,
            AREA,
            "The Court received an application for the protection of witnesses.",
            subject=application,
            rule=received,
        ),
        EventType(
            "WitnessRelocated",
            WitnessRelocated,
            AREA,
            "Witnesses of an application were relocated to a State.",
            subject=application,
            rule=relocated,
            party_fields=("state",),
        ),
    ]
