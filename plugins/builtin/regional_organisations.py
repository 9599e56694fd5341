"""Part III (international and regional organisations): working groups within
organisations, and workshops and seminars (recommendations 4, 59, 65)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from core import fields as f
from core.eventtypes import EventType
from core.parties import ORGANISATIONS, PartyKind, lookup
from core.views.figures import tally_figure
from core.views.model import Indicator, Reading, SummaryFigure, Tally, ViewFact
from core.words import STATE, Noun, Phrase
from plugins import hookimpl

AREA = "regional_organisations"


#: Workshop topics: the practical issues the recommendations name (4, 59) and the areas
#: of the report. Figures count these; the organiser's words go in `topics_text`.
TOPICS = (
    "implementing_legislation",
    "arrest_and_surrender",
    "freezing_of_assets",
    "financial_investigations",
    "witness_protection",
    "victims",
    "enforcement_of_sentences",
    "requests_for_assistance",
    "cooperation",
    "complementarity",
    "universality",
    "other",
)


def topic_key(text: str) -> str:
    """'Implementing legislation', 'implementing-legislation' -> 'implementing_legislation'."""
    return "_".join(text.strip().lower().replace("-", " ").split())


class Topic(fields.String):
    """A topic of the list, written as it is or in words ("Arrest and surrender")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        key = topic_key(text)
        if key not in TOPICS:
            raise ValidationError(
                f"{text[:60]!r} is not a topic of the list ({', '.join(TOPICS)}); "
                "put your own words in topics_text."
            )
        return key


class WorkingGroupEstablished(Schema):
    organisation = f.PartyCode(
        kinds={PartyKind.ORGANISATION, PartyKind.UNITED_NATIONS}, registrable=True, required=True
    )
    mandate = f.text()


class WorkshopHeld(Schema):
    title = f.text(max_length=500)
    organiser = f.party()
    host = f.PartyCode(registrable=True, load_default=None)
    participants = f.parties()
    attendees = f.count(minimum=0)
    topics = fields.List(
        Topic(),
        required=True,
        validate=validate.Length(max=len(TOPICS)),
        metadata={"description": "Topics of the list (figures count them): " + ", ".join(TOPICS)},
    )
    topics_text = fields.String(  # added: left out of the payload when not given
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "The topics in the organiser's own words."},
    )


# -- how the events read -----------------------------------------------------------

PARTICIPANT = Noun(("participant", "participants"), ("participant", "participants"))


def workshop_cluster(payload: Mapping[str, Any]) -> str:
    """Workshops organisations hold are Part III's, the United Nations' Part II's; the
    others cluster 1's (general legal mechanisms)."""
    organiser = payload.get("organiser")
    if organiser in ORGANISATIONS:
        return "III"
    return "II.A" if organiser == "UN" else "I.A"


WORKING_GROUP = Phrase(
    en="{organisation} established a working group: {mandate}.",
    fr="{organisation} : création d’un groupe de travail : {mandate}.",
    values=lambda p, w: {"organisation": w.party(p["organisation"]), "mandate": p["mandate"]},
)
WORKSHOP = Phrase(
    en="Workshop: {title}, organised by {organiser}{host}; {attendees} from {states}; {topics}.",
    fr="Atelier : {title}, organisé par {organiser}{host} ; {attendees} venus {states} ; {topics}.",
    values=lambda p, w: {
        "title": p["title"],
        "organiser": w.party(p["organiser"]),
        "host": w.say(
            en=f", hosted by {w.party(p['host'])}", fr=f", accueilli par {w.party(p['host'])}"
        )
        if p.get("host")
        else "",
        "attendees": w.count(p["attendees"], PARTICIPANT),
        "states": w.say(
            en=w.count(len(p["participants"]), STATE),
            fr=w.of(w.count(len(p["participants"]), STATE)),
        ),
        "topics": ", ".join(topic.replace("_", " ") for topic in p["topics"]),
    },
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "WorkingGroupEstablished",
            WorkingGroupEstablished,
            AREA,
            "An organisation set up a working group on the Court (recommendation 64).",
            party_fields=("organisation",),
            sentence=WORKING_GROUP,
            cluster="III",
            activity=True,
        ),
        EventType(
            "WorkshopHeld",
            WorkshopHeld,
            AREA,
            "A workshop or seminar on cooperation was held.",
            party_fields=("organiser", "host", "participants"),
            sentence=WORKSHOP,
            cluster=workshop_cluster,
            activity=True,
        ),
    ]


# -- views -------------------------------------------------------------------------

#: Workshop topics the recommendations name (free text elsewhere).
PRACTICAL_TOPICS = ("arrest_and_surrender", "freezing_of_assets", "financial_investigations")


def workshop_counts(fact: ViewFact) -> dict[str, int]:
    counts = {"workshops.attendees": fact.payload["attendees"]}
    for topic in fact.payload["topics"]:
        # Events recorded before topics were a list may hold free text: counted as the
        # topic they name ("Implementing legislation"), or as other.
        key = topic_key(topic)
        counts[f"workshops.topic.{key if key in TOPICS else 'other'}"] = 1
    organiser = lookup(fact.payload["organiser"])
    if organiser is not None and organiser.kind.value == "organisation":
        counts["workshops.by_organisations"] = 1
    return counts


@hookimpl
def followup_tallies() -> list[Tally]:
    return [Tally(frozenset({"WorkshopHeld"}), workshop_counts)]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        tally_figure(
            "activities.workshops",
            "Workshops and seminars held in the period.",
            "events.WorkshopHeld",
            ["WorkshopHeld"],
        ),
        tally_figure(
            "activities.workshop_attendees",
            "Attendees of the period's workshops.",
            "workshops.attendees",
            ["WorkshopHeld"],
        ),
        tally_figure(
            "activities.working_groups",
            "Working groups on the Court established in organisations in the period.",
            "events.WorkingGroupEstablished",
            ["WorkingGroupEstablished"],
        ),
    ]


def topics(reading: Reading, names: tuple[str, ...]) -> dict[str, int]:
    return {name: reading.tally(f"workshops.topic.{name}") for name in names}


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (4,),
            "workshops_on_legislation",
            "Workshops in the period on implementing legislation.",
            lambda r: topics(r, ("implementing_legislation",)),
        ),
        Indicator(
            (59,),
            "workshops_on_practical_cooperation",
            "Workshops in the period on arrest and surrender, freezing of assets and "
            "financial investigations.",
            lambda r: topics(r, PRACTICAL_TOPICS),
        ),
        Indicator(
            (65,),
            "regional_workshops",
            "Workshops in the period organised by international or regional organisations.",
            lambda r: {"workshops": r.tally("workshops.by_organisations")},
        ),
        Indicator(
            (64,),
            "working_groups",
            "Working groups established in the period.",
            lambda r: {"working_groups": r.tally("events.WorkingGroupEstablished")},
        ),
    ]
