"""Part I, cluster 3 (cooperation in support of investigations and proceedings):
requests for assistance and their answers, emergency visas for witnesses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from plugins import hookimpl

AREA = "judicial_assistance"

CATEGORIES = (
    "background_information",
    "evidence",
    "witness_access",
    "forensics",
    "defence",
    "asset_tracing",
    "logistics",
    "other",
)


class AssistanceRequestSent(Schema):
    request = f.reference("request")
    addressee = f.party()
    category = f.choice(CATEGORIES)
    on_behalf_of = f.choice(["prosecution", "defence", "registry", "chambers"])


class AssistanceRequestAnswered(Schema):
    request = f.reference("request")
    outcome = f.choice(["granted", "partially_granted", "refused"])


class EmergencyVisaIssued(Schema):
    state = f.state()
    persons = f.count()


def sent(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None:
        raise conflict(
            f"Request {fact.payload['request']} is already recorded as sent; "
            "choose a new identifier."
        )
    return {"sent_on": fact.occurred_on.isoformat()}


def answered(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["request"]
    if state is None:
        raise conflict(f"Request {name} has not been sent.")
    if state.get("answered_on"):
        raise conflict(f"Request {name} has already been answered.")
    if fact.occurred_on.isoformat() < state["sent_on"]:
        raise conflict(
            f"Request {name} cannot be answered before it was sent on {state['sent_on']}."
        )
    return {**state, "answered_on": fact.occurred_on.isoformat()}


request = lifecycle("request", "request")


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "AssistanceRequestSent",
            AssistanceRequestSent,
            AREA,
            "The Court sent a request for assistance.",
            subject=request,
            rule=sent,
            party_fields=("addressee",),
        ),
        EventType(
            "AssistanceRequestAnswered",
            AssistanceRequestAnswered,
            AREA,
            "A request for assistance was answered.",
            subject=request,
            rule=answered,
        ),
        EventType(
            "EmergencyVisaIssued",
            EmergencyVisaIssued,
            AREA,
            "A State issued emergency visas to witnesses (recommendation 16).",
            party_fields=("state",),
        ),
    ]
