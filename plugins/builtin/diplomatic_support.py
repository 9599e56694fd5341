"""Part I, cluster 2 (diplomatic and public support): national focal points, embassy
contact points, coordinating mechanisms, high-level visits and statements."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType
from core.views.figures import tally_figure
from core.views.itemfigures import ItemFigures, OnDate, OnDays
from core.views.model import (
    Indicator,
    Item,
    ItemHandler,
    SummaryFigure,
    Tally,
    ViewFact,
)
from core.words import Phrase, Terms
from plugins import hookimpl
from plugins.builtin.membership_state import as_state_party
from plugins.builtin.party_items import (
    dates_of_records,
    happened_by,
    happened_counts,
    kinds_by,
    party_handler,
    party_with_days,
    share_of_states_parties,
)

AREA = "diplomatic_support"

FORUMS = (
    "general_assembly",
    "security_council",
    "human_rights_council",
    "regional_organisation",
    "bilateral",
    "other",
)


class FocalPointDesignated(Schema):
    state = f.state()
    office = f.text(max_length=500)


class ContactPointDesignated(Schema):
    state = f.state()
    location = f.choice(["the_hague", "brussels", "new_york"])
    office = f.text(max_length=500)


class CoordinatingMechanismEstablished(Schema):
    state = f.state()
    form = f.choice(["task_force", "working_group", "inter_institutional", "other"])


class HighLevelVisit(Schema):
    organ = f.choice(["presidency", "prosecutor", "registry", "assembly"])
    host = f.party()


class StatementDelivered(Schema):
    speaker = f.party()
    forum = f.choice(FORUMS)
    topic = f.choice(
        ["general_support", "arrest_and_surrender", "cooperation", "universality", "other"]
    )


# -- how the events read -----------------------------------------------------------

PLACES = Terms(
    {
        "the_hague": ("The Hague", "La Haye"),
        "brussels": ("Brussels", "Bruxelles"),
        "new_york": ("New York", "New York"),
    }
)
FORMS = Terms(
    {
        "task_force": ("task force", "groupe de travail spécial"),
        "working_group": ("working group", "groupe de travail"),
        "inter_institutional": ("inter-institutional", "mécanisme interinstitutionnel"),
        "other": ("other", "autre"),
    }
)
#: The organ with its article ("du Procureur"): a French noun takes the article's gender.
ORGANS = Terms(
    {
        "presidency": ("presidency", "de la Présidence"),
        "prosecutor": ("prosecutor", "du Procureur"),
        "registry": ("registry", "du Greffe"),
        "assembly": ("assembly", "de l’Assemblée"),
    }
)
FORUM_WORDS = Terms(
    {
        "general_assembly": ("general assembly", "Assemblée générale"),
        "security_council": ("security council", "Conseil de sécurité"),
        "human_rights_council": ("human rights council", "Conseil des droits de l’homme"),
        "regional_organisation": ("regional organisation", "organisation régionale"),
        "bilateral": ("bilateral", "bilatérale"),
        "other": ("other", "autre"),
    }
)
STATEMENT_TOPICS = Terms(
    {
        "general_support": ("general support", "soutien général"),
        "arrest_and_surrender": ("arrest and surrender", "arrestation et remise"),
        "cooperation": ("cooperation", "coopération"),
        "universality": ("universality", "universalité"),
        "other": ("other", "autres questions"),
    }
)
#: Statements before the United Nations' organs are Part II's, before a regional
#: organisation Part III's; the others cluster 2's.
UN_FORUMS = frozenset({"general_assembly", "security_council", "human_rights_council"})


def statement_cluster(payload: Mapping[str, Any]) -> str:
    forum = payload.get("forum")
    if forum in UN_FORUMS:
        return "II.B"
    return "III" if forum == "regional_organisation" else "I.B"


FOCAL_POINT = Phrase(
    en="{state} designated a national focal point: {office}.",
    fr="{state} : désignation d’un point focal national : {office}.",
    values=lambda p, w: {"state": w.party(p["state"]), "office": p["office"]},
)
CONTACT_POINT = Phrase(
    en="{state} designated a contact point in {place}: {office}.",
    fr="{state} : désignation d’un point de contact à {place} : {office}.",
    values=lambda p, w: {
        "state": w.party(p["state"]),
        "place": w.term(p["location"], PLACES),
        "office": p["office"],
    },
)
MECHANISM = Phrase(
    en="{state} established a coordinating mechanism ({form}).",
    fr="{state} : création d’un mécanisme de coordination ({form}).",
    values=lambda p, w: {"state": w.party(p["state"]), "form": w.term(p["form"], FORMS)},
)
VISIT = Phrase(
    en="Visit of the {organ} of the Court to {host}.",
    fr="Visite {organ} de la Cour : {host}.",
    values=lambda p, w: {"organ": w.term(p["organ"], ORGANS), "host": w.party(p["host"])},
)
STATEMENT = Phrase(
    en="Statement by {speaker} ({forum}) on {topic}.",
    fr="{speaker} : déclaration ({forum}) ; thème : {topic}.",
    values=lambda p, w: {
        "speaker": w.party(p["speaker"]),
        "forum": w.term(p["forum"], FORUM_WORDS),
        "topic": w.term(p["topic"], STATEMENT_TOPICS),
    },
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "FocalPointDesignated",
            FocalPointDesignated,
            AREA,
            "A State designated its national focal point (replaces an earlier one).",
            party_fields=("state",),
            sentence=FOCAL_POINT,
            cluster="I.B",
            checks=as_state_party(),
        ),
        EventType(
            "ContactPointDesignated",
            ContactPointDesignated,
            AREA,
            "A State designated a contact point at an embassy in The Hague, Brussels or New York.",
            party_fields=("state",),
            sentence=CONTACT_POINT,
            cluster="I.B",
            checks=as_state_party(),
        ),
        EventType(
            "CoordinatingMechanismEstablished",
            CoordinatingMechanismEstablished,
            AREA,
            "A State set up a coordinating mechanism for Court issues (recommendation 8).",
            party_fields=("state",),
            sentence=MECHANISM,
            cluster="I.B",
            checks=as_state_party(),
        ),
        EventType(
            "HighLevelVisit",
            HighLevelVisit,
            AREA,
            "A high-level visit by an organ of the Court or the Assembly.",
            party_fields=("host",),
            sentence=VISIT,
            cluster="I.B",
            activity=True,
        ),
        EventType(
            "StatementDelivered",
            StatementDelivered,
            AREA,
            "A statement supporting the Court was delivered in a forum.",
            party_fields=("speaker",),
            sentence=STATEMENT,
            cluster=statement_cluster,
            activity=True,
        ),
    ]


# -- views -------------------------------------------------------------------------

STRUCTURE_EVENTS = frozenset(
    {"FocalPointDesignated", "ContactPointDesignated", "CoordinatingMechanismEstablished"}
)


def fold_structures(item: Item, fact: ViewFact) -> Item:
    p = fact.payload
    if fact.type == "FocalPointDesignated":
        record = {"on": fact.occurred_on, "office": p["office"], "event": fact.id}
        return {**item, "focal_points": [*item.get("focal_points", []), record]}
    if fact.type == "ContactPointDesignated":
        record = {
            "on": fact.occurred_on,
            "location": p["location"],
            "office": p["office"],
            "event": fact.id,
        }
        return {**item, "contact_points_history": [*item.get("contact_points_history", []), record]}
    record = {"on": fact.occurred_on, "form": p["form"], "event": fact.id}
    return {**item, "coordinating_mechanisms": [*item.get("coordinating_mechanisms", []), record]}


def present_structures(item: Item, on: date) -> Item:
    """The focal point and contact points in office on `on`: the latest designation by
    then replaces earlier ones (per location for contact points)."""
    shown = dict(item)
    focal = sorted(happened_by(item.get("focal_points", []), on), key=lambda r: r["on"])
    shown["focal_points"] = focal
    shown["focal_point"] = focal[-1] if focal else None
    contacts: dict[str, Item] = {}
    history = sorted(happened_by(item.get("contact_points_history", []), on), key=lambda r: r["on"])
    for record in history:
        contacts[record["location"]] = record
    shown["contact_points_history"] = history
    shown["contact_points"] = [contacts[place] for place in sorted(contacts)]
    mechanisms = sorted(
        happened_by(item.get("coordinating_mechanisms", []), on), key=lambda r: r["on"]
    )
    shown["coordinating_mechanisms"] = mechanisms
    shown["coordinating_mechanism"] = mechanisms[-1] if mechanisms else None
    return shown


def records(item: Item, field: str) -> list[str]:
    value = item.get(field)
    found = value if isinstance(value, list) else [value]
    return [r["event"] for r in found if r]


def party_with(field: str, name: str, description: str, on_days: OnDays) -> OnDate:
    return OnDate(
        name,
        description,
        "parties",
        lambda item: bool(item.get("is_party")) and bool(item.get(field)),
        lambda item: records(item, field),
        on_days,
    )


def latest_of(field: str) -> OnDays:
    """A State Party with a record of `field` by the day: the latest one counts."""
    return party_with_days(
        lambda item, days: [min(n, 1) for n in happened_counts(item.get(field, []), days)],
        dates_of_records(field),
    )


STRUCTURE_FIGURES = ItemFigures(
    (
        party_with(
            "focal_point",
            "parties.with_focal_point",
            "States Parties with a national focal point on the reading's date.",
            latest_of("focal_points"),
        ),
        party_with(
            "contact_points",
            "parties.with_contact_point",
            "States Parties with an embassy contact point for the Court.",
            # The latest contact point in each location counts.
            party_with_days(
                lambda item, days: kinds_by(
                    item.get("contact_points_history", []), days, "location"
                ),
                dates_of_records("contact_points_history"),
            ),
        ),
        party_with(
            "coordinating_mechanism",
            "parties.with_coordinating_mechanism",
            "States Parties with a coordinating mechanism for Court issues.",
            latest_of("coordinating_mechanisms"),
        ),
    )
)


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        party_handler(
            STRUCTURE_EVENTS, fold_structures, present_structures, counts=STRUCTURE_FIGURES.counts
        )
    ]


@hookimpl
def followup_tallies() -> list[Tally]:
    return [
        Tally(frozenset({"HighLevelVisit"}), lambda f: {f"visits.{f.payload['organ']}": 1}),
        Tally(frozenset({"StatementDelivered"}), lambda f: {f"statements.{f.payload['topic']}": 1}),
    ]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        *STRUCTURE_FIGURES.summary(),
        tally_figure(
            "activities.high_level_visits",
            "High-level visits in the period.",
            "events.HighLevelVisit",
            ["HighLevelVisit"],
        ),
        tally_figure(
            "activities.statements",
            "Statements supporting the Court delivered in the period.",
            "events.StatementDelivered",
            ["StatementDelivered"],
        ),
        tally_figure(
            "activities.statements_on_arrest_and_surrender",
            "Statements on arrest and surrender in the period.",
            "statements.arrest_and_surrender",
            ["StatementDelivered"],
            counted=lambda fact: fact.payload["topic"] == "arrest_and_surrender",
            events_counter="statements.arrest_and_surrender",
        ),
    ]


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (7, 22),
            "focal_points",
            "Share of States Parties with a national focal point.",
            lambda reading: share_of_states_parties(reading, "parties.with_focal_point"),
        ),
        Indicator(
            (8,),
            "coordinating_mechanisms",
            "Share of States Parties with a coordinating mechanism.",
            lambda reading: share_of_states_parties(reading, "parties.with_coordinating_mechanism"),
        ),
        Indicator(
            (9, 25),
            "contact_points",
            "Share of States Parties with an embassy contact point.",
            lambda reading: share_of_states_parties(reading, "parties.with_contact_point"),
        ),
        Indicator(
            (10, 33, 54),
            "high_level_visits",
            "High-level visits in the period, by organ.",
            lambda reading: {
                organ: reading.tally(f"visits.{organ}")
                for organ in ("presidency", "prosecutor", "registry", "assembly")
            },
        ),
        Indicator(
            (11, 17, 47, 48),
            "statements",
            "Statements in the period, by topic.",
            lambda reading: {
                topic: reading.tally(f"statements.{topic}")
                for topic in (
                    "general_support",
                    "arrest_and_surrender",
                    "cooperation",
                    "universality",
                    "other",
                )
            },
        ),
    ]
