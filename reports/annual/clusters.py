"""The parts and clusters of the report, in the order of the Bureau's 2007 report, and
what each one shows: which events are its activities, which headline figures sum it
up, and which chart, if any, belongs to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.parties import ORGANISATIONS
from core.recommendations import catalogue
from core.views.model import ViewFact

UN_FORUMS = frozenset({"general_assembly", "security_council", "human_rights_council"})


def _everything(fact: ViewFact) -> bool:
    return True


def _by_organisation(fact: ViewFact) -> bool:
    return fact.payload.get("organiser") in ORGANISATIONS


def _by_united_nations(fact: ViewFact) -> bool:
    return fact.payload.get("organiser") == "UN"


def _workshop_section(fact: ViewFact) -> str:
    if _by_organisation(fact):
        return "III"
    return "II.A" if _by_united_nations(fact) else "I.A"


def _statement_section(fact: ViewFact) -> str:
    forum = fact.payload.get("forum")
    if forum in UN_FORUMS:
        return "II.B"
    return "III" if forum == "regional_organisation" else "I.B"


def _resolution_section(fact: ViewFact) -> str:
    body = fact.payload.get("body")
    if body == "UN":
        return "II.A"
    return "III" if body in ORGANISATIONS else "I.B"


#: Types shared between sections: which section an event of the type belongs to.
SHARED_TYPES: dict[str, Callable[[ViewFact], str]] = {
    "WorkshopHeld": _workshop_section,
    "StatementDelivered": _statement_section,
    "ResolutionAdopted": _resolution_section,
}


@dataclass(frozen=True)
class Cluster:
    """One section of Parts I to III. `figures` are (figure name, label) pairs shown as
    the section's table of figures; `types` are the event types it lists."""

    key: str
    part: str
    heading: str
    title: str
    types: frozenset[str]
    figures: tuple[tuple[str, str], ...]
    chart: str | None = None
    recommendations: tuple[int, ...] = field(default=())

    def lists(self, fact: ViewFact) -> bool:
        """Whether an event of the period is one of this section's activities."""
        if fact.type not in self.types:
            return False
        decide = SHARED_TYPES.get(fact.type)
        return decide is None or decide(fact) == self.key


PARTS = {
    "I": "States Parties and the Court",
    "II": "Cooperation in the United Nations context",
    "III": "International and regional organisations and the Court",
    "IV": "Conclusion",
}


def _titles() -> dict[str, tuple[str, int | None]]:
    titles: dict[str, tuple[str, int | None]] = {}
    for r in catalogue():
        key = f"{r.part}.{r.cluster}" if r.cluster else r.part
        titles.setdefault(key, (r.cluster_title, r.cluster_number))
    return titles


def _recommendations(key: str) -> tuple[int, ...]:
    return tuple(
        r.number for r in catalogue() if (f"{r.part}.{r.cluster}" if r.cluster else r.part) == key
    )


def _cluster(
    key: str,
    types: set[str],
    figures: tuple[tuple[str, str], ...],
    chart: str | None = None,
) -> Cluster:
    title, number = _titles()[key]
    part, _, letter = key.partition(".")
    if number is not None:
        heading = f"{letter}. Cluster {number}: {title}"
    elif letter:
        heading = f"{letter}. {title}"
    else:
        heading = title
    return Cluster(
        key, part, heading, title, frozenset(types), figures, chart, _recommendations(key)
    )


CLUSTERS: tuple[Cluster, ...] = (
    _cluster(
        "I.A",
        {
            "StateBecameParty",
            "WithdrawalNotified",
            "ImplementingLegislationEnacted",
            "ImplementingLegislationReviewed",
            "APICRatified",
            "AgreementSigned",
            "AgreementEnteredIntoForce",
            "AgreementTerminated",
            "TechnicalAssistanceProvided",
            "WorkshopHeld",
        },
        (
            ("parties.states_parties", "States Parties to the Rome Statute"),
            (
                "parties.with_implementing_legislation",
                "States Parties with implementing legislation",
            ),
            ("parties.with_apic", "States Parties that have ratified the APIC"),
            ("agreements.all.signed", "Agreements with the Court signed"),
            ("agreements.all.entered_into_force", "Agreements entered into force"),
            ("agreements.all.in_force", "Agreements in force at the end of the period"),
            (
                "agreements.enforcement_of_sentences.in_force",
                "of which on the enforcement of sentences",
            ),
            ("agreements.witness_relocation.in_force", "of which on the relocation of witnesses"),
            ("agreements.interim_release.in_force", "of which on interim release"),
            ("activities.technical_assistance", "Technical assistance provided"),
        ),
        chart="agreements",
    ),
    _cluster(
        "I.B",
        {
            "FocalPointDesignated",
            "ContactPointDesignated",
            "CoordinatingMechanismEstablished",
            "HighLevelVisit",
            "StatementDelivered",
            "ResolutionAdopted",
        },
        (
            ("parties.with_focal_point", "States Parties with a national focal point"),
            ("parties.with_contact_point", "States Parties with an embassy contact point"),
            (
                "parties.with_coordinating_mechanism",
                "States Parties with a coordinating mechanism",
            ),
            ("activities.high_level_visits", "High-level visits of the Court"),
            ("activities.statements", "Statements in support of the Court"),
        ),
    ),
    _cluster(
        "I.C",
        {"AssistanceRequestSent", "AssistanceRequestAnswered", "EmergencyVisaIssued"},
        (
            ("requests.sent", "Requests for assistance sent"),
            ("requests.answered", "Requests answered"),
            ("requests.granted", "of which granted"),
            ("requests.partially_granted", "of which partially granted"),
            ("requests.refused", "of which refused"),
            ("requests.open", "Requests open at the end of the period"),
            ("requests.median_days_to_answer", "Median days to answer"),
            ("activities.emergency_visas", "Persons given emergency visas"),
        ),
        chart="requests",
    ),
    _cluster(
        "I.D",
        {
            "ArrestWarrantIssued",
            "ArrestFacilitated",
            "SurrenderCompleted",
            "WarrantClosed",
            "AssetsFrozen",
        },
        (
            ("warrants.issued", "Arrest warrants issued"),
            ("warrants.arrests", "Arrests facilitated"),
            ("warrants.surrenders", "Surrenders to the Court"),
            ("warrants.at_large", "Persons sought still at large at the end of the period"),
            ("warrants.in_custody", "Persons arrested, awaiting surrender"),
            ("activities.statements_on_arrest_and_surrender", "Statements on arrest and surrender"),
            ("activities.assets_frozen", "Measures freezing assets"),
        ),
    ),
    _cluster(
        "I.E",
        {"WitnessProtectionApplicationReceived", "WitnessRelocated"},
        (
            ("witness_protection.applications", "Applications for witness protection"),
            ("witness_protection.persons", "Persons covered by the applications"),
            ("witness_protection.relocations", "Relocations"),
            ("witness_protection.relocated_persons", "Persons relocated"),
            ("agreements.witness_relocation.in_force", "Witness relocation agreements in force"),
        ),
        chart="witness_protection",
    ),
    _cluster(
        "I.F",
        {"OperationalSupportProvided", "ConfidentialityProcedureEstablished"},
        (
            ("activities.operational_support", "Operational support provided"),
            (
                "parties.with_confidentiality_procedure",
                "States Parties with a procedure for confidential information",
            ),
        ),
    ),
    _cluster(
        "I.G",
        {"ExpertsRostered", "GratisPersonnelProvided"},
        (
            ("personnel.experts", "Experts rostered"),
            ("personnel.gratis_persons", "Gratis personnel provided"),
            ("personnel.gratis_person_months", "Person-months of gratis personnel"),
        ),
    ),
    _cluster(
        "II.A",
        {"ResolutionAdopted", "WorkshopHeld"},
        (
            ("activities.resolutions", "Resolutions adopted"),
            ("activities.resolutions_mentioning_court", "of which mentioning the Court"),
        ),
    ),
    _cluster(
        "II.B",
        {"StatementDelivered"},
        (
            ("activities.statements", "Statements in support of the Court"),
            (
                "activities.statements_on_arrest_and_surrender",
                "of which on arrest and surrender",
            ),
        ),
    ),
    _cluster(
        "III",
        {"ResolutionAdopted", "WorkingGroupEstablished", "WorkshopHeld", "StatementDelivered"},
        (
            ("activities.workshops", "Workshops and seminars held"),
            ("activities.workshop_attendees", "Participants in workshops and seminars"),
            ("activities.working_groups", "Working groups established"),
        ),
    ),
)

BY_KEY = {cluster.key: cluster for cluster in CLUSTERS}

#: Every section of the report a plugin's section may follow, in report order.
SECTION_ORDER = (
    "executive_summary",
    "introduction",
    *(cluster.key for cluster in CLUSTERS),
    "conclusion",
    "annexes",
)
