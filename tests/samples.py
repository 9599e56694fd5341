"""Sample events for tests: one valid event of every catalogue type, in an order in
which every lifecycle rule holds."""

from __future__ import annotations

from typing import Any

from core.dossier import dossier_id
from core.integrity import event_id


def first_event_of(subject: str) -> str:
    """Id of the first event of a lifecycle (ids derive from the dossier and version)."""
    return str(event_id(dossier_id(subject), 1))


def every_type() -> list[dict[str, Any]]:
    signed = first_event_of("agreement:ESA-AUT-2005")
    return [
        {
            "type": "StateBecameParty",
            "occurred_on": "2002-07-01",
            "state": "NLD",
            "instrument": "ratification",
            "in_force_on": "2002-07-01",
        },
        {
            "type": "StateBecameParty",
            "occurred_on": "2003-01-01",
            "state": "BDI",
            "instrument": "ratification",
            "in_force_on": "2004-12-01",
        },
        {
            "type": "WithdrawalNotified",
            "occurred_on": "2016-10-27",
            "state": "BDI",
            "effective_on": "2017-10-27",
        },
        {
            "type": "ImplementingLegislationEnacted",
            "occurred_on": "2003-06-20",
            "state": "NLD",
            "title": "International Crimes Act",
            "scope": "both",
        },
        {
            "type": "ImplementingLegislationReviewed",
            "occurred_on": "2008-03-01",
            "state": "NLD",
            "title": "International Crimes Act",
            "outcome": "no_change_needed",
            "recommendations": [3],
        },
        {"type": "APICRatified", "occurred_on": "2004-02-10", "state": "NLD"},
        {
            "type": "AgreementSigned",
            "occurred_on": "2005-10-27",
            "agreement": "ESA-AUT-2005",
            "kind": "enforcement_of_sentences",
            "parties": ["AUT"],
            "title": "Agreement on the enforcement of sentences",
            "sources": ["ICC-PRES/01-01-05"],
        },
        {
            "type": "AgreementEnteredIntoForce",
            "occurred_on": "2005-11-26",
            "agreement": "ESA-AUT-2005",
        },
        {
            "type": "AgreementSigned",
            "occurred_on": "2006-01-10",
            "agreement": "WRA-X-2006",
            "kind": "witness_relocation",
            "parties": ["DNK"],
            "title": "Witness relocation",
            "classification": "confidential",
        },
        {
            "type": "AgreementTerminated",
            "occurred_on": "2010-01-10",
            "agreement": "WRA-X-2006",
            "reason": "Superseded by a new framework agreement.",
        },
        {
            "type": "TechnicalAssistanceProvided",
            "occurred_on": "2008-05-05",
            "provider": "NLD",
            "recipient": "UGA",
            "topic": "implementing_legislation",
            "recommendations": [5],
        },
        {
            "type": "FocalPointDesignated",
            "occurred_on": "2008-01-15",
            "state": "NLD",
            "office": "Ministry of Foreign Affairs, International Law Division",
            "recommendations": [7],
        },
        {
            "type": "ContactPointDesignated",
            "occurred_on": "2008-02-01",
            "state": "DEU",
            "location": "the_hague",
            "office": "Embassy of Germany",
            "recommendations": [9, 25],
        },
        {
            "type": "CoordinatingMechanismEstablished",
            "occurred_on": "2009-03-01",
            "state": "DEU",
            "form": "task_force",
            "recommendations": [8],
        },
        {
            "type": "HighLevelVisit",
            "occurred_on": "2009-04-01",
            "organ": "presidency",
            "host": "KEN",
            "recommendations": [10],
        },
        {
            "type": "StatementDelivered",
            "occurred_on": "2009-09-25",
            "speaker": "FRA",
            "forum": "general_assembly",
            "topic": "arrest_and_surrender",
            "recommendations": [47, 48],
        },
        {
            "type": "ResolutionAdopted",
            "occurred_on": "2009-11-02",
            "body": "UN",
            "symbol": "A/RES/64/9",
            "mentions_court": True,
            "recommendations": [45, 46],
        },
        {
            "type": "WorkingGroupEstablished",
            "occurred_on": "2010-05-01",
            "organisation": "AU",
            "mandate": "Follow-up of cooperation with the Court",
            "recommendations": [64],
        },
        {
            "type": "AssistanceRequestSent",
            "occurred_on": "2008-01-02",
            "request": "RFA-2008-001",
            "addressee": "UGA",
            "category": "evidence",
            "on_behalf_of": "prosecution",
        },
        {
            "type": "AssistanceRequestAnswered",
            "occurred_on": "2008-02-11",
            "request": "RFA-2008-001",
            "outcome": "granted",
        },
        {
            "type": "EmergencyVisaIssued",
            "occurred_on": "2008-06-01",
            "state": "BEL",
            "persons": 3,
            "recommendations": [16],
        },
        {
            "type": "ArrestWarrantIssued",
            "occurred_on": "2005-07-08",
            "warrant": "ICC-02/04-01/05",
            "situation": "Uganda",
            "person": "Person A",
        },
        {
            "type": "ArrestWarrantIssued",
            "occurred_on": "2006-02-10",
            "warrant": "ICC-01/04-01/06",
            "situation": "Democratic Republic of the Congo",
            "person": "Person B",
        },
        {
            "type": "ArrestFacilitated",
            "occurred_on": "2006-03-16",
            "warrant": "ICC-01/04-01/06",
            "arresting_state": "COD",
            "assisted_by": ["FRA"],
        },
        {
            "type": "SurrenderCompleted",
            "occurred_on": "2006-03-17",
            "warrant": "ICC-01/04-01/06",
            "surrendering_state": "COD",
            "transit_states": [],
        },
        {
            "type": "WarrantClosed",
            "occurred_on": "2015-09-10",
            "warrant": "ICC-02/04-01/05",
            "reason": "deceased",
        },
        {
            "type": "AssetsFrozen",
            "occurred_on": "2008-07-01",
            "state": "BEL",
            "warrant": "ICC-01/04-01/06",
            "description": "Bank accounts",
        },
        {
            "type": "WitnessProtectionApplicationReceived",
            "occurred_on": "2007-03-01",
            "application": "WPA-2007-001",
            "persons": 6,
        },
        {
            "type": "WitnessRelocated",
            "occurred_on": "2007-09-01",
            "application": "WPA-2007-001",
            "state": "GBR",
            "persons": 6,
            "classification": "restricted",
        },
        {
            "type": "OperationalSupportProvided",
            "occurred_on": "2009-01-20",
            "provider": "NLD",
            "beneficiary": "defence",
            "kind": "transit",
            "recommendations": [28],
        },
        {
            "type": "ConfidentialityProcedureEstablished",
            "occurred_on": "2009-02-01",
            "state": "SWE",
            "recommendations": [26],
        },
        {
            "type": "ExpertsRostered",
            "occurred_on": "2010-03-03",
            "state": "SWE",
            "experts": 4,
            "field": "forensics",
            "recommendations": [29],
        },
        {
            "type": "GratisPersonnelProvided",
            "occurred_on": "2010-04-04",
            "state": "FIN",
            "persons": 2,
            "months": 6,
            "recommendations": [30],
        },
        {
            "type": "WorkshopHeld",
            "occurred_on": "2010-06-01",
            "title": "Regional seminar",
            "organiser": "AU",
            "host": "ETH",
            "participants": ["KEN", "UGA", "ETH"],
            "attendees": 40,
            "topics": ["arrest_and_surrender", "implementing_legislation"],
            "recommendations": [4, 65],
        },
        {
            "type": "RecommendationAssessed",
            "occurred_on": "2010-12-01",
            "recommendation": 7,
            "status": "in_progress",
            "rationale": "Twelve States have designated focal points.",
        },
        {
            "type": "ReportNarrativeDrafted",
            "occurred_on": "2010-10-01",
            "year": 2010,
            "section": "I.A",
            "text": "States Parties continued to enact legislation.",
        },
        {
            "type": "EventCorrected",
            "occurred_on": "2010-12-02",
            "corrects": signed,
            "changes": {"title": "Agreement on the enforcement of sentences of the Court"},
        },
        {
            "type": "EventRetracted",
            "occurred_on": "2010-12-03",
            "retracts": first_event_of("apic:NLD"),
            "reason": "Recorded for the wrong State.",
        },
    ]
