"""The parts and clusters of the report, in the order of the Bureau's 2007 report, and
the headline figures that sum each one up. Which events a section lists, the event
types say (``EventType.cluster``); which charts it shows, the charts do."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.recommendations import catalogue


@dataclass(frozen=True)
class Cluster:
    """One section of Parts I to III. `figures` are (figure name, label) pairs shown as
    the section's table of figures."""

    key: str
    part: str
    heading: str
    title: str
    figures: tuple[tuple[str, str], ...]
    recommendations: tuple[int, ...] = field(default=())


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


def _cluster(key: str, figures: tuple[tuple[str, str], ...]) -> Cluster:
    title, number = _titles()[key]
    part, _, letter = key.partition(".")
    if number is not None:
        heading = f"{letter}. Cluster {number}: {title}"
    elif letter:
        heading = f"{letter}. {title}"
    else:
        heading = title
    return Cluster(key, part, heading, title, figures, _recommendations(key))


CLUSTERS: tuple[Cluster, ...] = (
    _cluster(
        "I.A",
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
    ),
    _cluster(
        "I.B",
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
    ),
    _cluster(
        "I.D",
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
        (
            ("witness_protection.applications", "Applications for witness protection"),
            ("witness_protection.persons", "Persons covered by the applications"),
            ("witness_protection.relocations", "Relocations"),
            ("witness_protection.relocated_persons", "Persons relocated"),
            ("agreements.witness_relocation.in_force", "Witness relocation agreements in force"),
        ),
    ),
    _cluster(
        "I.F",
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
        (
            ("personnel.experts", "Experts rostered"),
            ("personnel.gratis_persons", "Gratis personnel provided"),
            ("personnel.gratis_person_months", "Person-months of gratis personnel"),
        ),
    ),
    _cluster(
        "II.A",
        (
            ("activities.resolutions", "Resolutions adopted"),
            ("activities.resolutions_mentioning_court", "of which mentioning the Court"),
        ),
    ),
    _cluster(
        "II.B",
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
