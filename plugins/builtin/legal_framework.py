"""Part I, cluster 1 (general legal mechanisms): becoming party to the Statute,
implementing legislation, the APIC, and supplementary agreements with the Court."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from plugins import hookimpl

AREA = "legal_framework"

AGREEMENT_KINDS = (
    "enforcement_of_sentences",
    "witness_relocation",
    "interim_release",
    "release_of_persons",
    "cooperation",
    "memorandum_of_understanding",
    "transfer",
    "other",
)


class StateBecameParty(Schema):
    state = f.state()
    instrument = f.choice(["ratification", "accession", "acceptance", "approval"])
    in_force_on = f.day()


class WithdrawalNotified(Schema):
    state = f.state()
    effective_on = f.day()


class ImplementingLegislationEnacted(Schema):
    state = f.state()
    title = f.text(max_length=500)
    scope = f.choice(["cooperation", "crimes", "both"])


class ImplementingLegislationReviewed(Schema):
    state = f.state()
    title = f.text(max_length=500)
    outcome = f.choice(["amended", "no_change_needed", "under_revision"])


class APICRatified(Schema):
    state = f.state()


class AgreementSigned(Schema):
    agreement = f.reference("agreement")
    kind = f.choice(AGREEMENT_KINDS)
    parties = f.parties(min_items=1)
    title = f.text(max_length=500)


class AgreementEnteredIntoForce(Schema):
    agreement = f.reference("agreement")


class AgreementTerminated(Schema):
    agreement = f.reference("agreement")
    reason = f.text()


class TechnicalAssistanceProvided(Schema):
    provider = f.party()
    recipient = f.party()
    topic = f.choice(
        [
            "implementing_legislation",
            "witness_protection",
            "enforcement",
            "law_enforcement_training",
            "other",
        ]
    )


def became_party(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None and state.get("party"):
        raise conflict(f"{fact.payload['state']} is already a party to the Rome Statute.")
    return {"party": True, "since": fact.occurred_on.isoformat()}


def withdrew(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is None or not state.get("party"):
        raise conflict(f"{fact.payload['state']} is not a party, so it cannot withdraw.")
    if fact.occurred_on.isoformat() < state["since"]:
        raise conflict("A withdrawal cannot be notified before the State became party.")
    return {"party": False, "withdrawn_on": fact.occurred_on.isoformat()}


def ratified_apic(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None:
        raise conflict(f"{fact.payload['state']} has already ratified the APIC.")
    return {"ratified_on": fact.occurred_on.isoformat()}


def signed(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None:
        raise conflict(
            f"Agreement {fact.payload['agreement']} is already recorded as signed; "
            "choose a new identifier."
        )
    return {"signed_on": fact.occurred_on.isoformat()}


def entered_into_force(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["agreement"]
    if state is None:
        raise conflict(f"Agreement {name} has not been signed.")
    if state.get("terminated_on"):
        raise conflict(f"Agreement {name} has been terminated.")
    if state.get("in_force_on"):
        raise conflict(f"Agreement {name} is already in force.")
    if fact.occurred_on.isoformat() < state["signed_on"]:
        raise conflict(
            f"Agreement {name} cannot enter into force before its signature "
            f"on {state['signed_on']}."
        )
    return {**state, "in_force_on": fact.occurred_on.isoformat()}


def terminated(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["agreement"]
    if state is None:
        raise conflict(f"Agreement {name} has not been signed.")
    if state.get("terminated_on"):
        raise conflict(f"Agreement {name} is already terminated.")
    if fact.occurred_on.isoformat() < state["signed_on"]:
        raise conflict(f"Agreement {name} cannot be terminated before its signature.")
    return {**state, "terminated_on": fact.occurred_on.isoformat()}


membership = lifecycle("membership", "state")
apic = lifecycle("apic", "state")
agreement = lifecycle("agreement", "agreement")


@hookimpl
def followup_event_types() -> list[EventType]:
    def area(name: str, schema: type[Schema], **kwargs: Any) -> EventType:
        return EventType(name=name, schema=schema, area=AREA, **kwargs)

    return [
        area(
            "StateBecameParty",
            StateBecameParty,
            description="A State deposited its instrument of ratification or accession.",
            subject=membership,
            rule=became_party,
            party_fields=("state",),
        ),
        area(
            "WithdrawalNotified",
            WithdrawalNotified,
            description="A State Party notified its withdrawal from the Statute.",
            subject=membership,
            rule=withdrew,
            party_fields=("state",),
        ),
        area(
            "ImplementingLegislationEnacted",
            ImplementingLegislationEnacted,
            description="A State enacted legislation implementing the Statute (art. 88).",
            party_fields=("state",),
        ),
        area(
            "ImplementingLegislationReviewed",
            ImplementingLegislationReviewed,
            description="A State reviewed its implementing legislation (recommendation 3).",
            party_fields=("state",),
        ),
        area(
            "APICRatified",
            APICRatified,
            description="A State ratified the Agreement on Privileges and Immunities of the Court.",
            subject=apic,
            rule=ratified_apic,
            party_fields=("state",),
        ),
        area(
            "AgreementSigned",
            AgreementSigned,
            description="An agreement or arrangement with the Court was signed.",
            subject=agreement,
            rule=signed,
            party_fields=("parties",),
        ),
        area(
            "AgreementEnteredIntoForce",
            AgreementEnteredIntoForce,
            description="A signed agreement entered into force.",
            subject=agreement,
            rule=entered_into_force,
        ),
        area(
            "AgreementTerminated",
            AgreementTerminated,
            description="An agreement was terminated.",
            subject=agreement,
            rule=terminated,
        ),
        area(
            "TechnicalAssistanceProvided",
            TechnicalAssistanceProvided,
            description="One party gave another technical assistance (recommendations 5, 20).",
            party_fields=("provider", "recipient"),
        ),
    ]
