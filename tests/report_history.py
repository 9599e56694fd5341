"""A small history whose annual report for 2024 is known figure by figure: public,
restricted and confidential events, a back-dated narrative, requests with known
turnaround. Markers in titles let tests find (or not find) each event in the PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from core.application import FollowUp
from reports.config import ReportConfig

#: The heading of the report on 2024 that the tests draw (a final report needs it).
SETTINGS = ReportConfig(
    symbol="ICC-ASP/23/21",
    session=23,
    venue="New York",
    session_from=date(2024, 12, 2),
    session_to=date(2024, 12, 7),
    document_date=date(2024, 10, 19),
    mandate="ICC-ASP/22/Res.3",
    mandate_paragraph=40,
    mandate_date=date(2023, 12, 6),
)

SETTINGS_FILE = """[report]
symbol = "ICC-ASP/{session}/21"
session = 23
venue = "New York"
session_from = 2024-12-02
session_to = 2024-12-07
document_date = 2024-10-19
mandate = "ICC-ASP/22/Res.3"
mandate_paragraph = 40
mandate_date = 2023-12-06
"""


def settings_file(folder: Path) -> str:
    """The settings above as the TOML file ``FOLLOWUP_REPORT_CONFIG`` names (for the
    command line and the server); its path."""
    path = folder / "report-settings.toml"
    path.write_text(SETTINGS_FILE)
    return str(path)


#: Words that must never appear in the public report (confidential events).
CONFIDENTIAL = ("Nightjar", "Zanzibar")
#: Words of restricted events: counted, never itemised.
RESTRICTED = ("Quietwater", "Closed-door")

EVENTS: list[dict[str, Any]] = [
    *(
        {
            "type": "StateBecameParty",
            "occurred_on": "2002-07-01",
            "state": state,
            "instrument": "ratification",
            "in_force_on": "2002-07-01",
        }
        for state in ("NLD", "AUT", "UGA", "KEN")
    ),
    {
        "type": "StateBecameParty",
        "occurred_on": "2010-01-01",
        "state": "FRA",
        "instrument": "ratification",
        "in_force_on": "2010-01-01",
        "classification": "restricted",
    },
    {"type": "APICRatified", "occurred_on": "2003-05-01", "state": "NLD"},
    {
        "type": "ImplementingLegislationEnacted",
        "occurred_on": "2023-06-01",
        "state": "AUT",
        "title": "Federal Act on Cooperation with the International Criminal Court",
        "scope": "cooperation",
    },
    {"type": "FocalPointDesignated", "occurred_on": "2024-01-15", "state": "NLD", "office": "MFA"},
    {
        "type": "AgreementSigned",
        "occurred_on": "2023-03-01",
        "agreement": "ESA-AUT",
        "kind": "enforcement_of_sentences",
        "parties": ["AUT"],
        "title": "Agreement on the enforcement of sentences with Austria",
    },
    {"type": "AgreementEnteredIntoForce", "occurred_on": "2024-02-01", "agreement": "ESA-AUT"},
    {
        "type": "AgreementSigned",
        "occurred_on": "2024-05-10",
        "agreement": "WRA-NLD",
        "kind": "witness_relocation",
        "parties": ["NLD"],
        "title": "Framework agreement on witness relocation with the Netherlands",
        "sources": ["ICC-PRES/99-01-24"],
    },
    {
        "type": "AgreementSigned",
        "occurred_on": "2024-06-01",
        "agreement": "WRA-KEN",
        "kind": "witness_relocation",
        "parties": ["KEN"],
        "title": "Quietwater relocation arrangement",
        "classification": "restricted",
    },
    {
        "type": "AgreementSigned",
        "occurred_on": "2024-07-01",
        "agreement": "NIGHTJAR",
        "kind": "cooperation",
        "parties": ["UGA"],
        "title": "Operation Nightjar cooperation agreement",
        "classification": "confidential",
    },
    {
        "type": "WorkshopHeld",
        "occurred_on": "2023-09-09",
        "title": "Seminar on implementing legislation in Vienna",
        "organiser": "AUT",
        "participants": ["AUT", "NLD"],
        "attendees": 30,
        "topics": ["implementing_legislation"],
    },
    {
        "type": "WorkshopHeld",
        "occurred_on": "2024-03-03",
        "title": "Seminar on arrest and surrender in Kampala",
        "organiser": "AU",
        "host": "UGA",
        "participants": ["UGA", "KEN"],
        "attendees": 40,
        "topics": ["arrest_and_surrender"],
        "sources": ["AU/ICC/2024/3"],
    },
    {
        "type": "WorkshopHeld",
        "occurred_on": "2024-04-04",
        "title": "Regional workshop on cooperation in Nairobi",
        "organiser": "KEN",
        "participants": ["KEN"],
        "attendees": 25,
        "topics": ["cooperation"],
    },
    {
        "type": "WorkshopHeld",
        "occurred_on": "2024-05-05",
        "title": "Closed-door briefing on witness security",
        "organiser": "NLD",
        "participants": ["NLD"],
        "attendees": 10,
        "topics": ["witness_protection"],
        "classification": "restricted",
    },
    {
        "type": "WorkshopHeld",
        "occurred_on": "2024-06-06",
        "title": "Secret seminar in Zanzibar",
        "organiser": "NLD",
        "participants": ["NLD"],
        "attendees": 99,
        "topics": ["other"],
        "classification": "confidential",
    },
    {
        "type": "AssistanceRequestSent",
        "occurred_on": "2024-01-10",
        "request": "RQ-1",
        "addressee": "UGA",
        "category": "evidence",
        "on_behalf_of": "prosecution",
    },
    {
        "type": "AssistanceRequestAnswered",
        "occurred_on": "2024-02-09",
        "request": "RQ-1",
        "outcome": "granted",
    },
    {
        "type": "AssistanceRequestSent",
        "occurred_on": "2024-03-01",
        "request": "RQ-2",
        "addressee": "KEN",
        "category": "witness_access",
        "on_behalf_of": "defence",
    },
    {
        "type": "AssistanceRequestAnswered",
        "occurred_on": "2024-03-21",
        "request": "RQ-2",
        "outcome": "refused",
    },
    {
        "type": "AssistanceRequestSent",
        "occurred_on": "2024-11-01",
        "request": "RQ-3",
        "addressee": "NLD",
        "category": "forensics",
        "on_behalf_of": "prosecution",
    },
    {
        "type": "ArrestWarrantIssued",
        "occurred_on": "2023-05-01",
        "warrant": "W-1",
        "situation": "Uganda",
        "person": "Person One",
    },
    {
        "type": "ArrestFacilitated",
        "occurred_on": "2024-04-04",
        "warrant": "W-1",
        "arresting_state": "UGA",
        "assisted_by": [],
    },
    {
        "type": "SurrenderCompleted",
        "occurred_on": "2024-05-05",
        "warrant": "W-1",
        "surrendering_state": "UGA",
        "transit_states": ["KEN"],
    },
    {
        "type": "WitnessProtectionApplicationReceived",
        "occurred_on": "2024-02-02",
        "application": "WP-1",
        "persons": 4,
    },
    {
        "type": "WitnessRelocated",
        "occurred_on": "2024-06-06",
        "application": "WP-1",
        "state": "NLD",
        "persons": 3,
    },
    {
        "type": "RecommendationAssessed",
        "occurred_on": "2024-10-01",
        "recommendation": 1,
        "status": "implemented",
        "rationale": "Every State Party has legislation.",
    },
    {
        "type": "RecommendationAssessed",
        "occurred_on": "2024-10-01",
        "recommendation": 7,
        "status": "in_progress",
        "rationale": "Quietwater consultations.",
        "classification": "restricted",
    },
    {
        "type": "ReportNarrativeDrafted",
        "occurred_on": "2025-01-20",
        "year": 2024,
        "section": "I.A",
        "text": "The Bureau notes steady progress on supplementary agreements.\n\n"
        "It welcomes the framework agreement with the Netherlands.",
        "sources": ["ICC-ASP/23/INF.2"],
    },
]


def record(app: FollowUp, events: list[dict[str, Any]] | None = None) -> None:
    """Record the history, one batch per event (the operator may write every type)."""
    for raw in EVENTS if events is None else events:
        app.record_raw(raw, "focal-point", None)
